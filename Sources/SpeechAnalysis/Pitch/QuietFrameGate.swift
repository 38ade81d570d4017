import Foundation

/// Frames too quiet to be voiced on any path `PitchPath` can choose, told apart while the frames
/// stream in, so `PitchTracker` skips their inverse FFT and candidate search (issue 18). A frame
/// it skips is stored with no voiced candidate, which changes no track.
///
/// Why no path is voiced at such a frame i (the costs of `PitchPath`, after Boersma 1993): the
/// unvoiced strength is U = VT + max(0, 2 − x) with x = RMS_i / (loud · SilenceThreshold/(1 + VT)),
/// loud the 99th percentile of frame RMS the path is chosen with; every voiced candidate's strength
/// is at most V = 1 + OctaveCost·log2(MaximumF0/MinimumF0) (a peak of the normalised
/// autocorrelation, reflected at 1, plus the octave bonus; the second pass's range cost only lowers
/// it, and its waiver on glided excursions, `PitchTracker.glidedAboveCeiling`, only takes that
/// lowering back on some (frame, candidate) pairs, fixed before the search from the first-pass
/// track, which is the same gated or not: every node strength stays a function of its frame and
/// candidate alone, ≤ V, and the transitions are unchanged). Swapping a path's voiced state at i
/// for the unvoiced one changes each of its two transitions by at least −VoicedUnvoicedCost (V→U for V→V, U→U for U→V), so the swap gains at
/// least U − V − 2·VoicedUnvoicedCost. Where that is positive, no path voiced at i is optimal, and
/// without the voiced candidates at i the Viterbi search finds the same path: x < `xLimit` below.
///
/// A run of quiet frames (issue 18, eighth round). Let frames a … i each have U_j − V > 0, so
/// x_j < g with g = VT + 2 − V (then x_j < 2 and U_j − V = g − x_j). Take a path voiced at i, its
/// voiced stretch s … e around i, and swap frames p … i, p = max(s, a), to unvoiced, the frames
/// outside p … i kept. Inside, each V→V transition (cost ≥ 0) becomes U→U (0); each strength gains
/// U_j − V_j ≥ g − x_j. At i → i + 1: nothing if e = i (V→U becomes U→U: a gain), else V→V (≥ 0)
/// becomes U→V (VoicedUnvoicedCost): a loss ≤ C, C the cost after the step correction. At p − 1 → p:
/// if s ≥ a, U→V (C) becomes U→U (0), a gain of C, and the swap gains at least Σ_{p…i}(g − x_j) > 0;
/// if s < a (p = a), V→V (≥ 0) becomes V→U (C), and the swap gains at least Σ_{a…i}(g − x_j) − 2C.
/// (No frame after i in the span: that side gains nothing and loses nothing. The run starts again
/// at every span's first frame k·K − ctx, so a is at or after the first frame of every span that
/// holds i: if s < a, frame a − 1 is in the span; if s ≥ a and s is the span's first frame, then
/// s = a, the entry gains nothing, and the swap still gains at least Σ_{a…i}(g − x_j) − C > C.
/// Without that restart a run reaching back over a span's start could let a path voiced from
/// that start to i lose: a review found such a lattice.) So when
/// every frame of a … i has x_j < g and Σ_{a…i}(g − x_j) > 2C, some path unvoiced at i, the same
/// outside p … i, scores more than any path voiced at i — also over every prefix that ends in one
/// state at i + 1, so no Viterbi back pointer at i + 1 points at a voiced state of i, and removing
/// i's voiced candidates changes no score after i and no track. (In real arithmetic: `PitchPath`
/// renormalises its Float scores by each frame's best, which may be a voiced state of i, so the
/// scores after i can shift by a common amount, as with the one-frame test; the twin tests compare
/// the tracks themselves.) The one-frame case a = i is the test above. With the bound
/// R ≤ loud·SilenceThreshold/(1 + VT) (below), x_j ≤ rms_j / R, so the gate asks rms_j < g·R for
/// every frame of the run and Σ rms_j < (m·g − 2C)·R over its m frames, g
/// taken 0.02 lower per frame and 2C 0.02 higher (rounding: `PitchPath` sums in Float; the margin is
/// ≥ 0.02·m + 0.02 against errors of ≈ 10⁻⁶ per frame). Any start a with every frame quiet will do,
/// so when the bound falls and an earlier frame of the run is no longer quiet the run starts again
/// at the frame: fewer frames skipped, never a wrong one. The run's frames are each frame's RMS as
/// the tracker stores it (the spectrum sum for a skipped frame, the inverse FFT's r(0) otherwise),
/// which is what `PitchPath` reads.
///
/// `loud` is only known when the frames are decoded, so the gate compares with a lower bound of it
/// from the frames seen so far: `FrameRMSHistogram.percentile99` is the centre of the first bin at
/// which the count from below reaches rank w(T) = ⌊0.99·(T − 1)⌋ + 1 of T frames with energy, so it
/// is at least the centre of bin b whenever more than T − w(T) frames lie in bins ≥ b. T − w(T)
/// never falls as T grows, so the gate counts against the largest T of a span that holds the frame:
/// the frames 0 … spanEnd − 1 (the reference of `PitchTracker.decode` is every frame before the
/// span's first kept frame and every frame of the span), T ≤ spanEnd. Chunk k (K frames from k·K)
/// is decoded over the span [k·K − ctx, (k + 1)·K + ctx) once the frames reach k·K + 2K + ctx, so
/// the last span, decoded by `finish`, is [m·K − ctx, F) for some m, with F ≤ m·K + 2K + ctx − 1.
/// A frame n lies only in spans with k·K − ctx ≤ n, so every span that holds it has spanEnd ≤
/// `spanEndLimit(n)` = (⌊(n + ctx)/K⌋ + 2)·K + ctx − 1. (Until the eighth round the gate counted
/// against n + 2K + ctx + 1, up to ctx − 2 frames short for the frames of the context before a chunk
/// start; one frame in a hundred is the needed count, so the bound could be one frame short there.)
///
/// Two references are used (`PitchTracker.decode`): `loud` over every frame for the first pass, and
/// the same percentile over the frames the first pass does not find to be a call-progress tone
/// (`PitchTracker.steadyToneFrames`) for the pass that makes the track. The bound counts only frames
/// that cannot be tone frames, so it is at most either reference: whenever more than T − w(T) of
/// them lie in bins ≥ b (T every frame with energy, so at least the T' ≤ T tone-free frames, and
/// T' − w(T') ≤ T − w(T)), more than T − w(T) frames of each set do.
///
/// Which frames can be tone frames, told as they stream in: a tone frame of a first pass is one of a
/// run of ≥ `steadyToneMinimumFrames` voiced frames whose F0 (a half-precision Float of one of the
/// frame's candidates) lies within ±`steadyToneSpanRatio` of the run's first, which lies in
/// `callProgressToneHz`, or one of up to `toneEdgeFrames` frames either side of such a run. So every
/// run frame has a candidate in `toneBandCodes` (that band widened by the span and 0.2 % for the
/// roundings), and all of them in one interval of at most `toneWindowCodes` codes (±1 % is 138.5
/// codes, the half-precision rounding ≤ 3.4 codes either side). The band is covered by windows
/// 2·`toneWindowCodes` wide, one every `toneWindowCodes`, so such an interval lies inside one window,
/// and the run inside a run of ≥ `steadyToneMinimumFrames` consecutive frames with a candidate in
/// that window. The gate counts a run per window and takes every frame of a window run that long,
/// and `toneEdgeFrames` either side, to be a possible tone: never counted. The others are counted
/// once no window run can reach them any more (`settleFrames` later). A frame the gate skipped has
/// no candidate here, where the ungated tracker may see some; it is still no tone frame, since the
/// first pass is the same on both (the bound is at most `loud`) and leaves it unvoiced. This holds
/// for the first pass of every decoded span, whatever its ends, as each of its runs is a run of the
/// whole stream.
struct QuietFrameGate {
    /// x below which a frame cannot be voiced, with 0.02 of margin for rounding (≤ 0: never).
    let xLimit: Double
    /// RMS per unit of `loud` at which x = `xLimit` (0: the gate is off).
    let rmsPerLoud: Float
    /// SilenceThreshold/(1 + VT): x = RMS / (loud · silenceScale).
    let silenceScale: Double
    /// Chunk and context frames of `PitchTracker.decode` (`spanEndLimit`).
    let chunkFrames: Int, contextFrames: Int
    /// g − 0.02 (the run test above) and 2C + 0.02, in units of x.
    let runGainPerFrame: Double, runCost: Double
    /// Silence reference scale SilenceThreshold/(1 + VT) times the bound's RMS (0: no bound): R above.
    private(set) var runScaleRMS: Double = 0
    /// RMS below which a frame may belong to a quiet run: g·R (a little lower, for rounding).
    private(set) var runFrameLimitRMS: Float = 0
    /// The quiet run up to the last frame added: its frames, their RMS sum and largest RMS.
    private(set) var runFrameCount = 0
    private(set) var runSumRMS: Double = 0
    private var runMaxRMS: Float = 0
    /// RMS bins (`FrameRMSHistogram.bin`) of the frames counted so far: frames with energy that
    /// cannot be tone frames, up to `settleFrames` before the current one.
    private var bins = [Int32](repeating: 0, count: FrameRMSHistogram.binCount)
    /// Frames counted so far, and those in bins ≥ `cursor`.
    private var total = 0
    private var cursor = 0
    private var atOrAboveCursor = 0
    /// Candidate codes (`PitchCandidates.code`) a call-progress tone's first-pass F0 can have.
    let toneBandCodes: ClosedRange<UInt16>
    /// Frames after frame i before no candidate run can reach i any more: a run that reaches
    /// `steadyToneMinimumFrames` at frame i + settleFrames takes i in as an edge frame.
    static let settleFrames = PitchTracker.steadyToneMinimumFrames - 1 + PitchTracker.toneEdgeFrames
    /// Frames not yet counted, by frame index modulo `pendingSlots`: their RMS bin (−1: no energy),
    /// and one bit per slot for a possible tone.
    static let pendingSlots = 64
    private var pendingBins = InlineArray<64, Int16>(repeating: -1)
    private var pendingTone: UInt64 = 0
    /// Width of a tone window, in codes, and the number of windows over `toneBandCodes`.
    static let toneWindowCodes = 150
    let toneWindowCount: Int
    /// Per window, consecutive frames up to the current one with a candidate in it; the windows
    /// whose count is not 0, one bit each.
    private var windowRunFrames = InlineArray<64, Int32>(repeating: 0)
    private var activeWindows: UInt64 = 0
    /// The last frame of a candidate run at least `steadyToneMinimumFrames` long so far.
    private var lastLongRunFrameIndex = Int.min / 2
    /// The bin whose centre bounds `loud` from below (−1: none yet).
    private var boundBin = -1
    /// RMS below which the next frame is skipped (0 until enough frames are loud).
    private(set) var thresholdRMS: Float = 0

