/// The agreement rule of the finite-difference gradient checks:
/// |analytic − numeric| ≤ atol + rtol · max(|analytic|, |numeric|).
///
/// The absolute term only absorbs the rounding noise of the numeric estimate, so it must stay small
/// next to the gradients checked (a zero analytic gradient where the numeric one is above `atol`
/// fails).
public struct GradientTolerance: Sendable {
    public var rtol: Double
    public var atol: Double

    public init(rtol: Double, atol: Double) {
        self.rtol = rtol
        self.atol = atol
    }

    /// Whether `analytic` and `numeric` agree.
    public func accepts(analytic: Double, numeric: Double) -> Bool {
        guard analytic.isFinite, numeric.isFinite else { return false }
        return abs(analytic - numeric) <= atol + rtol * max(abs(analytic), abs(numeric))
    }

    /// The bound `analytic` and `numeric` must stay within.
    public func bound(analytic: Double, numeric: Double) -> Double {
        atol + rtol * max(abs(analytic), abs(numeric))
    }
}
