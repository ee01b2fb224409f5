import ArgumentParser
import DeBERTaModeling
import Foundation
import DeBERTaTensors
import DeBERTaTraining

/// `deberta bench`: speed of a random-weight model of a released shape.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time forward passes of a random-weight model of a released shape (release builds only give meaningful figures).")

    @Option(help: "v3-xsmall, v3-small, v3-base, v3-large, v1-base, a config.json path, or a model folder, hub id or short name whose config.json to use.")
    var config = "v3-base"
    @Option(help: "Sequences per batch.") var batch = 8
    @Option(help: "Tokens per sequence.") var seq = 128
    @Option(help: "inference, or train (forward + backward + AdamW step, dropout on, 2-way classification head).") var mode = "inference"
    @Option(help: "Untimed passes first.") var warmup = 1
    @Option(help: "Timed passes.") var reps = 5
    @Option(help: "Threads for our kernels and BLAS (default: all cores).") var threads: Int?
    @Option(help: "Seed of both the random weights and the token ids (default: weights 1, ids 7).") var seed: UInt64?
    @Option(help: "Matrix products of the linear layers: fp32, or bf16 (bfloat16 inputs, float32 accumulation; needs oneDNN).") var dtype = "fp32"
    @Flag(name: .customLong("compare-fp32"), help: "With --dtype bf16: run one more pass in float32 and report max |Δ last_hidden_state|.") var compareFP32 = false
    @Flag(help: "After each pass, time the sgemm ceiling (BLAS, 4096 × 768 × 3072, same threads) and report the forward's share of its median (its 74 MiB of matrices count in peak RSS).")
    var ceiling = false
    @Flag(help: "Print one JSON object.") var json = false
    @Flag(name: .customLong("int8-gemm"), help: "Instead of a model: GOPS of the int8 VNNI product on 128 × 768 → 3072 (activation quantization included), of the register-only vpdpbusd ceiling and of the fp32 packed kernel, best of --reps, as JSON.")
    var int8Gemm = false

    func run() throws {
        do { try execute() } catch { throw fail(error) }
    }

    func execute() throws {
        guard mode == "inference" || mode == "train" else { throw CLIError("--mode must be inference or train") }
        if let threads { Threading.setThreads(threads) }
        if int8Gemm {
            let figures = Int8GemmBench.run(rows: 128, inFeatures: 768, outFeatures: 3072, reps: reps)
            let data = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        guard let precision = MatmulPrecision(rawValue: dtype) else { throw CLIError("unknown --dtype \(dtype) (fp32 or bf16)") }
        try precision.checkAvailable()
        let c = try ModelPresets.configuration(resolveConfiguration(config))
        let training = mode == "train"
        let model = try DeBERTaModel(configuration: c, head: training ? .sequenceClassification(numLabels: 2) : .encoderOnly, seed: seed ?? 1)
        var options = TrainingOptions()
        options.adam = AdamConfiguration(variant: .adamw)
        options.learningRate = 1e-5
        options.totalSteps = 1_000_000
        options.bf16MatrixProducts = precision == .bf16
        options.dynamicLossScaling = precision == .bf16
        let trainer = training ? Trainer(model: model, options: options) : nil
        var ids = [Int32](repeating: 0, count: batch * seq)
        var rng = RandomStream(seed: seed ?? 7)
        let key = rng.nextKey()
        for i in 0..<ids.count { ids[i] = Int32(3 + Int(RandomStream.uniform(key: key, index: i) * Float(c.vocabSize - 3)) % (c.vocabSize - 3)) }
        let input = ModelInput(inputIds: IndexTensor(ids, shape: [batch, seq]))
        let labels = Labels.classes(IndexTensor((0..<batch).map { Int32($0 % 2) }, shape: [batch]))
        var times: [Double] = [], ceilingRates: [Double] = []
        var last: Tensor? = nil
        let reference = ceiling ? CeilingProduct() : nil
        for r in 0..<(warmup + reps) {
            let start = DispatchTime.now().uptimeNanoseconds
            if let trainer { _ = try trainer.train(TrainingBatch(input: input, labels: labels)) } else { last = try model.encode(input, context: ForwardContext(precision: precision)).last }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            if r >= warmup { times.append(ms) }
            // Interleaved with the passes, so that both see the same state of a noisy machine.
            if let reference { let rate = reference.run(); if r >= warmup { ceilingRates.append(rate) } }
        }
        times.sort()
        let median = times[times.count / 2]
        // A training step costs about three forward passes (forward, then two products per GEMM backward);
        // timed inference passes reuse the position projections the warm-up computed.
        let flops = ModelPresets.forwardFLOPs(c, batch: batch, length: seq, positionProjections: training) * (training ? 3 : 1)
        var result: [String: Any] = [
            "config": config, "batch": batch, "seq": seq, "mode": mode, "dtype": dtype, "threads": Threading.workers,
            "seq_per_s": Double(batch) / (median / 1000),
            "ms_per_batch": ["median": median, "min": times.first!, "max": times.last!],
            "gflops": flops / (median / 1000) / 1e9,
            "peak_rss_mib": peakResidentMiB(),
            "peak_tensor_mib": Double(TensorStorage.peakBytes) / 1_048_576,
        ]
        var kernel = ""
        if precision == .bf16 {
            let dnnl = try OneDNN.shared()
            let name = try dnnl.implementationName(m: batch * seq, n: c.hiddenSize, k: c.hiddenSize)
            result["onednn"] = ["version": dnnl.version, "matmul_implementation": name]
            kernel = " (oneDNN \(dnnl.version), \(name))"
            if compareFP32, let bf16 = last?.scalars {
                guard let fp32 = try model.encode(input, context: ForwardContext(precision: .fp32)).last?.scalars else { throw CLIError("the model produced no hidden states") }
                let diff = zip(bf16, fp32).reduce(Float(0)) { Swift.max($0, abs($1.0 - $1.1)) }
                let scale = fp32.reduce(Float(0)) { Swift.max($0, abs($1)) }
                result["last_hidden_state_max_abs_diff_vs_fp32"] = diff
                result["last_hidden_state_max_abs"] = scale
                kernel += String(format: "; last_hidden_state max |Δ| vs fp32 %.3g (max |x| %.3g)", diff, scale)
            }
        }
        if ceiling {
            let rate = ceilingRates.sorted()[ceilingRates.count / 2]
            result["sgemm_ceiling_gflops"] = rate
            result["fraction_of_ceiling"] = flops / (median / 1000) / 1e9 / rate
            kernel += String(format: "; sgemm ceiling %.1f GFLOP/s, forward at %.0f %% of it", rate, 100 * flops / (median / 1000) / 1e9 / rate)
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "%@ %d×%d %@ %@: %.1f ms/batch (median of %d), %.2f seq/s, %.1f GFLOP/s, peak RSS %.0f MiB",
                         config, batch, seq, mode, dtype, median, reps, Double(batch) / (median / 1000), flops / (median / 1000) / 1e9, peakResidentMiB()) + kernel)
        }
    }
}

/// The sgemm ceiling: `C = A · B` through BLAS (split over the workers, as the model's products
/// are) at the reference shape M 4096, K 768, N 3072.
struct CeilingProduct {
    let m = 4096, k = 768, n = 3072
    let a: Tensor, b: Tensor, c: Tensor

    init() {
        a = Tensor.randomNormal([m, k], std: 1, key: 1)
        b = Tensor.randomNormal([k, n], std: 1, key: 2)
        c = Tensor(uninitializedShape: [m, n])
        _ = run()
    }

    /// GFLOP/s of one product.
    func run() -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: n, c: c.data, ldc: n)
        return 2 * Double(m) * Double(n) * Double(k) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) / 1e9
    }
}

/// Peak resident set size of this process, from /proc (0 where unavailable).
func peakResidentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb / 1024
    }
    return 0
}
