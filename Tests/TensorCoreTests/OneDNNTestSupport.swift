import DeBERTaTestSupport
import XCTest
@testable import DeBERTaTensors

// `requireOneDNN()` (a failure, not a skip, when oneDNN is missing: `make deps` installs it) is in DeBERTaTestSupport.

/// Deterministic standard-normal-ish values (sum of uniforms), reproducible across runs.
func randomValues(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        var s: Float = 0
        for _ in 0..<4 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            s += Float(state >> 40) / Float(1 << 24)
        }
        return (s - 2) * 1.7
    }
}

/// Values rounded to bfloat16 and back.
func roundedToBF16(_ values: [Float]) -> [Float] { values.map(BFloat16.rounded) }