    init(settings: PitchSettings, hopSeconds: Double, chunkFrames: Int, contextFrames: Int, enabled: Bool = true,
         skipsRuns runs: Bool = true) {
        let stepCorrection = 0.01 / hopSeconds  // as `PitchPath`
        let strongestVoiced = 1 + settings.octaveCost * (log2(settings.maximumF0Hz / settings.minimumF0Hz) + 0.001)
        let limit = settings.voicingThreshold + 2 - strongestVoiced - 2 * settings.voicedUnvoicedCost * stepCorrection - 0.02
        xLimit = limit
        silenceScale = settings.silenceThreshold / (1 + settings.voicingThreshold)
        rmsPerLoud = enabled && limit > 0 && silenceScale > 0 ? Float(silenceScale * min(limit, 2) * 0.999) : 0
        self.chunkFrames = chunkFrames
        self.contextFrames = contextFrames
        runGainPerFrame = runs ? settings.voicingThreshold + 2 - strongestVoiced - 0.02 : 0
        runCost = 2 * settings.voicedUnvoicedCost * stepCorrection + 0.02
        // The band a run's F0 can reach (±span around a first frame in the band), 0.2 % wider for the
        // half-precision track (relative step ≤ 2⁻¹¹) and the code's rounding (≤ ⅛ cent).
        let span = PitchTracker.steadyToneSpanRatio, roundingMargin: Float = 1.002
        let band = PitchTracker.callProgressToneHz
        toneBandCodes = PitchCandidates.code(f0Hz: band.lowerBound * (1 - span) / roundingMargin)
            ... PitchCandidates.code(f0Hz: band.upperBound * (1 + span) * roundingMargin)
        toneWindowCount = (Int(toneBandCodes.upperBound) - Int(toneBandCodes.lowerBound)) / Self.toneWindowCodes + 1
        precondition(Self.settleFrames < Self.pendingSlots, "tone runs too long for the gate's pending frames")
        precondition(toneWindowCount <= 64, "tone band too wide for the gate's windows")
    }

