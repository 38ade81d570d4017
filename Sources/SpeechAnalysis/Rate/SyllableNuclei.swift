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
/// - High front vowels (issue 17): /i/ and /y/ (ü) put F1 under 454 Hz and F2/F3 above
///   2.2 kHz (Peterson & Barney 1952, "Control methods used in a study of the vowels", JASA
///   24(2):175–184), so their energy lies outside the 454–1579 Hz bands and the envelope of a
///   loud /i/ can sit under the nucleus threshold (so do 10.4 % of the loud voiced frames on
///   THCHS-30, against 2.9 % on LJ Speech). A frame whose spectrum has the /i/ shape — a valley between F1 and F2: the
///   two lowest bands (250–454 Hz) at least `highFrontLowOverMidDB` and the strongest of
///   2.2–3.8 kHz at least `highFrontHighOverMidDB` above the vowel-band envelope — takes the
///   larger of that envelope and the same correlation over those four bands. The shape is what
///   keeps other sounds out: a fricative is flat or rising (nothing under 454 Hz stands above
///   the mid bands) and a nasal murmur or voice bar has nothing strong above 2.2 kHz; lifting
///   every weak frame by its low-plus-high correlation instead added nuclei on exactly those
///   (docs/accuracy.md). The threshold, percentile and dip criterion all read the combined
///   envelope.
/// - The envelope (as a level, dB) is smoothed with a Gaussian before peak picking, and peaks
///   closer than `minimumNucleusSpacingSeconds` merge into the larger. The Gaussian's width
///   follows the speaker's rate (issue 17): a fixed width attenuates the envelope's modulation
///   more the faster the syllables come (a Gaussian of standard deviation σ passes modulation at
///   f with gain exp(−2π²σ²f²): σ = 15 ms keeps 75 % of an 8 Hz modulation but only 58 % of an
///   11 Hz one), so the dips between fast syllables fall under `minimumDipDB` and they merge;
///   the fixture readings made 35 % faster (WSOLA) measured 12.5 % under their true counts
///   (median; 5.3 % fewer nuclei than the originals, pooled). The channel is therefore
///   picked once with σ = `smoothingSeconds`, and when its median nucleus-to-nucleus interval d
///   (within inter-pause units) is short, again with σ = `smoothingPerIntervalRatio` · d, so
///   that the smoothing scales with the syllable period as the speech does (`smoothingSeconds`
///   stays the upper bound: slower speech is not smoothed more than before).
/// - The threshold's reference is local (issue 17): de Jong & Wempe take the 99th percentile over
///   the whole file, which assumes one recording level, while an agent's level moves within a call
///   (distance to the microphone, head turns, a headset moved). A frame's threshold is the 99th
///   percentile over the speech within `localReferenceHalfWidthSeconds` minus the same 25 dB,
///   never above the channel's and at most `localReferenceMostBelowDB` under it: the fixture
///   clips joined into one turn lost the weaker vowels of the two clips recorded 10 dB quieter
///   (en_mfa: 57 nuclei of 77 syllables; 65 with the local reference, docs/accuracy.md).
/// - Deviation: no separate voicing check (de Jong & Wempe require Praat's pitch to be voiced);
///   the vowel-band envelope stands in for it.
///
/// The envelope is computed per frame from the quantised 0.5 dB mel band levels, one table
/// look-up per band and one log per frame, by `SyllableTracker` while the file streams; the
/// tracker keeps the envelope only until speech activity has finished the frames, and then only
/// the candidate peaks.
public enum SyllableNuclei {
    /// Mel bands of `AnalysisBands` used for the envelope: 454–1579 Hz (bands 2…9).
    static let bands = 2..<10     // at least 4 (`envelopeDB` takes the top four)
    /// Bands of the high-front-vowel envelope: F1 of /i y/ (250–454 Hz, bands 0…1) and their
    /// F2/F3 (2.2–3.8 kHz, bands 12…15, of which the two strongest).
    static let highFrontLowBands = 0..<2, highFrontHighBands = 12..<16
    /// /i/ shape: how far the mean power of the two lowest bands must stand above the vowel-band
    /// envelope, dB (picked on a grid of 6–20 dB over the fixture sources; held out one source at
    /// a time the picks are 6–15 dB, docs/accuracy.md).
    static let highFrontLowOverMidDB: Float = 15
    /// /i/ shape: how far the strongest 2.2–3.8 kHz band must stand above the vowel-band
    /// envelope, dB (as above, grid 0–15 dB; held-out picks 5–10 dB, set on the mean of the two
    /// strongest bands; since analysisVersion 5 the strongest alone, docs/accuracy.md).
    static let highFrontHighOverMidDB: Float = 10
    /// Strongest bands correlated per frame (Wang & Narayanan 2007 select the top M = 4 or 5).
    static let topBandCount = 4
    /// Smoothing σ per median nucleus-to-nucleus interval: 0.015 s / 0.215 s, i.e. the standard
    /// 15 ms at the median interval of the 27 fixture voices (0.215 s; 0.135–0.34 s), so that the
    /// median voice is smoothed as before and faster ones proportionally less. Derived, not fitted
    /// (docs/accuracy.md gives the leave-one-source-out figures).
    static let smoothingPerIntervalRatio = 0.07
    /// Narrowest smoothing, seconds (the lower end of `RateSettings.smoothingSeconds`).
    static let narrowestSmoothingSeconds = 0.005
    /// Half-width of the window the local nucleus reference reads, seconds. Set leave-one-source-out
    /// on the fixture sources (clean clips, dense turns, the same turns with per-clip gains of
    /// −20…0 dB, tempo 0.8 / 1.35): ±2 s scored best on every held-out source but put issue 17's
    /// pooled 1.35× rate-ratio error over its 4 % target (4.9 %); ±5 s is the narrowest on the grid
    /// (1, 2, 3, 5, 8 s) that keeps it (3.7 %, docs/accuracy.md).
    static let localReferenceHalfWidthSeconds = 5.0
    /// Most the local reference may lie under the channel's, dB: the level steps the fixtures test
    /// (−20…0 dB); further down a window is likely background the speech mask let through (a
    /// THCHS-30 clip counted over its whole length, D4_894, counts 37 of its 31 syllables at ±2 s
    /// without the cap, 30 with it; where the 7 lie was not examined).
    static let localReferenceMostBelowDB = 20.0
    /// Blocks the local reference is kept in, seconds.
    static let localReferenceBlockSeconds = 1.0
    /// Least speech inside the window for a local reference, seconds (one block's worth).
    static let localReferenceMinimumSpeechSeconds = 1.0
    /// Speech runs closer than this join one inter-pause unit when the rate is estimated: a gap
    /// shorter than the standard pause (`PauseSettings.standard`) is not a pause.
    static let unitGapSeconds = PauseSettings.standard.minimumPauseSeconds

