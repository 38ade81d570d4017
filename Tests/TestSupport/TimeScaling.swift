import DSP
import Foundation

/// Pitch-preserving time-scaling for tests that need the same speech at another tempo.
/// (Telephone copies: `Telephone.narrowband`.)
public enum TimeScaling {
    /// Pitch-preserving time-scaling by WSOLA (Verhelst & Roelands 1993, ICASSP): 30 ms Hann
    /// frames overlap-added at a 15 ms synthesis hop, each taken near `speed`·(output time)
    /// in the input, shifted by up to ±10 ms to best continue the previous frame
    /// (cross-correlation). `speed` 1.25 plays 25 % faster (output 1/1.25 as long).
    public static func timeScaled(_ x: [Float], sampleRateHz: Int, speed: Double) -> [Float] {
        let n = Int(0.03 * Double(sampleRateHz)) / 2 * 2, hop = n / 2
        let tolerance = Int(0.01 * Double(sampleRateHz))
        let window = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n))) }  // periodic Hann
        let outCount = Int(Double(x.count) / speed)
        var y = [Float](repeating: 0, count: outCount + n)
        var previous = 0  // input start of the previous frame
        x.withUnsafeBufferPointer { input in
            y.withUnsafeMutableBufferPointer { out in
                var k = 0
                while k * hop + n <= out.count {
                    let ideal = Int(Double(k * hop) * speed)
                    var best = min(max(0, ideal), max(0, input.count - n))
                    if k > 0 {
                        let natural = previous + hop
                        var bestScore = -Double.infinity
                        var delta = -tolerance
                        while delta <= tolerance {
                            let start = ideal + delta
                            if start >= 0, start + n <= input.count, natural + n <= input.count {
                                var s = 0.0
                                var i = 0
                                while i < n { s += Double(input[start + i]) * Double(input[natural + i]); i += 2 }
                                if s > bestScore { bestScore = s; best = start }
                            }
                            delta += 2
                        }
                    }
                    if best + n > input.count { break }
                    for i in 0..<n { out[k * hop + i] += window[i] * input[best + i] }
                    previous = best
                    k += 1
                }
            }
        }
        return Array(y[0..<outCount])
    }
}