    /// The tone windows (one bit each) holding one of the first `count` codes: window k covers
    /// codes [low + k·W, low + (k + 2)·W), W = `toneWindowCodes`, low = `toneBandCodes`' lower end.
    @inline(__always) func toneWindows(_ codes: UnsafeMutableBufferPointer<UInt16>, count: Int) -> UInt64 {
        var windows: UInt64 = 0
        for j in 0..<count where toneBandCodes.contains(codes[j]) {
            let k = (Int(codes[j]) &- Int(toneBandCodes.lowerBound)) / Self.toneWindowCodes
            windows |= (UInt64(3) << k) >> 1  // windows k − 1 and k
        }
        return windows
    }

    /// Adds frame `frameIndex`'s RMS and its tone windows (`toneWindows`), and updates the threshold
    /// for the frames after it.
    mutating func add(rms: Float, frameIndex: Int, toneWindows windows: UInt64) {
        guard rmsPerLoud > 0 else { return }
        let mask = Self.pendingSlots - 1
        let slot = frameIndex & mask
        pendingBins[slot] = rms > 0 ? Int16(truncatingIfNeeded: FrameRMSHistogram.bin(rms: rms)) : -1
        pendingTone &= ~(UInt64(1) << slot)
        if windows | activeWindows != 0 {
            let long = Int32(PitchTracker.steadyToneMinimumFrames)
            var longest: Int32 = 0, reached = false
            // Runs that end here, then runs that go on or start (one step per window that is set).
            var ended = activeWindows & ~windows
            while ended != 0 {
                windowRunFrames[ended.trailingZeroBitCount] = 0
                ended &= ended &- 1
            }
            var going = windows
            while going != 0 {
                let k = going.trailingZeroBitCount
                let run = windowRunFrames[k] &+ 1
                windowRunFrames[k] = run
                longest = max(longest, run)
                reached = reached || run == long
                going &= going &- 1
            }
            activeWindows = windows
            if longest >= long { lastLongRunFrameIndex = frameIndex }
            if reached {
                // A run just long enough: it and the edge frames before it (those still pending:
                // all but the ones before the stream's start).
                for i in max(0, frameIndex - Self.settleFrames)..<frameIndex { pendingTone |= UInt64(1) << (i & mask) }
            }
        }
        if frameIndex - lastLongRunFrameIndex <= PitchTracker.toneEdgeFrames { pendingTone |= UInt64(1) << slot }
        // The frame no run can reach any more is counted unless it may be a tone.
        let settled = frameIndex - Self.settleFrames
        if settled >= 0 {
            let s = settled & mask
            let b = Int(pendingBins[s])
            if b >= 0, pendingTone & (UInt64(1) << s) == 0 {
                bins[b] += 1
                total += 1
                if b >= cursor { atOrAboveCursor += 1 }
            }
        }
        // Frames that must lie at or above the bound's bin: T − w(T) + 1 for the largest T of the
        // next frame's spans.
        let t = spanEndLimit(frameIndex + 1)
        let needed = t - (Int(0.99 * Double(t - 1)) + 1) + 1   // t ≥ 1: truncation is the floor
        while cursor + 1 < FrameRMSHistogram.binCount, atOrAboveCursor - Int(bins[cursor]) >= needed {
            atOrAboveCursor -= Int(bins[cursor])
            cursor += 1
        }
        while atOrAboveCursor < needed, cursor > 0 {
            cursor -= 1
            atOrAboveCursor += Int(bins[cursor])
        }
        let bound = atOrAboveCursor >= needed ? cursor : -1
        if bound != boundBin {
            boundBin = bound
            let centre = bound >= 0 ? FrameRMSHistogram.centre(bin: bound) : 0
            thresholdRMS = Float(centre) * rmsPerLoud
            runScaleRMS = centre * silenceScale
            runFrameLimitRMS = Float(runScaleRMS * runGainPerFrame * 0.999)
        }
        // The frame joins the quiet run (with the next frame's bound: every frame of a run must be
        // quiet against the bound of the frame it lets skip), or ends it.
        if rms < runFrameLimitRMS {
            if runMaxRMS >= runFrameLimitRMS { endRun() }  // the bound fell
            runFrameCount += 1
            runSumRMS += Double(rms)
            runMaxRMS = max(runMaxRMS, rms)
        } else {
            endRun()
        }
        // A run never reaches back over a span's first frame (k·K − ctx): see the proof above.
        if (frameIndex + 1 + contextFrames) % chunkFrames == 0 { endRun() }
    }

    private mutating func endRun() { runFrameCount = 0; runSumRMS = 0; runMaxRMS = 0 }

    /// Whether the next frame, of RMS `rms`, is skipped: alone (`thresholdRMS`) or with the quiet
    /// run before it (`quietRun`).
    @inline(__always) func skips(rms: Float) -> Bool { rms < thresholdRMS || quietRun(rms: rms) }

    /// Whether the next frame, of RMS `rms`, and the quiet run before it are too quiet together for
    /// any path voiced at the frame (the run test above; the frame itself must be quiet too).
    /// (`add` keeps every frame of the run below `runFrameLimitRMS`.)
    @inline(__always) func quietRun(rms: Float) -> Bool {
        rms < runFrameLimitRMS
            && runSumRMS + Double(rms) < (Double(runFrameCount + 1) * runGainPerFrame - runCost) * runScaleRMS
    }

    /// One more than the last frame of any span that holds frame `n` (see above).
    @inline(__always) func spanEndLimit(_ n: Int) -> Int {
        ((n + contextFrames) / chunkFrames + 2) * chunkFrames + contextFrames - 1
    }
}
