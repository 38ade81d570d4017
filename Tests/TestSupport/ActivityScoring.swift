import Foundation

/// Frame-level scoring of a speech-activity decision against ground-truth segments, as the
/// issue defines it: 10 ms frames, a frame is speech when its centre lies inside a segment,
/// true/false positives pooled over the files of a group.
public struct ActivityScore: Sendable, CustomStringConvertible {
    public var truePositives = 0, falsePositives = 0, falseNegatives = 0

    public init() {}

    public var f1: Double {
        let d = 2 * truePositives + falsePositives + falseNegatives
        return d == 0 ? 1 : Double(2 * truePositives) / Double(d)
    }
    public var description: String {
        String(format: "F1 %.3f (TP %d, FP %d, FN %d)", f1, truePositives, falsePositives, falseNegatives)
    }

    /// Adds one channel: `detected` and `truth` segments in seconds, frames of `hopSeconds`
    /// centred at (i + 0.5)·hop over `durationSeconds`.
    public mutating func add(detected: [(Double, Double)], truth: [(Double, Double)],
                             durationSeconds: Double, hopSeconds: Double = 0.01, excluding: [(Double, Double)] = []) {
        let n = Int(durationSeconds / hopSeconds)
        for i in 0..<n {
            let t = (Double(i) + 0.5) * hopSeconds
            if excluding.contains(where: { t >= $0.0 && t < $0.1 }) { continue }
            let d = detected.contains { t >= $0.0 && t < $0.1 }
            let g = truth.contains { t >= $0.0 && t < $0.1 }
            if d && g { truePositives += 1 } else if d { falsePositives += 1 } else if g { falseNegatives += 1 }
        }
    }

    public static func + (a: ActivityScore, b: ActivityScore) -> ActivityScore {
        var s = a
        s.truePositives += b.truePositives; s.falsePositives += b.falsePositives; s.falseNegatives += b.falseNegatives
        return s
    }

    /// Distance from each true segment boundary (start and end) to the nearest detected boundary
    /// of the same kind, seconds.
    public static func boundaryErrors(detected: [(Double, Double)], truth: [(Double, Double)]) -> [Double] {
        guard !detected.isEmpty else { return [] }
        var errors: [Double] = []
        for (a, b) in truth {
            errors.append(detected.map { abs($0.0 - a) }.min()!)
            errors.append(detected.map { abs($0.1 - b) }.min()!)
        }
        return errors
    }

    public static func median(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        let s = x.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }
}
