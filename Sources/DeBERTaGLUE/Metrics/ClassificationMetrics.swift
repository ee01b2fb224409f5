extension GLUEMetrics {
    /// The fraction of predictions equal to their label (`sklearn.metrics.accuracy_score`).
    public static func accuracy(predictions: [Int], labels: [Int]) throws -> Double {
        try checkLengths(predictions.count, labels.count, "accuracy")
        var correct = 0
        for (prediction, label) in zip(predictions, labels) where prediction == label { correct += 1 }
        return Double(correct) / Double(labels.count)
    }

    /// The F1 score of `positiveClass` (`sklearn.metrics.f1_score`, binary average):
    /// 2·TP / (2·TP + FP + FN), and 0 when that denominator is 0 (no positive label and no positive
    /// prediction), as scikit-learn's `zero_division` default gives.
    public static func f1(predictions: [Int], labels: [Int], positiveClass: Int = 1) throws -> Double {
        try checkLengths(predictions.count, labels.count, "f1")
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        for (prediction, label) in zip(predictions, labels) {
            switch (prediction == positiveClass, label == positiveClass) {
            case (true, true): truePositives += 1
            case (true, false): falsePositives += 1
            case (false, true): falseNegatives += 1
            case (false, false): break
            }
        }
        let denominator = 2 * truePositives + falsePositives + falseNegatives
        return denominator == 0 ? 0 : Double(2 * truePositives) / Double(denominator)
    }

    /// The Matthews correlation coefficient (`sklearn.metrics.matthews_corrcoef`), in its multi-class
    /// form (Gorodkin's R_K), which equals (TP·TN − FP·FN)/√((TP+FP)(TP+FN)(TN+FP)(TN+FN)) for two classes.
    /// Returns 0 when the denominator is 0 (e.g. every prediction or every label is the same class).
    public static func matthewsCorrelation(predictions: [Int], labels: [Int]) throws -> Double {
        try checkLengths(predictions.count, labels.count, "matthewsCorrelation")
        // Map the classes that occur to 0..<k so any integer labels work.
        var classIndex: [Int: Int] = [:]
        for value in labels + predictions where classIndex[value] == nil { classIndex[value] = classIndex.count }
        let k = classIndex.count
        var trueCounts = [Double](repeating: 0, count: k), predictedCounts = [Double](repeating: 0, count: k)
        var correct = 0.0
        for (prediction, label) in zip(predictions, labels) {
            trueCounts[classIndex[label]!] += 1
            predictedCounts[classIndex[prediction]!] += 1
            if prediction == label { correct += 1 }
        }
        let n = Double(labels.count)
        var truePredictedDot = 0.0, predictedSquares = 0.0, trueSquares = 0.0
        for c in 0..<k {
            truePredictedDot += trueCounts[c] * predictedCounts[c]
            predictedSquares += predictedCounts[c] * predictedCounts[c]
            trueSquares += trueCounts[c] * trueCounts[c]
        }
        let covariance = correct * n - truePredictedDot
        let predictedVariance = n * n - predictedSquares
        let trueVariance = n * n - trueSquares
        let denominator = predictedVariance * trueVariance
        guard denominator != 0 else { return 0 }
        return covariance / denominator.squareRoot()
    }

    /// The index of the largest logit of each row of a row-major `[rows × numLabels]` array; the first
    /// maximum wins on ties (as `numpy.argmax`).
    /// - Throws: `.invalidArgument` if the count is not a multiple of `numLabels` or a logit is not finite.
    public static func argmax<T: BinaryFloatingPoint>(logits: [T], numLabels: Int) throws -> [Int] {
        guard numLabels > 0, logits.count % numLabels == 0 else {
            throw GLUEError(.invalidArgument,
                            "argmax: \(logits.count) logits do not form rows of \(numLabels) labels")
        }
        if let bad = logits.firstIndex(where: { !$0.isFinite }) {
            throw GLUEError(.invalidArgument, "argmax: logit \(bad) (row \(bad / numLabels)) is not finite")
        }
        var result: [Int] = []
        result.reserveCapacity(logits.count / numLabels)
        var start = 0
        while start < logits.count {
            var best = 0
            for j in 1..<numLabels where logits[start + j] > logits[start + best] { best = j }
            result.append(best)
            start += numLabels
        }
        return result
    }
}