    /// Times (seconds, frame centres) of the nuclei inside `speech`, ascending, from contours
    /// that kept their band levels (`ChannelFrontEnd(retainBandLevels: true)`; files are
    /// analysed with a `SyllableTracker` instead).
    public static func detect(_ contours: ChannelContours, speech: [Segment],
                              settings: RateSettings = .standard) -> [Double] {
        detect(contours, speech: speech, settings: settings, localReferenceHalfWidthSeconds: localReferenceHalfWidthSeconds,
               localReferenceMostBelowDB: localReferenceMostBelowDB)
    }

    /// `detect(_:speech:settings:)` with another half-width of the local reference (0: the
    /// channel's reference alone), for studies of that constant.
    static func detect(_ contours: ChannelContours, speech: [Segment], settings: RateSettings,
                       localReferenceHalfWidthSeconds: Double, localReferenceMostBelowDB: Double) -> [Double] {
        let bands = AnalysisBands.count
        precondition(contours.bandLevelCodes.count == contours.frameCount * bands,
                     "syllable nuclei from contours need their band levels: ChannelFrontEnd(retainBandLevels: true)")
        let tracker = SyllableTracker(timeBase: contours.timeBase, settings: settings,
                                      localReferenceHalfWidthSeconds: localReferenceHalfWidthSeconds,
                                      localReferenceMostBelowDB: localReferenceMostBelowDB)
        for i in 0..<contours.frameCount { contours.replayBandLevels(frame: i, to: tracker) }
        return tracker.finish(speechRuns: FrameRuns.runs(of: speech, timeBase: contours.timeBase, frameCount: contours.frameCount))
    }

