import ArgumentParser

@main
struct DeBERTaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deberta", abstract: "DeBERTa in Swift.")
}
