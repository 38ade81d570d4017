import DSP
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
    /// - Parameter blockLevelsDB: 10·log10 of each block's mean square (−∞ for digital silence).
    static func measure(blockLevelsDB: [Float16], blockSeconds: Double, speechSegments: [Segment],
                        guardSeconds: Double, outlierDB: Double) -> (noiseFloorDBFS: Double?, snrDB: Double?) {
        guard !blockLevelsDB.isEmpty else { return (nil, nil) }
        let segments = speechSegments.sorted { $0.start < $1.start }
        // Two passes over the blocks, each classifying them the same way: the first for the
        // speech power and the median noise level, the second for the noise power under the ceiling.
        func eachBlock(_ body: (_ levelDB: Float, _ inSpeech: Bool) -> Void) {
            var s = 0                                          // first segment that may still matter
            for (k, level) in blockLevelsDB.enumerated() {
                let centre = (Double(k) + 0.5) * blockSeconds
                while s < segments.count && segments[s].end + guardSeconds <= centre { s += 1 }
                var inSpeech = false, nearSpeech = false
                var t = s
                while t < segments.count && segments[t].start - guardSeconds < centre {
                    if segments[t].contains(centre) { inSpeech = true }
                    nearSpeech = true
                    t += 1
                }
                if inSpeech || !nearSpeech { body(Float(level), inSpeech) }
            }
        }
        var speechSum = 0.0, speechCount = 0
        var noiseLevels = DecibelHistogram()
        eachBlock { levelDB, inSpeech in
            if inSpeech { speechSum += Decibels.toPower(Double(levelDB)); speechCount += 1 } else { noiseLevels.add(levelDB) }
        }
        guard let medianDB = noiseLevels.percentile(50) else { return (nil, nil) }
        // A median at the histogram's floor is digital silence: nothing is above it but outliers.
        let ceilingDB = medianDB <= noiseLevels.lowDB ? -Float.infinity : medianDB + Float(outlierDB)
        var noiseSum = 0.0, noiseCount = 0
        eachBlock { levelDB, inSpeech in
            if !inSpeech && levelDB <= ceilingDB { noiseSum += Decibels.toPower(Double(levelDB)); noiseCount += 1 }
        }
        let noisePower = noiseSum / Double(max(noiseCount, 1))
        guard noisePower > 0 else { return (nil, nil) }
        let noiseDB = 10 * log10(noisePower)
        guard speechCount > 0 else { return (noiseDB, nil) }
        let speechPower = speechSum / Double(speechCount)
        guard speechPower > noisePower else { return (noiseDB, nil) }
        return (noiseDB, 10 * log10((speechPower - noisePower) / noisePower))
    }
}
