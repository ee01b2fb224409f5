extension GLUEMetrics {
    /// Pearson's correlation coefficient (`scipy.stats.pearsonr(...)[0]`).
    ///
    /// Returns NaN when either input is constant, as SciPy does (it also warns); needs at least two values.
    public static func pearson(_ x: [Double], _ y: [Double]) throws -> Double {
        try checkLengths(x.count, y.count, "pearson")
        guard x.count >= 2 else { throw GLUEError(.invalidArgument, "pearson: needs at least 2 values") }
        try checkFinite(x, "x", "pearson")
        try checkFinite(y, "y", "pearson")
        return centredCorrelation(x, y)
    }

    /// Spearman's rank correlation (`scipy.stats.spearmanr(...)[0]`): Pearson's correlation of the
    /// ranks, ties given their average rank. NaN when either input is constant.
    public static func spearman(_ x: [Double], _ y: [Double]) throws -> Double {
        try checkLengths(x.count, y.count, "spearman")
        guard x.count >= 2 else { throw GLUEError(.invalidArgument, "spearman: needs at least 2 values") }
        try checkFinite(x, "x", "spearman")
        try checkFinite(y, "y", "spearman")
        return centredCorrelation(averageRanks(x), averageRanks(y))
    }

    /// 1-based ranks with ties given the mean of the ranks they span (`scipy.stats.rankdata`, method
    /// `average`): `[10, 20, 20, 5]` → `[2, 3.5, 3.5, 1]`.
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            // Positions start..<end hold equal values: ranks start+1 ... end, whose mean is (start+1+end)/2.
            let rank = Double(start + 1 + end) / 2
            for position in start..<end { ranks[order[position]] = rank }
            start = end
        }
        return ranks
    }

    /// Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² Σ(y−ȳ)²), clipped to [−1, 1]; NaN for a constant input.
    private static func centredCorrelation(_ x: [Double], _ y: [Double]) -> Double {
        // Test constancy exactly: the mean of equal values need not equal them in floating point.
        guard x.contains(where: { $0 != x[0] }), y.contains(where: { $0 != y[0] }) else { return .nan }
        let n = Double(x.count)
        let meanX = x.reduce(0, +) / n, meanY = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            let dx = a - meanX, dy = b - meanY
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return .nan }
        return min(1, max(-1, sxy / (sxx.squareRoot() * syy.squareRoot())))
    }
}
