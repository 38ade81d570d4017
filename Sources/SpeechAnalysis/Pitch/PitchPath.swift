import DSP
import Foundation

/// The F0 path through each frame's candidates: a Viterbi search that maximises the summed
/// candidate strengths minus transition costs (Boersma 1993, §4.3 "Path finder"; Praat's
/// `Pitch_pathFinder`).
///
/// Local strength of a voiced candidate: R = r(τ) − OctaveCost·log2(MinimumPitch·τ) (eq. 24).
/// Unvoiced candidate: R = VoicingThreshold + max(0, 2 − (local/global)/(SilenceThreshold/(1 + VoicingThreshold)))
/// (eq. 23), with local = frame RMS and global = 99th percentile of the channel's frame RMS.
/// Transition cost between frames: 0 unvoiced → unvoiced; VoicedUnvoicedCost across a voicing
/// change; OctaveJumpCost·|log2(F1/F2)| between voiced candidates (eq. 27). Both costs are scaled
/// by 0.01 s / hop, as Praat does, so they mean the same at any hop.
enum PitchPath {
    /// - Parameter speakerRangeHz: the speaker's plausible range from a first pass; voiced
    ///   candidates outside it pay `settings.speakerRangeCost` per octave outside (nil: no range cost).
    static func choose(_ c: PitchCandidates, timeBase: TimeBase, settings: PitchSettings,
                       speakerRangeHz: ClosedRange<Float>? = nil) -> PitchTrack {
        let n = c.frameCount
        let k = c.capacity, states = k + 1  // state 0 = unvoiced, 1…k = candidate j − 1
        var f0Hz = [Float](repeating: 0, count: n)
        var strength = [Float](repeating: 0, count: n)
        guard n > 0 else { return PitchTrack(timeBase: timeBase, f0Hz: f0Hz, voicingStrength: strength) }

        let globalRMS = Self.loudFrameRMS(c.rms)
        let vt = settings.voicingThreshold
        let silenceScale = settings.silenceThreshold / (1 + vt)
        let stepCorrection = 0.01 / timeBase.hopSeconds
        let jumpCostPerCode = settings.octaveJumpCost * stepCorrection / Double(PitchCandidates.codesPerOctave)
        let voicingCost = settings.voicedUnvoicedCost * stepCorrection
        let octaveCost = settings.octaveCost
        let floorCode = Double(PitchCandidates.code(f0Hz: Float(settings.minimumF0Hz)))
        let rangeCodes = speakerRangeHz.map {
            Double(PitchCandidates.code(f0Hz: $0.lowerBound))...Double(PitchCandidates.code(f0Hz: $0.upperBound))
        }
        let rangeCostPerCode = settings.speakerRangeCost / Double(PitchCandidates.codesPerOctave)

        func unvoicedStrength(_ frame: Int) -> Double {
            guard globalRMS > 0, silenceScale > 0 else { return vt }
            return vt + max(0, 2 - Double(c.rms[frame]) / globalRMS / silenceScale)  // eq. (23)
        }
        func voicedStrength(_ frame: Int, _ j: Int) -> Double {
            let code = Double(c.code(frame: frame, candidate: j))
            let octavesAboveFloor = (code - floorCode) / Double(PitchCandidates.codesPerOctave)
            var r = Double(c.strength(frame: frame, candidate: j)) + octaveCost * octavesAboveFloor  // eq. (24)
            if let range = rangeCodes {
                r -= rangeCostPerCode * max(0, range.lowerBound - code, code - range.upperBound)
            }
            return r
        }

        var back = [UInt8](repeating: 0, count: n * states)
        var previous = [Double](repeating: -.infinity, count: states)
        var current = [Double](repeating: -.infinity, count: states)
        previous[0] = unvoicedStrength(0)
        for j in 0..<Int(c.counts[0]) { previous[j + 1] = voicedStrength(0, j) }

        for i in 1..<n {
            let prevCount = Int(c.counts[i - 1]), count = Int(c.counts[i])
            // Unvoiced state.
            var best = previous[0], arg = 0
            for p in 0..<prevCount where previous[p + 1] - voicingCost > best {
                best = previous[p + 1] - voicingCost; arg = p + 1
            }
            current[0] = best + unvoicedStrength(i)
            back[i * states] = UInt8(arg)
            // Voiced states.
            for j in 0..<count {
                let code = Double(c.code(frame: i, candidate: j))
                var best = previous[0] - voicingCost, arg = 0
                for p in 0..<prevCount {
                    let jump = abs(code - Double(c.code(frame: i - 1, candidate: p))) * jumpCostPerCode  // eq. (27)
                    let v = previous[p + 1] - jump
                    if v > best { best = v; arg = p + 1 }
                }
                current[j + 1] = best + voicedStrength(i, j)
                back[i * states + j + 1] = UInt8(arg)
            }
            for j in (count + 1)..<states { current[j] = -.infinity }
            // Renormalise so the running sums stay small (precision over hour-long calls).
            let top = current[0...count].max()!
            for j in 0...count { current[j] -= top }
            swap(&previous, &current)
        }

        var state = 0
        var bestValue = previous[0]
        for j in 1..<states where previous[j] > bestValue { bestValue = previous[j]; state = j }
        for i in stride(from: n - 1, through: 0, by: -1) {
            let count = Int(c.counts[i])
            if state > 0 {
                f0Hz[i] = PitchCandidates.f0Hz(code: c.code(frame: i, candidate: state - 1))
                strength[i] = c.strength(frame: i, candidate: state - 1)
            } else {
                var strongest: Float = 0
                for j in 0..<count { strongest = max(strongest, c.strength(frame: i, candidate: j)) }
                strength[i] = strongest
            }
            state = Int(back[i * states + state])
        }
        return PitchTrack(timeBase: timeBase, f0Hz: f0Hz, voicingStrength: strength)
    }

    /// 99th percentile of the non-zero frame RMS values, from a 0.05 dB histogram (linear time).
    static func loudFrameRMS(_ rms: [Float]) -> Double {
        let lowDB: Float = -200, stepDB: Float = 0.05, binCount = 4400  // −200 … +20 dB
        var histogram = [Int32](repeating: 0, count: binCount)
        var total = 0
        for r in rms where r > 0 {
            let bin = Int(((20 * log10(r) - lowDB) / stepDB).rounded(.down))
            histogram[max(0, min(binCount - 1, bin))] += 1
            total += 1
        }
        guard total > 0 else { return 0 }
        let wanted = Int((0.99 * Double(total - 1)).rounded(.down)) + 1  // rank of the 99th percentile
        var seen = 0
        for b in 0..<binCount {
            seen += Int(histogram[b])
            if seen >= wanted { return pow(10, Double(lowDB + (Float(b) + 0.5) * stepDB) / 20) }
        }
        return 0
    }
}
