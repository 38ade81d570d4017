import DSP
import Foundation

/// Syllable nuclei of one channel: peaks of a vowel-weighted loudness envelope inside speech.
///
/// Method, after de Jong & Wempe (2009), "Praat script to detect syllable nuclei and measure
/// speech rate automatically", Behavior Research Methods 41(2):385–390: a nucleus is a peak of
/// the envelope above (99th percentile − 25 dB), separated from the previous nucleus by a dip of
/// at least `minimumDipDB`. Improvements:
/// - The envelope is not the broadband intensity but the sub-band spectral correlation of
///   Wang & Narayanan (2007), "Robust speaking rate estimation using broad phonetic class
///   recognition", IEEE TASLP 15(8):2190–2201, §II-B: per frame, the mean pairwise product of
///   the `topBandCount` strongest band energies, here of the mel bands covering 454–1579 Hz
///   (the F1/low-F2 region where vowels carry their energy). Fricatives and bursts, which are
///   strong in only one or two high bands, and nasals/laterals, weak above 500 Hz, dip deeply;
///   vowels, strong in several bands at once, peak. The band choice also makes the envelope
///   the same at 8 kHz telephone rate and at wideband rates.
/// - The envelope (as a level, dB) is smoothed with a Gaussian (`smoothingSeconds`) before
///   peak picking, and peaks closer than `minimumNucleusSpacingSeconds` merge into the larger.
/// - Deviation: no separate voicing check (de Jong & Wempe require Praat's pitch to be voiced);
///   the vowel-band envelope stands in for it.
///
/// The envelope is computed per frame from the quantised 0.5 dB mel band levels, one table
/// look-up per band and one log per frame, by `SyllableTracker` while the file streams; the
/// tracker keeps the envelope only until speech activity has finished the frames, and then only
/// the candidate peaks.
public enum SyllableNuclei {
    /// Mel bands of `AnalysisBands` used for the envelope: 454–1579 Hz (bands 2…9).
    static let bands = 2..<10
    /// Strongest bands correlated per frame (Wang & Narayanan 2007 select the top M = 4 or 5).
    static let topBandCount = 4

    /// Times (seconds, frame centres) of the nuclei inside `speech`, ascending, from contours
    /// that kept their band levels (`ChannelFrontEnd(retainBandLevels: true)`; files are
    /// analysed with a `SyllableTracker` instead).
    public static func detect(_ contours: ChannelContours, speech: [Segment],
                              settings: RateSettings = .standard) -> [Double] {
        let bands = AnalysisBands.count
        precondition(contours.bandLevelCodes.count == contours.frameCount * bands,
                     "syllable nuclei from contours need their band levels: ChannelFrontEnd(retainBandLevels: true)")
        let tracker = SyllableTracker(timeBase: contours.timeBase, settings: settings)
        for i in 0..<contours.frameCount { contours.replayBandLevels(frame: i, to: tracker) }
        return tracker.finish(speechRuns: FrameRuns.runs(of: speech, timeBase: contours.timeBase, frameCount: contours.frameCount))
    }

    /// Band-correlation envelope of one frame in dB: half the dB of the mean pairwise product of
    /// the top bands' powers, i.e. their geometric-mean level (Wang & Narayanan 2007, eq. (2)).
    /// Computed for every frame by `SyllableTracker`.
    @inline(__always) static func envelopeDB(bandCodes codes: UnsafePointer<UInt8>, powerOfCode table: UnsafePointer<Float>) -> Float {
        var top = (Float(0), Float(0), Float(0), Float(0))
        for b in bands {
            let p = table[Int(codes[b])]
            // Insert p into the descending top-4.
            if p > top.3 {
                if p > top.0 { top = (p, top.0, top.1, top.2) }
                else if p > top.1 { top = (top.0, p, top.1, top.2) }
                else if p > top.2 { top = (top.0, top.1, p, top.2) }
                else { top.3 = p }
            }
        }
        let sum = top.0 + top.1 + top.2 + top.3
        let sumSquares = top.0 * top.0 + top.1 * top.1 + top.2 * top.2 + top.3 * top.3
        let pairCount = Float(topBandCount * (topBandCount - 1))
        let meanProduct = (sum * sum - sumSquares) / pairCount
        return 0.5 * Decibels.fastFromPower(max(meanProduct, 1e-30))
    }
}

/// Syllable nuclei of one channel found while the file streams (the method: `SyllableNuclei`).
///
/// Attach it to the channel's front end (a `BandLevelObserver`: the envelope of each frame) and
/// to the speech-activity stream (a `SpeechRunObserver`). Once speech activity has finished a
/// stretch of frames, the tracker smooths their envelope, adds the speech frames' values to a
/// 0.1 dB histogram (for the 99th percentile), and keeps each local maximum inside speech with
/// the lowest envelope since the previous one; it then drops their envelope. The threshold needs
/// the whole channel's percentile, so the peak picking with the dip criterion runs on those
/// candidates at the end, exactly as over the whole envelope at once. Memory: the envelope of
/// the frames not yet finished (4 bytes per frame, normally 5 to 10 minutes of them), and 16
/// bytes per candidate (about 10 per second of speech).
public final class SyllableTracker: BandLevelObserver, SpeechRunObserver {
    struct Candidate {
        var frame: Int
        var levelDB: Float
        /// Lowest envelope over the frames after the previous candidate, up to this one.
        var lowestSincePreviousDB: Float
    }

