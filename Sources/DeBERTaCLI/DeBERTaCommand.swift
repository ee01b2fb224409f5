import ArgumentParser
import DeBERTaTraining
import Foundation

@main
struct DeBERTaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deberta",
        abstract: "DeBERTa (v1, v2, v3) in Swift: run, inspect and benchmark models.",
        subcommands: [TrainCommand.self, PrepareDataCommand.self, PretrainCommand.self, FillMaskCommand.self, PredictCommand.self, ConvertCommand.self, TokenizeCommand.self, ForwardCommand.self, BenchCommand.self])

    /// Parses and runs the command line; `train` first completes abbreviated option names as the
    /// original's argparse parser does (``TrainCommand/expandingAbbreviations(_:)``).
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "train" {
            do { arguments = ["train"] + (try TrainCommand.expandingAbbreviations(Array(arguments.dropFirst()))) } catch {
                exit(withError: fail(error))
            }
        }
        main(arguments)
    }
}

/// Prints `error` to standard error and exits with status 1; a run stopped by a signal after
/// writing its checkpoint exits with 128 + the signal number, as a shell reports such a stop.
func fail(_ error: Error) -> ExitCode {
    if case let .stopped(signal, _, _)? = error as? TrainingError {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        return ExitCode(128 + signal)
    }
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    return ExitCode(1)
}

/// An error message for the command line.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
