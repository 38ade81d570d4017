import Foundation

/// Noise floor and SNR of one channel from its 10 ms mean squares and its speech segments.
///
/// - Speech power P_s: mean of the 10 ms mean squares whose block centre lies in a speech segment.
/// - Noise power P_n: mean of the blocks whose centre is at least `guardSeconds` from every speech
///   segment (segment edges are uncertain by ±50–80 ms), after dropping blocks more than
///   `outlierDB` above the median of those blocks (tones, clicks or crosstalk in the gaps; for
///   stationary noise no block is that far above the median, so the mean is unbiased).
/// - `snrDB` = 10·log10((P_s − P_n) / P_n): the speech power over the segments has the noise
///   removed, so the figure is the SNR of the speech itself (nil when P_s ≤ P_n).
/// Levels are 10·log10 of the mean square of samples in −1…1 (dBFS on the project's convention:
/// a full-scale sine reads −3.01 dB).
enum NoiseFloor {
    static func measure(blockMeanSquares: [Float], blockSeconds: Double, speechSegments: [Segment],
                        guardSeconds: Double, outlierDB: Double) -> (noiseFloorDBFS: Double?, snrDB: Double?) {
        guard !blockMeanSquares.isEmpty else { return (nil, nil) }
        let segments = speechSegments.sorted { $0.start < $1.start }
        var speechSum = 0.0, speechCount = 0
        var noise: [Float] = []
        noise.reserveCapacity(blockMeanSquares.count)
        var s = 0                                          // first segment that may still matter
        for (k, ms) in blockMeanSquares.enumerated() {
            let centre = (Double(k) + 0.5) * blockSeconds
            while s < segments.count && segments[s].end + guardSeconds <= centre { s += 1 }
            var inSpeech = false, nearSpeech = false
            var t = s
            while t < segments.count && segments[t].start - guardSeconds < centre {
                if segments[t].contains(centre) { inSpeech = true }
                nearSpeech = true
                t += 1
            }
            if inSpeech {
                speechSum += Double(ms); speechCount += 1
            } else if !nearSpeech {
                noise.append(ms)
            }
        }
        guard !noise.isEmpty else { return (nil, nil) }
        let ceiling = Double(medianMeanSquare(noise)) * pow(10, outlierDB / 10)
        var noiseSum = 0.0, noiseCount = 0
        for ms in noise where Double(ms) <= ceiling { noiseSum += Double(ms); noiseCount += 1 }
        let noisePower = noiseSum / Double(max(noiseCount, 1))
        guard noisePower > 0 else { return (nil, nil) }
        let noiseDB = 10 * log10(noisePower)
        guard speechCount > 0 else { return (noiseDB, nil) }
        let speechPower = speechSum / Double(speechCount)
        guard speechPower > noisePower else { return (noiseDB, nil) }
        return (noiseDB, 10 * log10((speechPower - noisePower) / noisePower))
    }

    /// Median of mean squares to 0.05 dB, from a histogram of their levels (O(n), no sort).
    static func medianMeanSquare(_ values: [Float]) -> Float {
        let lowestDB: Float = -200, stepDB: Float = 0.05, binCount = 4400      // −200…+20 dB
        var histogram = [Int](repeating: 0, count: binCount)
        for v in values {
            let dB = v > 1e-20 ? min(10 * log10f(v), 20) : lowestDB     // NaN → lowest, +Inf → top bin
            histogram[min(binCount - 1, max(0, Int((dB - lowestDB) / stepDB)))] += 1
        }
        var seen = 0
        for (bin, count) in histogram.enumerated() {
            seen += count
            if 2 * seen > values.count {
                let dB = lowestDB + (Float(bin) + 0.5) * stepDB
                return dB <= lowestDB + stepDB ? 0 : powf(10, dB / 10)
            }
        }
        return 0
    }
}
