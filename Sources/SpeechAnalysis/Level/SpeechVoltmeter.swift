import Foundation

/// ITU-T P.56 (12/2011) method B, the "speech voltmeter": active speech level and activity factor,
/// computed as the ITU-T STL reference implementation does (G.191 STL, `sv-p56.c`,
/// `speech_voltmeter` and `bin_interp`, as run by `sv56demo` v3.5), so results match it:
///
/// - envelope: p = g·p + (1−g)·|x|, q = g·q + (1−g)·p with g = exp(−1/(f·T)), T = 0.03 s;
/// - 15 thresholds c_j = 2^(j−15), j = 0…14 (one quantum of 16-bit audio up to half scale);
///   a sample counts as active for c_j while q ≥ c_j and for a hangover of I = ⌊0.2·f + 0.5⌋
///   samples after q last was ≥ c_j (none before the first crossing);
/// - A_j = 10·log10(Σx² / a_j), C_j = 20·log10(c_j); the first j with A_j − C_j ≤ M = 15.9 dB
///   brackets the level, which is found by the STL's binary interpolation to 0.5 dB.
///
/// Levels are in dBov with 0 dBov = the RMS of a full-scale square wave, i.e. 10·log10 of the mean
/// square of samples in −1…1 (a full-scale sine is −3.01 dBov), the STL's convention.
/// Known behaviour kept for fidelity: where noise is within ~15 dB of the speech, the noise is
/// counted as active (activity ≈ 1) and the level is close to the speech-plus-noise RMS.
enum SpeechVoltmeter {
    static let timeConstantSeconds = 0.03   // T
    static let hangoverSeconds = 0.2        // H
    static let marginDB = 15.9              // M
    static let thresholdCount = 15          // THRES_NO

    /// Smoothing coefficient g of the envelope at this rate.
    static func smoothing(sampleRateHz: Double) -> Double { exp(-1 / (sampleRateHz * timeConstantSeconds)) }
    /// Hangover I in samples.
    static func hangoverSamples(sampleRateHz: Double) -> Int { Int((hangoverSeconds * sampleRateHz + 0.5).rounded(.down)) }

    /// Index of the highest threshold the envelope reaches plus one (0…15): the number of
    /// thresholds c_j = 2^(j−15) with q ≥ c_j. Read from the exponent bits, exact for q > 0.
    @inline(__always) static func level(ofEnvelope q: Double) -> Int {
        let exponent = Int(truncatingIfNeeded: (q.bitPattern >> 52) & 0x7FF) - 1023   // ⌊log2 q⌋
        return min(max(exponent + 16, 0), thresholdCount)
    }

    /// The envelopes q with `level(ofEnvelope: q) == level`: lower ≤ q < upper (for q ≥ 0).
    static func envelopeBounds(level: Int) -> (lower: Double, upper: Double) {
        (level <= 0 ? -.infinity : Double(sign: .plus, exponent: level - 16, significand: 1),
         level >= thresholdCount ? .infinity : Double(sign: .plus, exponent: level - 15, significand: 1))
    }

    /// Active level (dBov) and activity factor (0…1) from the sums of one stretch of audio.
    /// `activeCounts[j]` is a_j. Returns nil level when the stretch is silent by P.56's rules.
    static func evaluate(squareSum: Double, sampleCount: Int, activeCounts: UnsafeBufferPointer<Int>)
        -> (levelDBov: Double?, activityFactor: Double) {
        let tiny = 1e-20                                                     // MIN_LOG_OFFSET
        guard sampleCount > 0, activeCounts[0] > 0 else { return (nil, 0) }
        let longTermDB = 10 * log10(squareSum / Double(sampleCount) + tiny)
        func activeDB(_ j: Int) -> Double { 10 * log10(squareSum / Double(activeCounts[j]) + tiny) }
        func thresholdDB(_ j: Int) -> Double { 20 * log10(pow(2, Double(j - thresholdCount)) + tiny) }
        if activeDB(0) - thresholdDB(0) < marginDB { return (nil, 0) }      // below the lowest threshold
        for j in 1..<thresholdCount where activeCounts[j] != 0 {
            let a = activeDB(j), c = thresholdDB(j)
            if a - c <= marginDB {
                let level = binaryInterpolation(upperCount: a, lowerCount: activeDB(j - 1),
                                                upperThreshold: c, lowerThreshold: thresholdDB(j - 1))
                return (level, min(1, pow(10, (longTermDB - level) / 10)))
            }
        }
        return (nil, 0)
    }

    /// The STL's `bin_interp` (v2.3, with the 2005 bound-update fix): bisects between two
    /// (activity level, threshold) pairs until level − threshold is within 0.5 dB of the margin,
    /// relaxing the tolerance by 10 % per step after 20 steps.
    static func binaryInterpolation(upperCount: Double, lowerCount: Double, upperThreshold: Double,
                                    lowerThreshold: Double, toleranceDB: Double = 0.5) -> Double {
        var upCount = upperCount, lwCount = lowerCount, upThr = upperThreshold, lwThr = lowerThreshold
        var tol = abs(toleranceDB)
        if abs((upCount - upThr) - marginDB) < tol { return upCount }
        if abs((lwCount - lwThr) - marginDB) < tol { return lwCount }
        var midCount = (upCount + lwCount) / 2, midThr = (upThr + lwThr) / 2
        var iterations = 1
        while true {
            let diff = (midCount - midThr) - marginDB
            if abs(diff) <= tol { break }
            iterations += 1
            if iterations > 20 { tol *= 1.1 }
            if diff > tol {
                midCount = (upCount + midCount) / 2; midThr = (upThr + midThr) / 2
                lwCount = midCount; lwThr = midThr
            } else if diff < -tol {
                midCount = (midCount + lwCount) / 2; midThr = (midThr + lwThr) / 2
                upCount = midCount; upThr = midThr
            }
        }
        return midCount
    }
}
