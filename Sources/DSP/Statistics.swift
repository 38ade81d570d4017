/// Small order statistics on Double arrays (copies; not for per-frame loops).
public enum Statistics {
    /// Percentile with linear interpolation between closest ranks (numpy's default), p in 0…100.
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return percentile(sorted: sorted, p)
    }

    public static func percentile(sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = min(max(p, 0), 100) / 100 * Double(sorted.count - 1)
        let lo = Int(rank.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        let fraction = rank - Double(lo)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * fraction
    }

    public static func median(_ values: [Double]) -> Double? { percentile(values, 50) }

    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Sample standard deviation (n − 1 in the denominator); nil for fewer than 2 values.
    public static func standardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2, let m = mean(values) else { return nil }
        let ss = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        return (ss / Double(values.count - 1)).squareRoot()
    }
}
