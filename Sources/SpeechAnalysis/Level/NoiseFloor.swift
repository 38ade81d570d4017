import DSP
import Foundation

/// Noise floor and SNR of one channel from its 10 ms levels and its speech segments.
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
///
/// Blocks are added as the speech around them becomes final (`settle`), so nothing per block is
/// kept: the noise blocks are counted in a 0.1 dB histogram with the power summed per bin, and
/// the outlier ceiling applies to whole bins (to within 0.1 dB).
struct NoiseFloor {
    let blockSeconds: Double
    let guardSeconds: Double
    let outlierDB: Double
    /// Blocks [0, settledBlocks) are counted.
    private(set) var settledBlocks = 0
    /// First segment that may still matter to the next block.
    private var segmentIndex = 0
    private var speechSum = 0.0, speechCount = 0
    private var noiseLevels = DecibelHistogram()
    private var noisePowerByBin: [Double]
    /// `Decibels.toPower` of each level, kept per half-precision value (issue 18: a `pow` per
    /// 10 ms block was ~1 % of the CPU time; a level has one of 65,536 values).
    private let powers = HalfLevelPowers()

    init(blockSeconds: Double, guardSeconds: Double, outlierDB: Double) {
        self.blockSeconds = blockSeconds
        self.guardSeconds = guardSeconds
        self.outlierDB = outlierDB
        noisePowerByBin = [Double](repeating: 0, count: noiseLevels.binCount)
    }

    /// Counts the next blocks (their levels: `Decibels.fromPower` of the mean square, its −200 dB
    /// floor for digital silence) whose centres lie before `throughSeconds`, given every speech segment that can
    /// reach them (ascending, not overlapping). Returns how many were counted.
    mutating func settle(_ levelsDB: ArraySlice<Float16>, speech segments: [Segment], throughSeconds: Double) -> Int {
        var counted = 0
        for level in levelsDB {
            let centre = (Double(settledBlocks) + 0.5) * blockSeconds
            guard centre < throughSeconds else { break }
            while segmentIndex < segments.count && segments[segmentIndex].end + guardSeconds <= centre { segmentIndex += 1 }
            var inSpeech = false, nearSpeech = false
            var t = segmentIndex
            while t < segments.count && segments[t].start - guardSeconds < centre {
                if segments[t].contains(centre) { inSpeech = true }
                nearSpeech = true
                t += 1
            }
            let levelDB = HalfPrecision.float(level)
            // The dB floor stands for zero power (digital silence has no noise floor).
            let power = Double(levelDB) <= Decibels.floorDB ? 0 : powers.power(of: level, levelDB: levelDB)
            if inSpeech {
                speechSum += power; speechCount += 1
            } else if !nearSpeech {
                noiseLevels.add(levelDB)
                noisePowerByBin[noiseLevels.bin(of: levelDB)] += power
            }
            settledBlocks += 1
            counted += 1
        }
        return counted
    }

    /// The noise floor and SNR of the blocks counted.
    var result: (noiseFloorDBFS: Double?, snrDB: Double?) {
        guard let medianDB = noiseLevels.percentile(50) else { return (nil, nil) }
        // A median at the histogram's floor is digital silence: nothing above it is noise.
        let ceilingBin = medianDB <= noiseLevels.lowDB ? 0 : noiseLevels.bin(of: medianDB + Float(outlierDB))
        var noiseSum = 0.0
        for bin in 0...ceilingBin { noiseSum += noisePowerByBin[bin] }
        let noiseCount = noiseLevels.count(throughBin: ceilingBin)
        let noisePower = noiseSum / Double(max(noiseCount, 1))
        guard noisePower > 0 else { return (nil, nil) }
        let noiseDB = 10 * log10(noisePower)
        guard speechCount > 0 else { return (noiseDB, nil) }
        let speechPower = speechSum / Double(speechCount)
        guard speechPower > noisePower else { return (noiseDB, nil) }
        return (noiseDB, 10 * log10((speechPower - noisePower) / noisePower))
    }
}

/// `Decibels.toPower` of half-precision levels, each computed at its first use and then read
/// from a table indexed by the level's bit pattern: the same `pow` of the same Double, so the
/// same value. The table (65,536 Doubles) is zeroed by `calloc`, so only the pages of levels that
/// occur take memory; 0 marks a value not yet computed (a power that underflows to 0 is simply
/// computed again). One per channel meter, used by one task at a time.
final class HalfLevelPowers {
    private let table: UnsafeMutablePointer<Double>

    init() {
        guard let memory = calloc(1 << 16, MemoryLayout<Double>.stride) else { fatalError("out of memory") }
        table = memory.assumingMemoryBound(to: Double.self)
    }

    deinit { free(table) }

    /// `Decibels.toPower(Double(levelDB))`, where `levelDB` is `level` as a Float.
    @inline(__always) func power(of level: Float16, levelDB: Float) -> Double {
        let index = Int(level.bitPattern)
        let cached = table[index]
        if cached != 0 { return cached }
        let power = Decibels.toPower(Double(levelDB))
        table[index] = power
        return power
    }
}
