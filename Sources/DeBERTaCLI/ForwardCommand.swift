import ArgumentParser
import DeBERTaCheckpoint
import DeBERTaModeling
import Foundation
import DeBERTaTensors

/// `deberta forward`: one forward (and backward) pass on inputs stored in a safetensors file.
struct ForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Run a model on inputs from a safetensors file and write every output (the golden-test interface).",
        discussion: """
        Inputs: int64 (or int32) input_ids [B, N]; optional attention_mask ([B, N], or [B, N, N] pairs used as given:
        query i attends to key j where it is non-zero), token_type_ids and position_ids [B, N]; with
        --labels also labels (int64, or float32 for regression; start_positions/end_positions for question
        answering).
        Outputs (float32): hidden_states.0 … hidden_states.L, last_hidden_state, logits (when the model
        has a head), loss [1] (with --labels), grad.<parameter> (with --gradients) and attentions.0 …
        attentions.L-1 [B, heads, N, N] (with --attentions: probabilities after the softmax).
        """)

    @Option(help: "Model folder (Hugging Face or original layout), hub id (org/name[@revision]) or short name (v3-base).")
    var model: String
    @Option(help: "safetensors file with the inputs.")
    var inputs: String
    @Option(help: "safetensors file to write.")
    var output: String
    @Flag(help: "Compute the loss from the labels in the inputs file.")
    var labels = false
    @Flag(help: "Also write the gradient of the loss for every parameter.")
    var gradients = false
    @Flag(help: "Also write every layer's attention probabilities (attentions.0 … attentions.L-1).")
    var attentions = false

    func run() throws {
        do { try execute() } catch { throw fail(error) }
    }

    func execute() throws {
        if gradients && !labels { throw CLIError("--gradients needs --labels (the gradient is that of the loss)") }
        let (net, report) = try DeBERTaModel.load(from: resolveModel(model))
        if !report.unexpected.isEmpty {
            FileHandle.standardError.write(Data("note: \(report.unexpected.count) checkpoint tensors not used: \(report.unexpected.prefix(8).joined(separator: ", "))\(report.unexpected.count > 8 ? ", …" : "")\n".utf8))
        }
        let file = try SafeTensors.read(from: URL(fileURLWithPath: inputs)).tensors
        func indices(_ name: String, required: Bool = false, mask: Bool = false) throws -> IndexTensor? {
            guard let t = file[name] else {
                if required { throw CLIError("\(inputs): no tensor '\(name)'") }
                return nil
            }
            return try indexTensor(t, name: name, file: inputs, mask: mask)
        }
        let input = ModelInput(inputIds: try indices("input_ids", required: true)!, attentionMask: try indices("attention_mask", mask: true),
                               tokenTypeIds: try indices("token_type_ids"), positionIds: try indices("position_ids"))
        var target: Labels? = nil
        if labels {
            if net.head == .questionAnswering {
                guard let s = try indices("start_positions"), let e = try indices("end_positions") else {
                    throw CLIError("\(inputs): question answering needs start_positions and end_positions")
                }
                target = .spans(start: s, end: e)
            } else {
                guard let l = file["labels"] else { throw CLIError("\(inputs): --labels given but there is no 'labels' tensor") }
                target = l.dtype.isFloatingPoint ? .values(Tensor(l.floatValues(), shape: l.shape)) : .classes(try indices("labels")!)
            }
            if net.head == .encoderOnly { throw CLIError("\(model): the model has no head, so there is no loss for --labels") }
        }
        // The reference computes its gradients in eval mode: no dropout.
        let out = try net(input, labels: target, outputAttentions: attentions,
                          context: ForwardContext(mode: gradients ? .gradientsWithoutDropout : .inference))
        var tensors: [String: StoredTensor] = [:]
        func put(_ name: String, _ t: Tensor) { tensors[name] = StoredTensor(float32: t.scalars, shape: t.shape) }
        for (n, h) in out.hiddenStates.enumerated() { put("hidden_states.\(n)", h) }
        put("last_hidden_state", out.lastHiddenState)
        if let logits = out.logits { put("logits", logits) }
        for (l, a) in (out.attentions ?? []).enumerated() { put("attentions.\(l)", a) }
        if let loss = out.loss {
            put("loss", loss)
            if gradients {
                loss.backward()
                for p in net.parameters { put("grad." + p.name, p.grad ?? Tensor.zeros(p.value.shape)) }
            }
        }
        try SafeTensors.write(tensors, metadata: ["format": "pt"], to: URL(fileURLWithPath: output))
    }
}
