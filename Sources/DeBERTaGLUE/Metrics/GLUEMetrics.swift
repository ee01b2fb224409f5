/// Metrics of the GLUE tasks with scikit-learn / SciPy semantics, computed in `Double`.
///
/// Every function throws `GLUEError` (`.invalidArgument`) for empty input, inputs of different lengths
/// or non-finite values, rather than returning a meaningless number.
public enum GLUEMetrics {
    /// The key of the model-selection value in `evaluate`'s result: the mean of the task's
    /// `selectionMetrics`, named as in the original's `eval_results_*.txt`.
    public static let selectionKey = "eval_metric"

    /// Checks that two metric inputs are non-empty and of equal length.
    static func checkLengths(_ first: Int, _ second: Int, _ function: String) throws {
        guard first == second else {
            throw GLUEError(.invalidArgument, "\(function): \(first) predictions but \(second) labels")
        }
        guard first > 0 else {
            throw GLUEError(.invalidArgument, "\(function): no examples (empty input)")
        }
    }

    /// Checks that every value is finite, naming the first one that is not.
    static func checkFinite(_ values: [Double], _ what: String, _ function: String) throws {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw GLUEError(.invalidArgument, "\(function): \(what)[\(index)] is \(values[index]), not a finite number")
        }
    }
}