    public let timeBase: TimeBase
    public let settings: RateSettings
    private let radius: Int
    private let kernel: [Float]
    private let powerOfCode = ChannelContours.powerOfCode
    /// Unsmoothed envelope (dB) of frames [envelopeStart, envelopeStart + envelope.count).
    // Per-frame state of a one-task class: no overlapping access, so no runtime exclusivity check (issue 18).
    @exclusivity(unchecked) private var envelope: [Float] = []
    private var envelopeStart = 0
    /// Frames [0, examined) are counted and searched for candidates.
    private var examined = 0
    /// Smoothed envelope of frames examined − 1 and examined (when examined ≥ 1).
    private var previousDB: Float = 0, currentDB: Float = 0
    private var runs: [Range<Int>] = []
    private var runIndex = 0
    private var speechLevels = DecibelHistogram()
    private var candidates: [Candidate] = []
    private var lowestDB = Float.infinity
    /// The channel's frame count, once known (`finish`).
    private var frameCount: Int?

    public init(timeBase: TimeBase, settings: RateSettings = .standard) {
        self.timeBase = timeBase
        self.settings = settings
        let sigmaFrames = settings.smoothingSeconds / timeBase.hopSeconds
        radius = max(1, Int((3 * sigmaFrames).rounded(.up)))
        kernel = (-radius...radius).map { Float(exp(-0.5 * Double($0 * $0) / (sigmaFrames * sigmaFrames))) }
    }

    public func observe(frameIndex: Int, bandCodes: UnsafeBufferPointer<UInt8>, levelDB: Float) {
        precondition(frameIndex == envelopeStart + envelope.count, "frames out of order")
        envelope.append(powerOfCode.withUnsafeBufferPointer {
            SyllableNuclei.envelopeDB(bandCodes: bandCodes.baseAddress!, powerOfCode: $0.baseAddress!)
        })
    }

    public func speechRunsFinal(_ runs: [Range<Int>], before frame: Int, timeBase: TimeBase) {
        self.runs = runs
        examine(before: frame)
        // Keep what the smoothing of the next frames reads.
        let keepFrom = max(envelopeStart, examined - radius - 1)
        envelope.removeFirst(keepFrom - envelopeStart)
        envelopeStart = keepFrom
    }

    /// Ends the channel (every frame seen) with its speech runs; the nuclei's times (frame
    /// centres, seconds), ascending.
    public func finish(speechRuns: [Range<Int>]) -> [Double] {
        runs = speechRuns
        let n = envelopeStart + envelope.count
        frameCount = n
        guard n > 2 else { return [] }
        examine(before: n)
        defer { envelope = []; candidates = [] }
        guard !speechRuns.isEmpty, let p99 = speechLevels.percentile(99) else { return [] }
        let threshold = p99 - Float(settings.thresholdBelowPercentile99DB)
        let dip = Float(settings.minimumDipDB)
        let minSpacing = max(1, Int((settings.minimumNucleusSpacingSeconds / timeBase.hopSeconds).rounded()))
        // Peak picking with the dip criterion: a local maximum becomes a new nucleus when the
        // envelope fell at least `dip` below both it and the previous nucleus in between;
        // otherwise the larger of the two stands for the syllable.
        var nuclei: [Int] = [], levels: [Float] = []
        var runningMin = Float.infinity  // lowest envelope since the last nucleus
        for c in candidates {
            runningMin = min(runningMin, c.lowestSincePreviousDB)
            guard c.levelDB > threshold else { continue }
            let v = c.levelDB
            if let lastLevel = levels.last {
                if lastLevel - runningMin >= dip, v - runningMin >= dip, c.frame - nuclei[nuclei.count - 1] >= minSpacing {
                    nuclei.append(c.frame); levels.append(v)
                    runningMin = v
                } else if v > lastLevel {
                    nuclei[nuclei.count - 1] = c.frame; levels[levels.count - 1] = v
                    runningMin = v
                }
            } else {
                nuclei.append(c.frame); levels.append(v)
                runningMin = v
            }
        }
        return nuclei.map { timeBase.seconds(ofFrame: $0) }
    }

    /// Gaussian-smoothed envelope of frame `j` (kernel truncated at ±3σ, renormalised at the
    /// channel's edges).
    private func smoothedDB(_ j: Int) -> Float {
        let lo = max(0, j - radius), hi = min((frameCount ?? Int.max) - 1, j + radius)
        var s: Float = 0, w: Float = 0
        for k in lo...hi { let kk = kernel[k - j + radius]; s += kk * envelope[k - envelopeStart]; w += kk }
        return s / w
    }

    @inline(__always) private func isSpeech(_ i: Int) -> Bool {
        while runIndex < runs.count && runs[runIndex].upperBound <= i { runIndex += 1 }
        return runIndex < runs.count && runs[runIndex].contains(i)
    }

    /// Counts and searches frames [examined, end): each needs the smoothed envelope of the next
    /// frame, which reads `radius` frames further (or the channel's end, once known).
    private func examine(before end: Int) {
        let available = envelopeStart + envelope.count
        let n = frameCount
        var i = examined
        while i < end {
            if n == nil && i + 1 + radius >= available { break }
            if i == 0 { currentDB = smoothedDB(0) }
            let v = currentDB
            let next: Float = (n == nil || i + 1 < n!) ? smoothedDB(i + 1) : 0
            let speech = isSpeech(i)
            if speech { speechLevels.add(v) }
            if i >= 1, n == nil || i <= n! - 2 {
                if v < lowestDB { lowestDB = v }
                if speech && v >= previousDB && v > next {
                    candidates.append(Candidate(frame: i, levelDB: v, lowestSincePreviousDB: lowestDB))
                    lowestDB = .infinity
                }
            }
            previousDB = v
            currentDB = next
            i += 1
        }
        examined = i
    }
}
