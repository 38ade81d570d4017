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
/// it). Swapping a path's voiced state at i for the unvoiced one changes each of its two
/// transitions by at least −VoicedUnvoicedCost (V→U for V→V, U→U for U→V), so the swap gains at
/// least U − V − 2·VoicedUnvoicedCost. Where that is positive, no path voiced at i is optimal, and
/// without the voiced candidates at i the Viterbi search finds the same path: x < `xLimit` below.
///
/// `loud` is only known when the frames are decoded, so the gate compares with a lower bound of it
/// from the frames seen so far: `FrameRMSHistogram.percentile99` is the centre of the first bin at
/// which the count from below reaches rank w(T) = ⌊0.99·(T − 1)⌋ + 1 of T frames with energy, so it
/// is at least the centre of bin b whenever more than T − w(T) frames lie in bins ≥ b. T − w(T)
/// never falls as T grows, and the frames a path is chosen over end at most 2 chunks and the
/// context after the frame (`PitchTracker.decode`), so counting against that T holds for every frame
/// still to come.
struct QuietFrameGate {
    /// x below which a frame cannot be voiced, with 0.02 of margin for rounding (≤ 0: never).
    let xLimit: Double
    /// RMS per unit of `loud` at which x = `xLimit` (0: the gate is off).
    let rmsPerLoud: Float
    /// Frames after the current one over which a path may yet be chosen (2 chunks + context + 1).
    let horizonFrames: Int
    /// RMS bins (`FrameRMSHistogram.bin`) of every frame with energy so far.
    private var bins = [Int32](repeating: 0, count: FrameRMSHistogram.binCount)
    /// Frames with energy so far, and those in bins ≥ `cursor`.
    private var total = 0
    private var cursor = 0
    private var atOrAboveCursor = 0
    /// The bin whose centre bounds `loud` from below (−1: none yet).
    private var boundBin = -1
    /// RMS below which the next frame is skipped (0 until enough frames are loud).
    private(set) var thresholdRMS: Float = 0

    init(settings: PitchSettings, hopSeconds: Double, chunkFrames: Int, contextFrames: Int, enabled: Bool = true) {
        let stepCorrection = 0.01 / hopSeconds  // as `PitchPath`
        let strongestVoiced = 1 + settings.octaveCost * (log2(settings.maximumF0Hz / settings.minimumF0Hz) + 0.001)
        let limit = settings.voicingThreshold + 2 - strongestVoiced - 2 * settings.voicedUnvoicedCost * stepCorrection - 0.02
        xLimit = limit
        let silenceScale = settings.silenceThreshold / (1 + settings.voicingThreshold)
        rmsPerLoud = enabled && limit > 0 && silenceScale > 0 ? Float(silenceScale * min(limit, 2) * 0.999) : 0
        horizonFrames = 2 * chunkFrames + contextFrames + 1
    }

    /// Adds frame `frameIndex`'s RMS and updates the threshold for the frames after it.
    mutating func add(rms: Float, frameIndex: Int) {
        guard rmsPerLoud > 0 else { return }
        if rms > 0 {
            let b = FrameRMSHistogram.bin(rms: rms)
            bins[b] += 1
            total += 1
            if b >= cursor { atOrAboveCursor += 1 }
        }
        // Frames that must lie at or above the bound's bin: T − w(T) + 1 for the largest T.
        let t = frameIndex + 1 + horizonFrames
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
            thresholdRMS = bound >= 0 ? Float(FrameRMSHistogram.centre(bin: bound)) * rmsPerLoud : 0
        }
    }
}