    /// Band-correlation envelope of one frame in dB: half the dB of the mean pairwise product of
    /// the top bands' powers, i.e. their geometric-mean level (Wang & Narayanan 2007, eq. (2));
    /// on an /i/-shaped frame the larger of that and the same over the high-front-vowel bands.
    /// Computed for every frame by `SyllableTracker`.
    /// `shape` holds the /i/-shape margins as power ratios (`HighFrontShape`); `table` is
    /// `ChannelContours.powerOfCode`, or any table that does not decrease with the code.
    ///
    /// The strongest bands are picked on their codes, branch-free (max/min insertion): the
    /// table does not decrease, so the four largest powers are the powers of the four largest
    /// codes, in the same descending order, and every sum below adds the same values in the same
    /// order as inserting the powers one by one with comparisons (issue 18, sixth round: those
    /// comparisons followed the speech band by band and the branches missed; the insertion is kept
    /// as the twin in `SixthRoundTwinTests`).
    @inline(__always) static func envelopeDB(bandCodes codes: UnsafePointer<UInt8>, powerOfCode table: UnsafePointer<Float>,
                                             shape: HighFrontShape) -> Float {
        // c0 ≥ c1 ≥ c2 ≥ c3: the four largest codes of the vowel bands (there are eight, so the
        // starting zeros never remain unless codes are zero, whose power they then stand for).
        var c0: Int32 = 0, c1: Int32 = 0, c2: Int32 = 0, c3: Int32 = 0
        for b in bands {
            let k = Int32(codes[b])
            let n1 = max(c1, min(c0, k)), n2 = max(c2, min(c1, k)), n3 = max(c3, min(c2, k))
            c0 = max(c0, k); c1 = n1; c2 = n2; c3 = n3
        }
        let top = (table[Int(c0)], table[Int(c1)], table[Int(c2)], table[Int(c3)])
        let sum = top.0 + top.1 + top.2 + top.3
        let sumSquares = top.0 * top.0 + top.1 * top.1 + top.2 * top.2 + top.3 * top.3
        let pairCount = Float(topBandCount * (topBandCount - 1))
        let meanProduct = (sum * sum - sumSquares) / pairCount
        // /i/ shape, compared in power: the vowel-band level is √meanProduct, so a band mean m
        // stands x dB above it when m² ≥ meanProduct · 10^(x/5).
        var h0: Int32 = 0, h1: Int32 = 0                        // the two largest codes of the four
        for b in highFrontHighBands {
            let k = Int32(codes[b])
            h1 = max(h1, min(h0, k)); h0 = max(h0, k)
        }
        let high = (table[Int(h0)], table[Int(h1)])
        let low = (table[Int(codes[highFrontLowBands.lowerBound])], table[Int(codes[highFrontLowBands.lowerBound + 1])])
        // The high side is judged on the strongest band alone: F2/F3 of /i/ span 2.3–3.7 kHz
        // (Peterson & Barney 1952: F3 3010 Hz men, 3310 women, 3730 children), so on wideband
        // audio band 15 (3.38–3.8 kHz) is often the second strongest (35 % of THCHS-30's /i/
        // frames), and the telephone band (300–3400 Hz) removes it; the mean of two then drops
        // while the strongest band (F2) stays (docs/accuracy.md).
        let lowMean = 0.5 * (low.0 + low.1)
        if lowMean * lowMean >= meanProduct * shape.lowOverMidPowerRatio,
           high.0 * high.0 >= meanProduct * shape.highOverMidPowerRatio {
            let iSum = low.0 + low.1 + high.0 + high.1
            let iSumSquares = low.0 * low.0 + low.1 * low.1 + high.0 * high.0 + high.1 * high.1
            let iMeanProduct = (iSum * iSum - iSumSquares) / 12  // 4 bands: 12 ordered pairs
            return 0.5 * Decibels.fastFromPower(max(meanProduct, iMeanProduct, 1e-30))
        }
        return 0.5 * Decibels.fastFromPower(max(meanProduct, 1e-30))
    }
    /// The /i/-shape margins as the power ratios the per-frame test compares: a band mean m stands
    /// x dB above the vowel-band level √meanProduct when m² ≥ meanProduct · 10^(2x/10), so each
    /// ratio is `Decibels.toPower` of twice its dB constant. Derived once per tracker (not per frame).
    struct HighFrontShape {
        let lowOverMidPowerRatio: Float, highOverMidPowerRatio: Float
        init(lowOverMidDB: Float = SyllableNuclei.highFrontLowOverMidDB,
             highOverMidDB: Float = SyllableNuclei.highFrontHighOverMidDB) {
            lowOverMidPowerRatio = Float(Decibels.toPower(2 * Double(lowOverMidDB)))
            highOverMidPowerRatio = Float(Decibels.toPower(2 * Double(highOverMidDB)))
        }
    }
}

