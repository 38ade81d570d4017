import DSP
import Foundation

/// The F0 path through each frame's candidates: a Viterbi search that maximises the summed
/// candidate strengths minus transition costs (Boersma 1993, the path finder; Praat's
/// `Pitch_pathFinder`).
///
/// Local strength of a voiced candidate: R = r(τ) − OctaveCost·log2(MinimumPitch·τ).
/// Unvoiced candidate: R = VoicingThreshold + max(0, 2 − (local/global)/(SilenceThreshold/(1 + VoicingThreshold)))
/// with local = frame RMS and global = 99th percentile of the channel's frame RMS.
/// Transition cost between frames: 0 unvoiced → unvoiced; VoicedUnvoicedCost across a voicing
/// change; OctaveJumpCost·|log2(F1/F2)| between voiced candidates. Both costs are scaled
/// by 0.01 s / hop, as Praat does, so they mean the same at any hop.
enum PitchPath {
    /// How near a candidate must lie to a glided first-pass F0 to pay no range cost there: 1 st.
    /// Both passes choose among the same candidates, so the first pass's own candidate lies within
    /// the half-precision track's rounding (≤ 4 codes) of it; the window admits that one and any
    /// other candidate within 1 st (not fitted: wide enough for the rounding, far narrower than an
    /// octave) and leaves its octaves (4,800 codes away) out.
    static let glideWaiverCodes = Int(PitchCandidates.codesPerOctave / 12)
    /// - Parameter speakerRangeHz: the speaker's plausible range from a first pass; voiced
    ///   candidates outside it pay `settings.speakerRangeCost` per octave outside (nil: no range cost).
    /// - Parameter glideCodes: per frame, 0 or the F0 code (`PitchCandidates.code`) of a first-pass
    ///   frame the first pass glided to above the range's ceiling (`PitchTracker.glidedAboveCeiling`):
    ///   there, candidates within `glideWaiverCodes` of that code pay no range cost above the
    ///   ceiling. The waiver is a fixed property of (frame, candidate), not of the path, so the
    ///   search stays a Viterbi search over node strengths no larger than without a range, with
    ///   the same transition costs (what `QuietFrameGate`'s proof assumes).
    /// - Parameter loudFrameRMS: the silence reference, the 99th percentile of frame RMS
    ///   (`FrameRMSHistogram`) over the recording so far.
    static func choose(_ c: PitchCandidates, timeBase: TimeBase, settings: PitchSettings,
                       speakerRangeHz: ClosedRange<Float>? = nil, glideCodes: [UInt16]? = nil,
                       loudFrameRMS: Double) -> PitchTrack {
        let n = c.frameCount
        let k = c.capacity, states = k + 1  // state 0 = unvoiced, 1…k = candidate j − 1
        var f0Hz = [Float](repeating: 0, count: n)
        guard n > 0 else { return PitchTrack(timeBase: timeBase, f0Hz: f0Hz) }

        let globalRMS = Float(loudFrameRMS)
        let vt = Float(settings.voicingThreshold)
        let silenceScale = Float(settings.silenceThreshold / (1 + settings.voicingThreshold))
        let stepCorrection = 0.01 / timeBase.hopSeconds
        let codesPerOctave = Double(PitchCandidates.codesPerOctave)
        let jumpCostPerCode = Float(settings.octaveJumpCost * stepCorrection / codesPerOctave)
        let voicingCost = Float(settings.voicedUnvoicedCost * stepCorrection)
        let octaveCostPerCode = Float(settings.octaveCost / codesPerOctave)
        let floorCode = Float(PitchCandidates.code(f0Hz: Float(settings.minimumF0Hz)))
        let lowCode = speakerRangeHz.map { Float(PitchCandidates.code(f0Hz: $0.lowerBound)) } ?? 0
        let highCode = speakerRangeHz.map { Float(PitchCandidates.code(f0Hz: $0.upperBound)) } ?? 65535
        let rangeCostPerCode = speakerRangeHz == nil ? 0 : Float(settings.speakerRangeCost / codesPerOctave)
        let strengthScale: Float = 1 / 32767
        let waiverCodes = Float(glideWaiverCodes)
        let glide = speakerRangeHz == nil ? [] : glideCodes ?? []
        precondition(glide.isEmpty || glide.count == n, "one glide code per frame")

        var back = [UInt8](repeating: 0, count: n * states)
        // Running scores (renormalised every frame, so Float keeps its precision over hours) and
        // the previous frame's codes; `states` entries each.
        var previous = [Float](repeating: -.infinity, count: states)
        var current = [Float](repeating: -.infinity, count: states)
        var previousCode = [Float](repeating: 0, count: states)
        var currentCode = [Float](repeating: 0, count: states)
        var lastState = 0

        c.counts.withUnsafeBufferPointer { counts in
        c.codes.withUnsafeBufferPointer { codes in
        c.strengths.withUnsafeBufferPointer { strengths in
        c.rms.withUnsafeBufferPointer { rms in
        glide.withUnsafeBufferPointer { glide in
        back.withUnsafeMutableBufferPointer { back in
        previous.withUnsafeMutableBufferPointer { previous in
        current.withUnsafeMutableBufferPointer { current in
        previousCode.withUnsafeMutableBufferPointer { previousCode in
        currentCode.withUnsafeMutableBufferPointer { currentCode in
            @inline(__always) func unvoicedStrength(_ frame: Int) -> Float {
                guard globalRMS > 0, silenceScale > 0 else { return vt }
                return vt + max(0, 2 - rms[frame] / globalRMS / silenceScale)  // unvoiced strength
            }
            @inline(__always) func voicedStrength(_ frame: Int, _ j: Int, code: Float) -> Float {
                var r = Float(strengths[frame * k + j]) * strengthScale + octaveCostPerCode * (code - floorCode)  // voiced strength with octave cost
                // Above the ceiling: no range cost near a first-pass F0 that glided there.
                var above = code - highCode
                if above > 0, !glide.isEmpty, glide[frame] != 0, abs(code - Float(glide[frame])) <= waiverCodes { above = 0 }
                r -= rangeCostPerCode * max(0, lowCode - code, above)
                return r
            }
            previous[0] = unvoicedStrength(0)
            for j in 0..<Int(counts[0]) {
                let code = Float(codes[j])
                previousCode[j + 1] = code
                previous[j + 1] = voicedStrength(0, j, code: code)
            }
            var prevCount = Int(counts[0])
            for i in 1..<n {
                let count = Int(counts[i])
                let row = i * states
                // Unvoiced state.
                var best = previous[0], arg = 0
                for p in 0..<prevCount where previous[p + 1] - voicingCost > best {
                    best = previous[p + 1] - voicingCost; arg = p + 1
                }
                current[0] = best + unvoicedStrength(i)
                back[row] = UInt8(arg)
                var top = current[0]
                // Voiced states.
                for j in 0..<count {
                    let code = Float(codes[i * k + j])
                    currentCode[j + 1] = code
                    var best = previous[0] - voicingCost, arg = 0
                    for p in 0..<prevCount {
                        let v = previous[p + 1] - abs(code - previousCode[p + 1]) * jumpCostPerCode  // octave-jump cost
                        if v > best { best = v; arg = p + 1 }
                    }
                    let score = best + voicedStrength(i, j, code: code)
                    current[j + 1] = score
                    top = max(top, score)
                    back[row + j + 1] = UInt8(arg)
                }
                // Renormalise so the running sums stay small (precision over hour-long calls).
                for j in 0...count { previous[j] = current[j] - top; previousCode[j] = currentCode[j] }
                prevCount = count
            }
            var bestValue = previous[0]
            for j in 0..<prevCount where previous[j + 1] > bestValue { bestValue = previous[j + 1]; lastState = j + 1 }
        }}}}}}}}}}

        var state = lastState
        for i in stride(from: n - 1, through: 0, by: -1) {
            if state > 0 { f0Hz[i] = PitchCandidates.f0Hz(code: c.code(frame: i, candidate: state - 1)) }
            state = Int(back[i * states + state])
        }
        return PitchTrack(timeBase: timeBase, f0Hz: f0Hz)
    }
}

