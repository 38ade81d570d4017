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

/// Running percentiles of dB values: counts in 0.1 dB bins over `lowDB…highDB` (values beyond
/// are clamped to the ends). Values can arrive in any order and any number of pieces, so a
/// statistic over a whole recording needs no stored values (2,201 counts over −200…+20 dB).
public struct DecibelHistogram: Sendable, Equatable {
    public static let binsPerDB: Float = 10
    public let lowDB: Float
    public let highDB: Float
    private var counts: [Int]
    public private(set) var count = 0

    public init(lowDB: Float = -200, highDB: Float = 20) {
        self.lowDB = lowDB
        self.highDB = highDB
        counts = [Int](repeating: 0, count: Int((highDB - lowDB) * Self.binsPerDB) + 1)
    }

    @inline(__always) public mutating func add(_ valueDB: Float) {
        counts[bin(of: valueDB)] += 1
        count += 1
    }

    /// The bin `valueDB` is counted in (0 …, `lowDB` upward in 0.1 dB steps).
    @inline(__always) public func bin(of valueDB: Float) -> Int {
        Rounding.nearestInt(nonNegative: (min(max(valueDB, lowDB), highDB) - lowDB) * Self.binsPerDB)   // ≥ 0 after the clamp
    }
    public var binCount: Int { counts.count }
    /// Values counted in bins 0…`bin`.
    public func count(throughBin bin: Int) -> Int { counts[0...min(bin, counts.count - 1)].reduce(0, +) }

    /// The value at rank ⌊p/100 · (count − 1)⌋ (as `Statistics.percentile` rounded down to a
    /// whole rank), to the 0.1 dB bin; nil when empty.
    public func percentile(_ p: Double) -> Float? {
        guard count > 0 else { return nil }
        let target = Int((min(max(p, 0), 100) / 100 * Double(count - 1)).rounded(.down))
        var seen = 0
        for (bin, n) in counts.enumerated() {
            seen += n
            if seen > target { return lowDB + Float(bin) / Self.binsPerDB }
        }
        return highDB
    }
}