/// Syllable nuclei of one channel found while the file streams (the method: `SyllableNuclei`).
///
/// Attach it to the channel's front end (a `BandLevelObserver`: the envelope of each frame) and
/// to the speech-activity stream (a `SpeechRunObserver`). Once speech activity has finished a
/// stretch of frames, the tracker smooths their envelope, adds the speech frames' values to a
/// 0.1 dB histogram (for the 99th percentile) and, per block of 1 s, their count and largest
/// values (the local reference), and keeps each local maximum inside speech with
/// the lowest envelope since the previous one; it then drops their envelope. The threshold needs
/// the whole channel's percentile, so the peak picking with the dip criterion runs on those
/// candidates at the end, exactly as over the whole envelope at once. When the speaker's rate
/// calls for narrower smoothing (see `SyllableNuclei`), the end smooths the kept envelope again
/// and picks once more. Memory: the envelope of the frames not yet finished (4 bytes per frame,
/// normally 5 to 10 minutes of them), the whole envelope at half precision (2 bytes per frame:
/// 0.7 MB per hour of audio), 16 bytes per candidate (about 10 per second of speech), and the local
/// reference's blocks (a count and 12 levels per second of audio, about 0.2 MB per hour).
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
    /// Unsmoothed envelope of every frame, dB, for a second pass with narrower smoothing.
    private var keptEnvelope: [Float16] = []
    private let powerOfCode = ChannelContours.powerOfCode
    private let highFrontShape = SyllableNuclei.HighFrontShape()
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
    /// The local reference's blocks (`SyllableNuclei.localReferenceBlockSeconds` of frames each), in
    /// two flat arrays so that a new block allocates nothing of its own: per block its speech frames'
    /// count, and its `keptPerBlock` largest smoothed speech levels, descending (−∞ where it holds
    /// fewer speech frames).
    private var blockSpeechFrameCounts: [Int32] = []
    private var blockTopLevels: [Float] = []
    private let blockFrames: Int, halfWidthBlocks: Int
    /// Levels kept per block: the top 1 % of a whole window (plus one) lies among its blocks' top values.
    private let keptPerBlock: Int
    private let localReferenceMostBelowDB: Float
    private var candidates: [Candidate] = []
    private var lowestDB = Float.infinity
    /// The channel's frame count, once known (`finish`).
    private var frameCount: Int?

    public convenience init(timeBase: TimeBase, settings: RateSettings = .standard) {
        self.init(timeBase: timeBase, settings: settings,
                  localReferenceHalfWidthSeconds: SyllableNuclei.localReferenceHalfWidthSeconds,
                  localReferenceMostBelowDB: SyllableNuclei.localReferenceMostBelowDB)
    }

    init(timeBase: TimeBase, settings: RateSettings, localReferenceHalfWidthSeconds: Double, localReferenceMostBelowDB: Double) {
        self.localReferenceMostBelowDB = Float(localReferenceMostBelowDB)
        self.timeBase = timeBase
        self.settings = settings
        blockFrames = max(1, Int((SyllableNuclei.localReferenceBlockSeconds / timeBase.hopSeconds).rounded()))
        halfWidthBlocks = Int((localReferenceHalfWidthSeconds / SyllableNuclei.localReferenceBlockSeconds).rounded())
        keptPerBlock = Int((0.01 * Double((2 * halfWidthBlocks + 1) * blockFrames)).rounded(.up)) + 1
        (radius, kernel) = Self.gaussian(sigmaSeconds: settings.smoothingSeconds, hopSeconds: timeBase.hopSeconds)
    }

    /// Gaussian kernel of standard deviation `sigmaSeconds`, truncated at ±3σ.
    static func gaussian(sigmaSeconds: Double, hopSeconds: Double) -> (radius: Int, kernel: [Float]) {
        let sigmaFrames = sigmaSeconds / hopSeconds
        let radius = max(1, Int((3 * sigmaFrames).rounded(.up)))
        return (radius, (-radius...radius).map { Float(exp(-0.5 * Double($0 * $0) / (sigmaFrames * sigmaFrames))) })
    }

    public func observe(frameIndex: Int, bandCodes: UnsafeBufferPointer<UInt8>, levelDB: Float) {
        precondition(frameIndex == envelopeStart + envelope.count, "frames out of order")
        let e = powerOfCode.withUnsafeBufferPointer {
            SyllableNuclei.envelopeDB(bandCodes: bandCodes.baseAddress!, powerOfCode: $0.baseAddress!, shape: highFrontShape)
        }
        envelope.append(e)
        keptEnvelope.append(HalfPrecision.half(e))
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
        defer { envelope = []; candidates = []; keptEnvelope = [] }
        guard !speechRuns.isEmpty, let p99 = speechLevels.percentile(99) else { return [] }
        let threshold = localThresholds(channelThreshold: p99 - Float(settings.thresholdBelowPercentile99DB))
        var nuclei = pick(candidates, threshold: threshold)
        // The speaker's rate: median interval between consecutive nuclei of one inter-pause unit
        // (no gap of `unitGapSeconds` or more between the speech runs that hold them).
        let unitGap = Int((SyllableNuclei.unitGapSeconds / timeBase.hopSeconds).rounded())
        var unitOfRun: [Int] = [], unit = 0
        for (k, run) in speechRuns.enumerated() {
            if k > 0, run.lowerBound - speechRuns[k - 1].upperBound >= unitGap { unit += 1 }
            unitOfRun.append(unit)
        }
        var intervals: [Double] = []
        var r = 0, previous: (frame: Int, unit: Int)? = nil
        for f in nuclei {
            while r < speechRuns.count && speechRuns[r].upperBound <= f { r += 1 }
            guard r < speechRuns.count, speechRuns[r].contains(f) else { continue }
            if let p = previous, p.unit == unitOfRun[r] { intervals.append(Double(f - p.frame) * timeBase.hopSeconds) }
            previous = (f, unitOfRun[r])
        }
        if intervals.count >= 3, let d = Statistics.median(intervals) {
            let sigma = max(SyllableNuclei.narrowestSmoothingSeconds, SyllableNuclei.smoothingPerIntervalRatio * d)
            if sigma < settings.smoothingSeconds - 1e-9 {
                nuclei = pick(rescannedCandidates(smoothingSeconds: sigma, frameCount: n), threshold: threshold)
            }
        }
        return nuclei.map { timeBase.seconds(ofFrame: $0) }
    }

    /// Counts speech frame `frame`, of smoothed level `v`, in its block and keeps `v` if it is among
    /// the block's `keptPerBlock` largest (insertion into the block's descending slots).
    private func addToBlock(frame: Int, levelDB v: Float) {
        let b = frame / blockFrames, kept = keptPerBlock
        while blockSpeechFrameCounts.count <= b {
            blockSpeechFrameCounts.append(0)
            blockTopLevels.append(contentsOf: repeatElement(-Float.infinity, count: kept))
        }
        blockSpeechFrameCounts[b] += 1
        let first = b * kept
        var k = first + kept - 1
        guard v > blockTopLevels[k] else { return }
        blockTopLevels[k] = v
        while k > first && blockTopLevels[k - 1] < blockTopLevels[k] { blockTopLevels.swapAt(k - 1, k); k -= 1 }
    }

    /// The nucleus threshold of each block: the channel's, or lower where the speech within
    /// `SyllableNuclei.localReferenceHalfWidthSeconds` is quieter — the 99th percentile of the
    /// smoothed speech levels of the blocks around it (at least `localReferenceMinimumSpeechSeconds`
    /// of speech) minus `thresholdBelowPercentile99DB`. Never above the channel's threshold.
    private func localThresholds(channelThreshold: Float) -> [Float] {
        let blockCount = blockSpeechFrameCounts.count
        guard halfWidthBlocks > 0, blockCount > 0 else { return [channelThreshold] }
        let below = Float(settings.thresholdBelowPercentile99DB)
        let minimumFrames = Int((SyllableNuclei.localReferenceMinimumSpeechSeconds / timeBase.hopSeconds).rounded())
        var out = [Float](repeating: channelThreshold, count: blockCount)
        var pooled: [Float] = []
        for b in 0..<blockCount {
            let window = max(0, b - halfWidthBlocks)...min(blockCount - 1, b + halfWidthBlocks)
            let n = window.reduce(0) { $0 + Int(blockSpeechFrameCounts[$1]) }
            guard n >= max(1, minimumFrames) else { continue }
            pooled.removeAll(keepingCapacity: true)
            for w in window {   // a block's levels: as many as it holds speech frames, at most `keptPerBlock`
                let first = w * keptPerBlock
                pooled += blockTopLevels[first..<(first + min(keptPerBlock, Int(blockSpeechFrameCounts[w])))]
            }
            pooled.sort(by: >)
            // Rank ⌊0.99 (n − 1)⌋ from the bottom, as `DecibelHistogram.percentile(99)`.
            let fromTop = n - 1 - Int((0.99 * Double(n - 1)).rounded(.down))
            guard fromTop < pooled.count else { continue }
            out[b] = min(channelThreshold, max(channelThreshold - localReferenceMostBelowDB, pooled[fromTop] - below))
        }
        return out
    }

    /// Peak picking with the dip criterion: a local maximum becomes a new nucleus when the
    /// envelope fell at least `minimumDipDB` below both it and the previous nucleus in between
    /// (and lies `minimumNucleusSpacingSeconds` after it); otherwise the larger of the two stands
    /// for the syllable. Returns the nuclei's frames.
    private func pick(_ candidates: [Candidate], threshold: [Float]) -> [Int] {
        let dip = Float(settings.minimumDipDB)
        let minSpacing = max(1, Int((settings.minimumNucleusSpacingSeconds / timeBase.hopSeconds).rounded()))
        var nuclei: [Int] = [], levels: [Float] = []
        var runningMin = Float.infinity  // lowest envelope since the last nucleus
        for c in candidates {
            runningMin = min(runningMin, c.lowestSincePreviousDB)
            guard c.levelDB > threshold[min(c.frame / blockFrames, threshold.count - 1)] else { continue }
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
        return nuclei
    }

    /// Candidates (as `examine` finds them) over the kept envelope of all `frameCount` frames,
    /// smoothed with a Gaussian of `smoothingSeconds` (renormalised at the channel's edges).
    private func rescannedCandidates(smoothingSeconds: Double, frameCount n: Int) -> [Candidate] {
        let (radius, kernel) = Self.gaussian(sigmaSeconds: smoothingSeconds, hopSeconds: timeBase.hopSeconds)
        var smoothed = [Float](repeating: 0, count: n)
        keptEnvelope.withUnsafeBufferPointer { envelope in
            smoothed.withUnsafeMutableBufferPointer { Self.smoothedAll(envelope, radius: radius, kernel: kernel, into: $0) }
        }
        var result: [Candidate] = []
        var lowest = Float.infinity
        runIndex = 0
        for i in 1..<max(1, n - 1) {
            if let c = Self.candidate(frame: i, previousDB: smoothed[i - 1], levelDB: smoothed[i], nextDB: smoothed[i + 1],
                                      isSpeech: isSpeech(i), lowestSincePreviousDB: &lowest) {
                result.append(c)
            }
        }
        return result
    }

    /// The peak test both passes share: frame `frame` is a candidate when it is speech and a local
    /// maximum of the smoothed envelope (≥ the frame before, > the frame after). `lowest` is the lowest
    /// envelope since the previous candidate, this frame included; it restarts after a candidate.
    @inline(__always) private static func candidate(frame: Int, previousDB: Float, levelDB v: Float, nextDB: Float,
                                                    isSpeech: Bool, lowestSincePreviousDB lowest: inout Float) -> Candidate? {
        if v < lowest { lowest = v }
        guard isSpeech && v >= previousDB && v > nextDB else { return nil }
        defer { lowest = .infinity }
        return Candidate(frame: frame, levelDB: v, lowestSincePreviousDB: lowest)
    }

    /// Gaussian-smoothed envelope of frame `j` (kernel truncated at ±3σ, renormalised at the
    /// channel's edges).
    private func smoothedDB(_ j: Int) -> Float {
        Self.smoothed(at: j, frameCount: frameCount ?? Int.max, radius: radius, kernel: kernel) { envelope[$0 - envelopeStart] }
    }

    /// Frame `j` of an envelope (`value` of a frame index) smoothed with `kernel` (±`radius`
    /// frames), the kernel truncated and renormalised at the channel's edges [0, frameCount).
    /// The one smoothing both the streamed pass and the narrower second pass use.
    @inline(__always) static func smoothed(at j: Int, frameCount: Int, radius: Int, kernel: [Float],
                                           _ value: (Int) -> Float) -> Float {
        let lo = max(0, j - radius), hi = min(frameCount - 1, j + radius)
        var s: Float = 0, w: Float = 0
        for k in lo...hi { let kk = kernel[k - j + radius]; s += kk * value(k); w += kk }
        return s / w
    }

    /// `smoothed(at: j, …)` of every frame j of `envelope` (its frame count), into `out`: the
    /// frames whose window lies inside the channel eight at a time, one frame per SIMD8 lane, each
    /// lane adding the same products in the same order as `smoothed` and dividing by the same
    /// weight sum (the whole kernel's, summed in its order), so every value is bit for bit that of
    /// `smoothed` (issue 18, sixth round; twin in `SixthRoundTwinTests`). The frames near the
    /// edges go through `smoothed` itself. Converts the kept envelope 64 frames at a time.
    static func smoothedAll(_ envelope: UnsafeBufferPointer<Float16>, radius r: Int, kernel: [Float],
                            into out: UnsafeMutableBufferPointer<Float>) {
        let n = envelope.count
        precondition(out.count == n && kernel.count == 2 * r + 1)
        @inline(__always) func scalar(_ j: Int) -> Float {
            smoothed(at: j, frameCount: n, radius: r, kernel: kernel) { HalfPrecision.float(envelope[$0]) }
        }
        var j = 0
        while j < min(r, n) { out[j] = scalar(j); j += 1 }
        var wholeWeight: Float = 0
        for k in 0...(2 * r) { wholeWeight += kernel[k] }
        let block = 64, lanes = 8
        var values = [Float](repeating: 0, count: block + 2 * r)
        values.withUnsafeMutableBufferPointer { v in
            kernel.withUnsafeBufferPointer { kernel in
                // Frames j ..< j + count, all with j − r ≥ 0 and their last + r ≤ n − 1.
                while j + lanes - 1 + r <= n - 1 {
                    let count = min(block, (n - r - j) / lanes * lanes)
                    for t in 0..<(count + 2 * r) { v[t] = HalfPrecision.float(envelope[j - r + t]) }
                    let w = SIMD8<Float>(repeating: wholeWeight)
                    for b in stride(from: 0, to: count, by: lanes) {
                        var sum = SIMD8<Float>(repeating: 0)
                        for k in 0...(2 * r) {
                            sum += SIMD8<Float>(repeating: kernel[k]) * UnsafeRawPointer(v.baseAddress! + b + k).loadUnaligned(as: SIMD8<Float>.self)
                        }
                        UnsafeMutableRawPointer(out.baseAddress! + j + b).storeBytes(of: sum / w, as: SIMD8<Float>.self)
                    }
                    j += count
                }
            }
        }
        while j < n { out[j] = scalar(j); j += 1 }
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
            if speech { speechLevels.add(v); if halfWidthBlocks > 0 { addToBlock(frame: i, levelDB: v) } }
            if i >= 1, n == nil || i <= n! - 2,
               let c = Self.candidate(frame: i, previousDB: previousDB, levelDB: v, nextDB: next, isSpeech: speech,
                                      lowestSincePreviousDB: &lowestDB) {
                candidates.append(c)
            }
            previousDB = v
            currentDB = next
            i += 1
        }
        examined = i
    }
}