/// Frame RMS values in 0.05 dB bins from −200 to +20 dBFS, for the silence reference of
/// `PitchPath` (the 99th percentile), accumulated over a whole recording chunk by chunk.
struct FrameRMSHistogram {
    static let lowDB: Float = -200, stepDB: Float = 0.05, binCount = 4400
    private var bins = [Int32](repeating: 0, count: binCount)
    private(set) var total = 0

    mutating func add(_ rms: ArraySlice<Float>) {
        for r in rms { add(rms: r) }
    }

    mutating func add(rms r: Float) {
        guard r > 0 else { return }
        bins[Self.bin(rms: r)] += 1
        total += 1
    }

    /// The bin of a positive frame RMS.
    @inline(__always) static func bin(rms r: Float) -> Int {
        // Truncation, not floor (a libm call without SSE4.1): they differ only below 0, where
        // both give a value ≤ 0 and the clamp makes it 0 (issue 18, sixth round).
        let bin = Int((20 * log10(r) - lowDB) / stepDB)
        return max(0, min(binCount - 1, bin))
    }

    /// The RMS at the centre of bin `b`.
    static func centre(bin b: Int) -> Double {
        pow(10, Double(lowDB + (Float(b) + 0.5) * stepDB) / 20)
    }

    static func + (a: FrameRMSHistogram, b: FrameRMSHistogram) -> FrameRMSHistogram {
        var sum = a
        for k in 0..<binCount { sum.bins[k] += b.bins[k] }
        sum.total += b.total
        return sum
    }

    /// The frames of `a` without those of `b`, which must be among them.
    static func - (a: FrameRMSHistogram, b: FrameRMSHistogram) -> FrameRMSHistogram {
        var difference = a
        for k in 0..<binCount {
            difference.bins[k] -= b.bins[k]
            precondition(difference.bins[k] >= 0, "frame RMS bin \(k): removing frames that were not added")
        }
        difference.total -= b.total
        return difference
    }

    /// The 99th percentile, as RMS (0 when no frame has energy).
    var percentile99: Double {
        guard total > 0 else { return 0 }
        let wanted = Int((0.99 * Double(total - 1)).rounded(.down)) + 1  // rank of the 99th percentile
        var seen = 0
        for b in 0..<Self.binCount {
            seen += Int(bins[b])
            if seen >= wanted { return Self.centre(bin: b) }
        }
        return 0
    }
}
