extension GLUEMetrics {
    /// The task's metric set for class predictions, keyed as in the original's `eval_results_*.txt`:
    /// `accuracy` (all classification tasks), `f1` (MRPC, QQP), `mcc` (CoLA, AX), `accuracy_<genre>` per
    /// genre (MNLI, when `genres` is given), plus `eval_metric`, the mean of the task's `selectionMetrics`.
    /// - Parameters:
    ///   - predictions: predicted class indices (e.g. from `argmax(logits:numLabels:)`).
    ///   - labels: gold class indices.
    ///   - genres: for MNLI, each example's genre (`GLUEExample.genre`), for the per-genre accuracies.
    /// - Throws: `.invalidArgument` for STS-B, mismatched lengths, empty input or a class index out of range.
    public static func evaluate(task: GLUETask, predictions: [Int], labels: [Int],
                                genres: [String]? = nil) throws -> [String: Double] {
        guard !task.isRegression else {
            throw GLUEError(.invalidArgument, "evaluate: \(task.directoryName) is a regression task; pass scores")
        }
        try checkLengths(predictions.count, labels.count, "evaluate(\(task.directoryName))")
        for (what, values) in [("prediction", predictions), ("label", labels)] {
            if let bad = values.firstIndex(where: { !(0..<task.numLabels).contains($0) }) {
                throw GLUEError(.invalidArgument, "evaluate(\(task.directoryName)): \(what) \(bad) is class "
                                + "\(values[bad]), outside 0..<\(task.numLabels)")
            }
        }
        var metrics: [String: Double] = [:]
        for name in task.metricNames {
            switch name {
            case "accuracy": metrics[name] = try accuracy(predictions: predictions, labels: labels)
            case "f1": metrics[name] = try f1(predictions: predictions, labels: labels)
            case "mcc": metrics[name] = try matthewsCorrelation(predictions: predictions, labels: labels)
            default: throw GLUEError(.invalidArgument, "evaluate: no classification metric named \(name)")
            }
        }
        if let genres {
            guard genres.count == labels.count else {
                throw GLUEError(.invalidArgument, "evaluate(\(task.directoryName)): \(genres.count) genres "
                                + "for \(labels.count) labels")
            }
            var byGenre: [String: (predictions: [Int], labels: [Int])] = [:]
            for (i, genre) in genres.enumerated() {
                byGenre[genre, default: ([], [])].predictions.append(predictions[i])
                byGenre[genre, default: ([], [])].labels.append(labels[i])
            }
            for (genre, pair) in byGenre {
                metrics["accuracy_\(genre)"] = try accuracy(predictions: pair.predictions, labels: pair.labels)
            }
        }
        metrics[selectionKey] = selectionValue(task, metrics)
        return metrics
    }

    /// STS-B's metric set for predicted scores: `pearsonr`, `spearmanr` and `eval_metric` (their mean).
    /// Correlations are NaN when the predictions or labels are constant (SciPy semantics).
    /// - Throws: `.invalidArgument` for a classification task, mismatched lengths, fewer than two values or
    ///   non-finite values.
    public static func evaluate(task: GLUETask, predictions: [Double], labels: [Double]) throws -> [String: Double] {
        guard task.isRegression else {
            throw GLUEError(.invalidArgument, "evaluate: \(task.directoryName) is a classification task; pass class indices")
        }
        var metrics: [String: Double] = [:]
        metrics["pearsonr"] = try pearson(labels, predictions)
        metrics["spearmanr"] = try spearman(labels, predictions)
        metrics[selectionKey] = selectionValue(task, metrics)
        return metrics
    }

    /// Evaluates `predictions` against the labels (and, for MNLI, the genres) of `examples`.
    /// - Throws: `.invalidArgument` if an example has no label, kinds do not match the task (class indices
    ///   vs. scores) or counts differ.
    public static func evaluate(task: GLUETask, predictions: [LabelValue],
                                examples: [GLUEExample]) throws -> [String: Double] {
        guard predictions.count == examples.count else {
            throw GLUEError(.invalidArgument, "evaluate(\(task.directoryName)): \(predictions.count) predictions "
                            + "for \(examples.count) examples")
        }
        if let unlabelled = examples.first(where: { $0.label == nil }) {
            throw GLUEError(.invalidArgument, "evaluate(\(task.directoryName)): example \(unlabelled.guid) "
                            + "(line \(unlabelled.line)) has no label")
        }
        if task.isRegression {
            let scores = try values(predictions, task) { $0.score }
            let gold = try values(examples.map { $0.label! }, task) { $0.score }
            return try evaluate(task: task, predictions: scores, labels: gold)
        }
        let classes = try values(predictions, task) { $0.classIndex }
        let gold = try values(examples.map { $0.label! }, task) { $0.classIndex }
        let genres = examples.allSatisfy { $0.genre != nil } ? examples.map { $0.genre! } : nil
        return try evaluate(task: task, predictions: classes, labels: gold, genres: genres)
    }

    private static func values<T>(_ items: [LabelValue], _ task: GLUETask,
                                  _ extract: (LabelValue) -> T?) throws -> [T] {
        try items.enumerated().map { i, item in
            guard let value = extract(item) else {
                let expected = task.isRegression ? "a score" : "a class index"
                throw GLUEError(.invalidArgument, "evaluate(\(task.directoryName)): item \(i) is \(item), "
                                + "expected \(expected)")
            }
            return value
        }
    }

    /// The mean of the task's selection metrics (the original's `eval_metric`).
    private static func selectionValue(_ task: GLUETask, _ metrics: [String: Double]) -> Double {
        let values = task.selectionMetrics.map { metrics[$0]! }
        return values.reduce(0, +) / Double(values.count)
    }
}
