import DeBERTaCheckpoint
import Foundation
import DeBERTaTensors
import DeBERTaTestSupport
import XCTest
@testable import DeBERTaModeling
@testable import DeBERTaTraining

final class OptimizerTests: XCTestCase {
    /// One `torch.optim.AdamW(lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01)` step from the
    /// fixtures' gradients reproduces `adamw.*` (decay on every parameter, as the fixture was made).
    func testAdamWStepMatchesTorch() throws {
        var checked = 0
        for name in ["deberta-v1-tiny", "deberta-v2-tiny", "deberta-v3-tiny", "deberta-v1-absolute", "deberta-v1-c2p", "deberta-v2-tiny-noshare"] {
            let folder = try References.fixture(name)
            let ref = try SafeTensors.read(from: folder.appendingPathComponent("reference.safetensors")).tensors
            var tensors = try CheckpointFile.loadTensors(from: folder.appendingPathComponent("model.safetensors")).filter { !$0.key.hasPrefix("lm_") }
            for (k, v) in try SafeTensors.read(from: folder.appendingPathComponent("heads.safetensors")).tensors where k.hasPrefix("seqcls3.") {
                tensors[String(k.dropFirst(8))] = v
            }
            let config = try DeBERTaConfiguration.load(from: folder.appendingPathComponent("config.json"))
            let (model, _) = try DeBERTaModel.load(configuration: config, tensors: tensors, file: name, head: .sequenceClassification(numLabels: 3))
            let grads = model.parameters.map { p in ref["grad." + p.name].map { Tensor($0.floatValues(), shape: p.value.shape) } }
            let optimizer = AdamOptimizer(AdamConfiguration(variant: .adamw, epsilon: 1e-6, weightDecay: 0.01), decays: { _ in true })
            optimizer.step(model.parameters, gradients: grads, learningRate: 1e-3)
            for p in model.parameters {
                guard let expected = ref["adamw." + p.name] else { continue }
                let e = expected.floatValues()
                let worst = zip(p.value.scalars, e).map { abs($0 - $1) }.max()!
                XCTAssertLessThanOrEqual(worst, 1e-6, "\(name) adamw.\(p.name)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 9 + 8 + 8 + 8 + 9 + 8, "the adamw.* tensors of the 6 fixtures")
    }

    /// XAdam without bias correction, by hand: θ = 1, g = 0.5, β = (0.9, 0.999), ε = 1e-6, wd 0.01, lr 0.1.
    func testXAdamMatchesHandComputation() {
        let model = try! DeBERTaModel(configuration: tinyConfig(), head: .encoderOnly, builder: .zeros())
        let p = model.parameters[0]
        p.value.data.update(repeating: 1, count: p.value.count)
        let g = Tensor(repeating: 0.5, shape: p.value.shape)
        let opt = AdamOptimizer(AdamConfiguration(variant: .xadam), decays: { _ in true })
        opt.step([p], gradients: [g], learningRate: 0.1)
        let m = 0.1 * 0.5, v = 0.001 * 0.25
        let first = 1 - 0.1 * (m / (v.squareRoot() + 1e-6) + 0.01)
        XCTAssertEqual(Double(p.value.data[0]), first, accuracy: 1e-6)
        // Second step with the gradient scaled by 4 and a gradient scale of 4: same as g = 0.5.
        let g4 = Tensor(repeating: 2, shape: p.value.shape)
        opt.step([p], gradients: [g4], learningRate: 0.1, gradientScale: 4)
        let m2 = 0.9 * m + 0.1 * 0.5, v2 = 0.999 * v + 0.001 * 0.25
        let second = first - 0.1 * (m2 / (v2.squareRoot() + 1e-6) + 0.01 * first)
        XCTAssertEqual(Double(p.value.data[0]), second, accuracy: 1e-6)
    }

    func testNoDecayGroupsFollowTheOriginal() {
        XCTAssertFalse(AdamConfiguration.originalDecays("deberta.encoder.layer.0.attention.self.q_bias"))
        XCTAssertFalse(AdamConfiguration.originalDecays("deberta.encoder.LayerNorm.weight"))
        XCTAssertFalse(AdamConfiguration.originalDecays("classifier.bias"))
        XCTAssertTrue(AdamConfiguration.originalDecays("deberta.embeddings.word_embeddings.weight"))
        XCTAssertTrue(AdamConfiguration.originalDecays("deberta.encoder.rel_embeddings.weight"))
    }

    func testSchedulesAgainstHandValues() {
        let total = 100
        // warmup 0.1: step 5 → 0.5; step 10 → 1 − 0.1 = 0.9 (the original's drop); step 55 → 0.45.
        XCTAssertEqual(LearningRateSchedule.warmupLinear.multiplier(step: 5, total: total, warmup: 0.1), 0.5, accuracy: 1e-12)
        XCTAssertEqual(LearningRateSchedule.warmupLinear.multiplier(step: 10, total: total, warmup: 0.1), 0.9, accuracy: 1e-12)
        XCTAssertEqual(LearningRateSchedule.warmupLinear.multiplier(step: 55, total: total, warmup: 0.1), 0.45, accuracy: 1e-12)
        XCTAssertEqual(LearningRateSchedule.warmupLinear.multiplier(step: 0, total: total, warmup: 0.1), 0)
        XCTAssertEqual(LearningRateSchedule.warmupLinearShift.multiplier(step: 10, total: total, warmup: 0.1), 1, accuracy: 1e-12)
        XCTAssertEqual(LearningRateSchedule.warmupLinearShift.multiplier(step: 55, total: total, warmup: 0.1), 0.5, accuracy: 1e-12)
        XCTAssertEqual(LearningRateSchedule.warmupCosine.multiplier(step: 50, total: total, warmup: 0.1), 0.5, accuracy: 1e-12)
        XCTAssertEqual(LearningRateSchedule.warmupConstant.multiplier(step: 90, total: total, warmup: 0.1), 1)
        XCTAssertEqual(LearningRateSchedule.warmupLinearCosine.multiplier(step: 55, total: total, warmup: 0.1), 0.5, accuracy: 1e-12)
        // Past the end the original wraps around (x − floor(x)).
        XCTAssertEqual(LearningRateSchedule.warmupLinear.multiplier(step: 105, total: total, warmup: 0.1), 0.5, accuracy: 1e-12)
        XCTAssertEqual(LearningRateSchedule.warmupFraction(0.06, totalSteps: 500), 0.06)
        XCTAssertEqual(LearningRateSchedule.warmupFraction(100, totalSteps: 500), 0.2)
    }

    func testLossScalerHalvesOnOverflowAndDoublesAfterGoodSteps() {
        var s = DynamicLossScaler(initialScale: 16, scaleSteps: 3)
        XCTAssertEqual(s.factor(forLoss: 2), 16)
        XCTAssertEqual(s.factor(forLoss: .nan), 1)
        XCTAssertEqual(s.factor(forLoss: 0), 1)
        XCTAssertFalse(s.update(gradientsFinite: false))   // injected overflow: skip, halve
        XCTAssertEqual(s.scale, 8)
        for _ in 0..<3 { XCTAssertTrue(s.update(gradientsFinite: true)) }
        XCTAssertEqual(s.scale, 8)                          // 3 updates since the change: not yet
        XCTAssertTrue(s.update(gradientsFinite: true))
        XCTAssertEqual(s.scale, 16)                         // the 4th: doubled
        var floor = DynamicLossScaler(initialScale: 1, scaleSteps: 3)
        floor.update(gradientsFinite: false)
        XCTAssertEqual(floor.scale, 1)
    }

    /// The original optimizer flags against the original code (`Tests/References/optimizer/optimizer_options.safetensors`,
    /// made by `Scripts/make_optimizer_option_references.py` with microsoft/DeBERTa's XAdam, schedules and
    /// Fp16Optimizer): `--opt_type admax`, `--with_radam True`, `--lookahead_k 3 --lookahead_alpha 0.4`,
    /// `--lr_schedule_ends 0.1 --adam_beta1 0.8 --adam_beta2 0.99`, and `--lr_schedule
    /// warmup_cyclic_linear_cosine --lr_schedule_ends 0.05`, 12 updates each; the Lookahead run is
    /// also saved and restored half way, as a resumed run would be.
    func testOriginalOptimizerFlagsMatchTheOriginalCode() throws {
        let ref = try SafeTensors.read(from: try References.url("optimizer/optimizer_options.safetensors")).tensors
        func tensor(_ name: String) throws -> Tensor {
            let t = try XCTUnwrap(ref[name], name)
            return Tensor(t.floatValues(), shape: t.shape)
        }
        func options(_ run: String) -> TrainingOptions {
            var o = TrainingOptions()
            o.learningRate = 0.01
            o.warmup = 0.25
            o.totalSteps = 12
            o.adam = AdamConfiguration(variant: .xadam, epsilon: 1e-6, weightDecay: 0.01)
            switch run {
            case "admax": o.adam.maxNorm = true
            case "radam": o.adam.rectified = true
            case "lookahead": o.adam.lookaheadSteps = 3; o.adam.lookaheadAlpha = 0.4
            case "ends_betas": o.scheduleEnds = 0.1; o.adam.beta1 = 0.8; o.adam.beta2 = 0.99
            case "cyclic": o.schedule = .warmupCyclicLinearCosine; o.scheduleEnds = 0.05
            default: XCTFail(run)
            }
            return o
        }
        var worst: Float = 0
        for run in ["admax", "radam", "lookahead", "ends_betas", "cyclic"] {
            let o = options(run)
            let params = [Parameter(name: "w", value: try tensor("init.w")), Parameter(name: "b", value: try tensor("init.b"))]
            var optimizer = AdamOptimizer(o.adam, decays: { _ in true })
            let stored = try XCTUnwrap(ref["\(run).lr"])
            XCTAssertEqual(stored.dtype, .f64)
            let multipliers = stored.withUnsafeRawBytes { raw in (0..<12).map { Double(bitPattern: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)) } }
            for k in 0..<12 {
                XCTAssertEqual(o.learningRate(atStep: k) / 0.01, multipliers[k], accuracy: 1e-12, "\(run) schedule at \(k)")
                let grads = [try tensor("grad\(k).w"), try tensor("grad\(k).b")]
                optimizer.step(params, gradients: grads, learningRate: Float(o.learningRate(atStep: k)))
                for p in params {
                    let d = maxAbs(p.value.scalars, try tensor("\(run).step\(k).\(p.name)").scalars)
                    XCTAssertLessThanOrEqual(d, 1e-6, "\(run) update \(k) \(p.name)")
                    worst = max(worst, d)
                }
                if run == "lookahead" && k == 5 {
                    // A checkpoint half way: moments, slow weights and Lookahead's counter carry over.
                    let (tensors, steps) = optimizer.stateTensors()
                    XCTAssertEqual(Set(tensors.keys), ["m.w", "v.w", "m.b", "v.b", "slow.w", "slow.b"])
                    optimizer = AdamOptimizer(o.adam, decays: { _ in true })
                    optimizer.restore(tensors, steps: steps)
                }
            }
        }
        // The runs differ from plain XAdam, so each flag is seen to act.
        let plain = [Parameter(name: "w", value: try tensor("init.w")), Parameter(name: "b", value: try tensor("init.b"))]
        let xadam = AdamOptimizer(AdamConfiguration(variant: .xadam, epsilon: 1e-6, weightDecay: 0.01), decays: { _ in true })
        var o = TrainingOptions()
        o.learningRate = 0.01; o.warmup = 0.25; o.totalSteps = 12
        for k in 0..<12 {
            xadam.step(plain, gradients: [try tensor("grad\(k).w"), try tensor("grad\(k).b")], learningRate: Float(o.learningRate(atStep: k)))
        }
        for run in ["admax", "radam", "lookahead", "ends_betas", "cyclic"] {
            XCTAssertGreaterThan(maxAbs(plain[0].value.scalars, try tensor("\(run).step11.w").scalars), 1e-4, run)
        }
        print("original optimizer flags vs the original XAdam/Fp16Optimizer: max |Δ| \(worst)")
    }

    func maxAbs(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? .infinity }

    func testGlobalNorm() {
        XCTAssertEqual(globalNorm([Tensor([3], shape: [1]), nil, Tensor([4, 12], shape: [2])]), 13, accuracy: 1e-12)
    }
}

func tinyConfig() -> DeBERTaConfiguration {
    var c = DeBERTaConfiguration(modelType: "deberta-v2")
    c.vocabSize = 16; c.hiddenSize = 8; c.numHiddenLayers = 1; c.numAttentionHeads = 2; c.intermediateSize = 16
    c.maxPositionEmbeddings = 16; c.relativeAttention = true; c.positionBuckets = 4; c.posAttType = ["p2c", "c2p"]
    c.positionBiasedInput = false; c.shareAttKey = true; c.normRelEbd = "layer_norm"
    return c
}
