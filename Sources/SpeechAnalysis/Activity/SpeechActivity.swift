import DSP

/// Settings of the speech-activity detector.
public struct SpeechActivitySettings: Sendable, Codable, Equatable {
    /// Shortest speech segment kept, seconds (0.02…0.5; default 0.1: shorter bursts are clicks).
    public var minimumSpeechSeconds: Double
    /// Gaps up to this long inside speech are bridged, seconds (0…0.5; default 0.2: stop
    /// closures and weak consonants between syllables, which sink into the noise on noisy calls;
    /// below the 0.25 s shortest pause counted by default).
    public var bridgeGapSeconds: Double
    /// Band SNR that starts speech, dB (4…30; default 12): mean of the 4 bands that stand
    /// highest above their noise floors, each clipped at 30 dB; 3 dB lower where the noise is steady.
    public var onsetSNRDB: Double
    /// Band SNR that keeps speech going once started, dB (2…20; default 6; hysteresis).
    public var continueSNRDB: Double
    /// Frames more than this below the loudest frame within ±3 s are not speech, dB
    /// (20…80; default 40: breaths and room tails of clean recordings).
    public var dynamicRangeDB: Double
    /// A sound without syllabic dips that lasts at least this long is music or a tone, not
    /// speech, seconds (2…60; default 4).
    public var sustainedSoundSeconds: Double
    /// Two-channel use: a frame whose bands match the other channel's, at least this much
    /// quieter, is leakage of the other party, dB (3…30; default 6).
    public var crosstalkMarginDB: Double

    public static let standard = try! SpeechActivitySettings()

    public init(minimumSpeechSeconds: Double = 0.1, bridgeGapSeconds: Double = 0.2,
                onsetSNRDB: Double = 12, continueSNRDB: Double = 6, dynamicRangeDB: Double = 40,
                sustainedSoundSeconds: Double = 4, crosstalkMarginDB: Double = 6) throws {
        try SettingsError.check("minimumSpeechSeconds", minimumSpeechSeconds, in: 0.02...0.5)
        try SettingsError.check("bridgeGapSeconds", bridgeGapSeconds, in: 0...0.5)
        try SettingsError.check("onsetSNRDB", onsetSNRDB, in: 4...30)
        try SettingsError.check("continueSNRDB", continueSNRDB, in: 2...20)
        try SettingsError.check("dynamicRangeDB", dynamicRangeDB, in: 20...80)
        try SettingsError.check("sustainedSoundSeconds", sustainedSoundSeconds, in: 2...60)
        try SettingsError.check("crosstalkMarginDB", crosstalkMarginDB, in: 3...30)
        guard continueSNRDB <= onsetSNRDB else {
            throw SettingsError(name: "continueSNRDB", value: continueSNRDB, allowed: 2...onsetSNRDB)
        }
        self.minimumSpeechSeconds = minimumSpeechSeconds
        self.bridgeGapSeconds = bridgeGapSeconds
        self.onsetSNRDB = onsetSNRDB
        self.continueSNRDB = continueSNRDB
        self.dynamicRangeDB = dynamicRangeDB
        self.sustainedSoundSeconds = sustainedSoundSeconds
        self.crosstalkMarginDB = crosstalkMarginDB
    }
}

/// Speech activity of one channel: its speech segments, and the frames they cover.
public struct SpeechActivity: Sendable {
    public var timeBase: TimeBase
    /// Frames of the channel.
    public var frameCount: Int
    /// Runs of speech frames, half-open absolute frame ranges, ascending.
    public var speechRuns: [Range<Int>]
    public var segments: [Segment]

    public init(timeBase: TimeBase, frameCount: Int, speechRuns: [Range<Int>]) {
        self.timeBase = timeBase
        self.frameCount = frameCount
        self.speechRuns = speechRuns
        segments = FrameRuns.segments(speechRuns, timeBase: timeBase)
    }

    /// The decision per frame (made on demand: the activity keeps only its runs).
    public var isSpeech: [Bool] {
        var mask = [Bool](repeating: false, count: frameCount)
        for r in speechRuns { for i in r { mask[i] = true } }
        return mask
    }

    public var speechSeconds: Double { segments.reduce(0) { $0 + $1.durationSeconds } }
}

/// Speech activity from the band levels and the level of each frame, in four steps:
///
/// 1. Per-band noise floor (`BandNoiseFloor`: minimum statistics after Martin 2001, lifted to a
///    low percentile for fluctuating noise). Stationary noise, hum and µ-law idle noise sit in it.
/// 2. Frame score: mean of the 4 highest band SNRs (each clipped to 0…30 dB). Speech puts its
///    energy in a few formant bands; white noise fluctuates band by band, babble-like noise
///    rises in all bands alike, so the top bands separate both from speech. Double-threshold
///    hysteresis (onset / continue), as in the classic energy endpointers (Lamel, Rabiner,
///    Rosenberg & Wilpon 1981, IEEE Trans. ASSP 29(4)). The onset threshold is set so that the
///    noise alone rarely reaches it (the constant-false-alarm idea of detection theory): the
///    default is for fluctuating noise (babble); where the noise is steady — the floor's
///    percentile stands within `Constants.steadyNoiseLiftDB` of its minimum — noise-only frames
///    score lower, and the onset is `Constants.steadyNoiseOnsetReliefDB` lower.
/// 3. Gates: a dynamic range below the loudest nearby frame; tones (≥ 90 % of the in-band power
///    in two adjacent bands: ring-back, DTMF, hum harmonics); in the two-channel entry point,
///    frames that are the other party's leakage (`CrosstalkGate`).
/// 4. Runs: 20 ms hangover, gaps up to `bridgeGapSeconds` bridged — except a gap holding frames
///    the crosstalk gate cleared as leakage next to a run shorter than `minimumSpeechSeconds`:
///    that is the other party talking with a few frames the frame-wise gate let through, and
///    bridging it would start this party's turn on the other's echo —, runs shorter than
///    `minimumSpeechSeconds` dropped, and runs of at least `sustainedSoundSeconds` without
///    syllabic dips (< 4 % of the run's frames 6 dB under its median level and under half its
///    median score, or 10 dB under its median level) rejected as
///    music: speech dips between syllables at 2–8 Hz (Houtgast & Steeneken 1985, JASA 77(3),
///    the speech modulation spectrum peaking near 4 Hz); sustained chords do not. What such a
///    sound leaves of a speech run, if shorter than `minimumSpeechSeconds`, is dropped too.
///
/// Steps 1–3 look at most `Constants.lookaroundFrames` frames either side of a frame (and carry
/// one bit, the hysteresis state, from frame to frame), so they run while the file streams
/// (`SpeechActivityStream`) on a bounded window of band levels; their per-frame outcome (9 bytes
/// per frame) is kept only until step 4, which needs whole runs, has finished the frames
/// (`Evidence`: piece by piece at quiet stretches in long calls).
public enum SpeechActivityDetector {
    enum Constants {
        static let topBandCount = 4
        static let clipDB: Float = 30
        static let scoreSmoothingFrames = 3
        static let hangoverFrames = 2
        static let absoluteFloorDB: Float = -75      // below this nothing is speech (dBFS in band)
        static let dynamicRangeHalfWindowFrames = 300
        static let toneConcentrationRatio: Float = 0.9
        static let sustainedDipRatio = 0.04
        static let sustainedDipDB: Float = 6
        static let deepDipDB: Float = 10
        static let noisyChannelSNRDB: Float = 15
        static let noisyBridgeSeconds = 0.4
        /// Set against AMI turn ends (padded 0–0.6 s after the speech). On exact truth under white
        /// noise at 10 dB the phrase-final decay lost in the noise is 0.04–0.06 s on Japanese and
        /// Mandarin ends, 0.09–0.13 s on English ones (median per source), so 0.15 s overshoots
        /// the former (docs/accuracy.md "Turn-taking", `LatencyNoiseStudy`).
        static let noisyTailSeconds = 0.15
        static let fragmentBelowDB: Float = 20
        /// Where the noise is steady — the floor's percentile lies at most this far over its
        /// biased minimum, on average over the bands (`BandNoiseFloor`) — the onset threshold is
        /// `steadyNoiseOnsetReliefDB` lower. Measured on the 26 channels of the 13 fixture calls
        /// (mean band lift, median per channel): hum, white, pink and line-floor noise 0.5–1.3 dB,
        /// babble 3.1–4.9 dB (5th percentile ≥ 1.7 dB); 1.5 dB lies between them. Set on the
        /// English/mixed calls alone it is 1.5 dB, on the Japanese and Mandarin alone 2.0 dB, on
        /// all but one steady noise type 1.5 dB (docs/accuracy.md, the hold-out table); on noises
        /// of known class (`SteadyNoiseLiftTests`) steady ones stay ≤ 1.03 dB (95th percentile),
        /// babble and syllable-rate modulated noise ≥ 6.2 dB (5th percentile).
        static let steadyNoiseLiftDB: Float = 1.5
        /// In steady noise the score of noise-only frames stays under 6.6 dB (99.9th percentile,
        /// 16 steady-noise call channels, at 5–30 dB SNR alike: the score is relative to the
        /// floor), in babble it reaches 11 dB: the 12 dB onset is set for babble. Lowered by 3 dB
        /// (to 9 with the default settings, never under the continue threshold), soft syllables
        /// of 8–12 dB start speech in steady noise, still 2.4 dB over any noise-only frame. The
        /// same 3 dB comes out of every hold-out split (by language, by noise type, by call).
        static let steadyNoiseOnsetReliefDB: Float = 3
        /// Frames either side of a frame that steps 1–3 read, with a margin of 8: a frame's
        /// floors read ±300 frames of band levels (percentile window; the minimum reads ±150 of a
        /// 5-frame smoothing; the dynamic range ±300 frames of level), its score ±1 frame of
        /// floors, and the crosstalk gate the other channel's score and floors up to the echo
        /// delay + 1 frame earlier (340 frames with the constants as they are).
        static let lookaroundFrames: Int = {
            let floor = BandNoiseFloor()
            let floorReach = max(floor.percentileHalfWindowFrames, floor.minimumHalfWindowFrames + floor.smoothingFrames / 2,
                                 dynamicRangeHalfWindowFrames)
            return floorReach + scoreSmoothingFrames / 2 + CrosstalkGate.maximumLagFrames + 1 + 8
        }()
        /// Frames decided per step of the stream (5 minutes at a 10 ms hop). The stream keeps at
        /// most 2 chunks plus the look-around, so a call up to 10 minutes is decided in one piece.
        static let chunkFrames = 30_000
    }

    /// Speech activity of one channel on its own, from contours that retained their band levels
    /// (`ChannelFrontEnd(retainBandLevels: true)`).
    public static func detect(_ contours: ChannelContours, settings: SpeechActivitySettings = .standard) -> SpeechActivity {
        detect([contours], settings: settings)[0]
    }

    /// Speech activity of two channels of one call (agent and customer), each gated against the
    /// other's leakage (echo or crosstalk): see `CrosstalkGate`. Any other channel count is
    /// judged channel by channel. The contours must have retained their band levels; files are
    /// analysed with `SpeechActivityStream` instead, which needs no stored band levels.
    public static func detect(_ channels: [ChannelContours], settings: SpeechActivitySettings = .standard) -> [SpeechActivity] {
        detect(channels, settings: settings, chunkFrames: Constants.chunkFrames)
    }

    static func detect(_ channels: [ChannelContours], settings: SpeechActivitySettings, chunkFrames: Int,
                       fixedEchoLagFrames: Int? = nil, finishAfterFrames: Int? = nil, forcedCutFrames: Int? = nil,
                       pieceEnds: UnsafeMutablePointer<[[Int]]>? = nil, steadyNoiseReliefDB: Float? = nil,
                       noisyTailSeconds: Double? = nil) -> [SpeechActivity] {
        guard let first = channels.first else { return [] }
        let bands = AnalysisBands.count
        precondition(channels.allSatisfy { $0.bandLevelCodes.count == $0.frameCount * bands },
                     "speech activity from contours needs their band levels: ChannelFrontEnd(retainBandLevels: true)")
        let stream = SpeechActivityStream(timeBase: first.timeBase, channelCount: channels.count, settings: settings,
                                          chunkFrames: chunkFrames)
        stream.fixedEchoLagFrames = fixedEchoLagFrames
        if let steadyNoiseReliefDB { stream.steadyNoiseReliefDB = steadyNoiseReliefDB }
        if let noisyTailSeconds { stream.noisyTailSeconds = noisyTailSeconds }
        if let finishAfterFrames { stream.finishAfterFrames = finishAfterFrames }
        if let forcedCutFrames { stream.forcedCutFrames = forcedCutFrames }
        let inputs = channels.indices.map { stream.input(channel: $0) }
        let n = channels.map(\.frameCount).max() ?? 0
        for i in 0..<n {
            for c in channels.indices where i < channels[c].frameCount { channels[c].replayBandLevels(frame: i, to: inputs[c]) }
        }
        defer { pieceEnds?.pointee = stream.pieceEnds }
        return stream.finish()
    }

    /// Steps 1–3 on a window of consecutive frames of one channel: floors, score, and the
    /// decisions before the run rules. Exact for frames at least `lookaroundFrames` inside the
    /// window, or whose window edge is the file's edge.
    struct WindowEvidence {
        /// Absolute index of the window's first frame.
        let start: Int
        let floorCodes: [UInt8]
        /// Smoothed frame score, dB.
        let score: [Float]
        /// Frame decision after hysteresis and gates, before hangover and run rules.
        var raw: [Bool]
        /// Hysteresis and level gates only (tones included): where sustained sounds are sought.
        let sounding: [Bool]
        /// How far each frame's level stands over the level gates (the absolute floor and the
        /// dynamic range under the loudest nearby frame), dB: the crosstalk gate asks whether a
        /// frame's own sound, without the bands the other party's leakage fills, still clears them.
        let levelHeadroomDB: [Float]
        /// The hysteresis state just before frame `stateFrame` (absolute), for the next window.
        private(set) var stateBefore = false

        var count: Int { raw.count }

        /// - Parameters:
        ///   - initiallyOn: the hysteresis state before frame `coreStart` (absolute), the first
        ///     frame the caller keeps: the one thing carried from frame to frame, it comes from the
        ///     previous window (`stateBefore`), since frames before `coreStart` are only margin.
        ///   - stateFrame: the frame whose preceding state `stateBefore` records.
        ///   - steadyNoiseReliefDB: how much lower the onset is in steady noise (tests set 0 to
        ///     compare with the full onset everywhere).
        init(start: Int, codes: UnsafeBufferPointer<UInt8>, levelDB: UnsafeBufferPointer<Float>, settings: SpeechActivitySettings,
             powerOfCode power: UnsafeBufferPointer<Float>, coreStart: Int = 0, initiallyOn: Bool = false, stateFrame: Int = -1,
             steadyNoiseReliefDB: Float = Constants.steadyNoiseOnsetReliefDB) {
            self.start = start
            let n = levelDB.count, bands = AnalysisBands.count
            var lift: [Int32] = []
            let floorCodes = BandNoiseFloor().floorCodes(codes, frameCount: n, lift: &lift)
            self.floorCodes = floorCodes
            var frameScore = [Float](repeating: 0, count: n)
            var concentrated = [Bool](repeating: false, count: n)
            floorCodes.withUnsafeBufferPointer { floors in
                for i in 0..<n {
                    var total: Float = 0, bestPair: Float = 0, previous: Float = 0
                    for b in 0..<bands {
                        let p = power[Int(codes[i * bands + b])]
                        total += p
                        bestPair = max(bestPair, p + previous)
                        previous = p
                    }
                    frameScore[i] = Self.topBandScore(codes.baseAddress! + i * bands, floors: floors.baseAddress! + i * bands)
                    concentrated[i] = total > 0 && bestPair > Constants.toneConcentrationRatio * total
                }
            }
            // Centred moving average of the score.
            var smoothed = [Float](repeating: 0, count: n)
            let half = Constants.scoreSmoothingFrames / 2
            for i in 0..<n {
                var s: Float = 0
                for j in (i - half)...(i + half) { s += frameScore[min(n - 1, max(0, j))] }
                smoothed[i] = s / Float(Constants.scoreSmoothingFrames)
            }
            score = smoothed
            // Hysteresis and gates.
            let loudest = BandNoiseFloor.slidingMaximum(levelDB, halfWindow: Constants.dynamicRangeHalfWindowFrames)
            let onset = Float(settings.onsetSNRDB), keep = Float(settings.continueSNRDB)
            let steadyOnset = max(keep, onset - steadyNoiseReliefDB)
            let steadyLift = Int32(Constants.steadyNoiseLiftDB * 2 * Float(bands))
            let range = Float(settings.dynamicRangeDB)
            var mask = [Bool](repeating: false, count: n), loud = mask
            var headroom = [Float](repeating: 0, count: n)
            var on = false
            for i in 0..<n {
                if i == coreStart - start { on = initiallyOn }
                if i == stateFrame - start { stateBefore = on }
                on = on ? smoothed[i] > keep : smoothed[i] > (lift[i] <= steadyLift ? steadyOnset : onset)
                let level = levelDB[i]
                loud[i] = on && level > Constants.absoluteFloorDB && level > loudest[i] - range
                mask[i] = loud[i] && !concentrated[i]
                headroom[i] = min(level - Constants.absoluteFloorDB, level - (loudest[i] - range))
            }
            raw = mask
            sounding = loud
            levelHeadroomDB = headroom
        }

        /// The high byte of each 16-bit lane (a logical shift: the bytes are unsigned).
        @inline(__always) static func highBytes(_ v: SIMD8<Int16>) -> SIMD8<Int16> {
            unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt16>.self) &>> 8, to: SIMD8<Int16>.self)
        }

        /// Mean of the `topBandCount` largest band SNRs of one frame, dB, each clipped to 0…`clipDB`.
        ///
        /// A band's SNR is half its code's lead over the floor code (0.5 dB steps), so in half-dB
        /// steps it is an integer 0…60: the four largest are kept in a sorted quadruple by
        /// branch-free insertion (max/min, no data-dependent branches: which band is among the
        /// top four is not predictable), and their sum, an integer, is exact in Float, so the
        /// score is bit for bit that of inserting the dB values one by one with comparisons
        /// (`SpeedTwinTests`).
        @inline(__always)
        static func topBandScore(_ codes: UnsafePointer<UInt8>, floors: UnsafePointer<UInt8>) -> Float {
            // The 16 clipped steps at once, by vector arithmetic only (issue 18: written as
            // min/max per band, the compiler branched on the clamps, which follow speech and noise
            // band by band). The 16 codes are loaded as 8 pairs, the even bands in the low bytes
            // and the odd in the high (the top four do not depend on the order they are met in);
            // max(0, d) = d & ~(d >> 15) and min(60, k) = 60 + (e & (e >> 15)) with e = k − 60.
            precondition(AnalysisBands.count == 16, "16 bands, two vectors of 8")
            typealias V = SIMD8<Int16>
            let clipHalfDB = V(repeating: Int16(2 * Constants.clipDB))
            let c = unsafeBitCast(UnsafeRawPointer(codes).loadUnaligned(as: SIMD8<UInt16>.self), to: V.self)
            let f = unsafeBitCast(UnsafeRawPointer(floors).loadUnaligned(as: SIMD8<UInt16>.self), to: V.self)
            @inline(__always) func clippedSteps(_ d: V) -> V {
                let k = d & ~(d &>> 15)
                let e = k &- clipHalfDB
                return clipHalfDB &+ (e & (e &>> 15))
            }
            let even = clippedSteps((c & 0xFF) &- (f & 0xFF))
            let odd = clippedSteps(Self.highBytes(c) &- Self.highBytes(f))
            var t0: Int32 = 0, t1: Int32 = 0, t2: Int32 = 0, t3: Int32 = 0     // t0 ≥ t1 ≥ t2 ≥ t3
            @inline(__always) func insert(_ k: Int32) {
                let n1 = max(t1, min(t0, k)), n2 = max(t2, min(t1, k)), n3 = max(t3, min(t2, k))
                t0 = max(t0, k); t1 = n1; t2 = n2; t3 = n3
            }
            for b in 0..<8 { insert(Int32(even[b])); insert(Int32(odd[b])) }
            return Float(t0 + t1 + t2 + t3) * 0.5 / Float(Constants.topBandCount)
        }
    }

    /// The per-frame outcome of steps 1–3 for the frames of one channel not yet final, and step 4.
    ///
    /// Step 4's rules reach a bounded number of frames (`quietFramesAroundCut`), so a stretch at
    /// least twice that long where steps 1–3 found neither speech nor sound separates runs the
    /// rules can never join: the frames before its middle are finished as one piece and only
    /// their speech runs are kept. The one statistic over the whole channel, whether it is
    /// noisy (`isNoisy`), is read from histograms of every frame so far; pieces are finished
    /// only once `finishAfterFrames` frames have been decided (the first 5-minute chunk, which
    /// the stream decides once 10 minutes have arrived), so a call up to 10 minutes is finished
    /// in one piece, with the statistic over all its frames.
    struct Evidence {
        let timeBase: TimeBase
        /// Absolute index of the first frame not yet finished.
        private(set) var start = 0
        /// Per frame from `start`: in-band level, smoothed score, decision, sounding.
        var levelDB: [Float] = []
        var score: [Float16] = []
        var raw: [Bool] = []
        var sounding: [Bool] = []
        /// Frames the crosstalk gate cleared as the other party's leakage (empty on one channel).
        /// A gap holding leakage next to a fragment shorter than `minimumSpeechSeconds` is the
        /// other party talking, not a pause of this one, and is not bridged.
        var leakage: [Bool] = []
        /// Levels of the frames with speech evidence and of the others, every frame so far.
        private var evidenceLevels = DecibelHistogram(), otherLevels = DecibelHistogram()
        /// Speech runs of the finished frames, absolute frame indices, ascending.
        private(set) var runs: [Range<Int>] = []
        /// Where each piece finished so far ended, absolute frame (tests).
        private(set) var pieceEnds: [Int] = []

        /// Frames decided before pieces are finished (5 minutes: the first chunk, decided once 10
        /// minutes have arrived; tests lower it to show the pieces join up).
        var finishAfterFrames = 30_000
        /// Frames a piece may reach without a quiet stretch before it is cut anyway (a channel
        /// that sounds for 10 minutes on end: music, or noise taken as speech).
        var forcedCutFrames = 60_000
        /// How long run ends are held on noisy channels, seconds (tests vary it).
        var noisyTailSeconds = Constants.noisyTailSeconds

        init(timeBase: TimeBase) { self.timeBase = timeBase }

        /// Frames decided so far.
        var frameCount: Int { start + raw.count }

        /// Appends frames `range` (absolute) of a window's evidence, their levels, and which of
        /// them the crosstalk gate found to be leakage (`nil`: none).
        mutating func append(_ w: WindowEvidence, frames range: Range<Int>, levelDB levels: UnsafePointer<Float>,
                             leakage leaked: [Bool]? = nil) {
            precondition(range.lowerBound == frameCount, "evidence appended out of order")
            let local = (range.lowerBound - w.start)..<(range.upperBound - w.start)
            raw.append(contentsOf: w.raw[local])
            score.reserveCapacity(score.count + local.count)
            for i in local { score.append(HalfPrecision.half(w.score[i])) }
            sounding.append(contentsOf: w.sounding[local])
            if let leaked { leakage.append(contentsOf: leaked) }  // two channels only; empty otherwise
            levelDB.append(contentsOf: UnsafeBufferPointer(start: levels, count: range.count))
            for (k, i) in local.enumerated() {
                if w.raw[i] { evidenceLevels.add(levels[k]) } else { otherLevels.add(levels[k]) }
            }
        }

        /// Frames either side of a cut that must hold neither speech nor sound: more than the
        /// rules of step 4 reach (hangover, both bridgings, the noisy tail, the fragment reach).
        static func quietFramesAroundCut(settings: SpeechActivitySettings, hopSeconds hop: Double) -> Int {
            Constants.hangoverFrames + Int((settings.bridgeGapSeconds / hop).rounded())
                + Int((Constants.noisyBridgeSeconds / hop).rounded()) + Int((Constants.noisyTailSeconds / hop).rounded()) + 1
        }

        /// Finishes the frames before the last quiet stretch, once enough frames are decided. A
        /// piece that has grown to `forcedCutFrames` without one is cut in the middle of its
        /// longest quiet stretch in its second half (or, with none, `quietFramesAroundCut`
        /// before its end), where the cut disturbs least; so every forced cut finishes at least
        /// half of `forcedCutFrames`.
        mutating func finishPieces(settings: SpeechActivitySettings) {
            guard frameCount >= finishAfterFrames else { return }
            let q = Self.quietFramesAroundCut(settings: settings, hopSeconds: timeBase.hopSeconds)
            var cut: Int? = nil, quiet = 0
            var longest = 0, longestMiddle = raw.count - q
            var i = raw.count - 1
            while i >= 0 {
                if raw[i] || sounding[i] { quiet = 0 } else {
                    quiet += 1
                    if quiet == 2 * q { cut = i + q; break }
                    let middle = i + quiet / 2
                    if quiet > longest, i + quiet < raw.count, middle >= forcedCutFrames / 2 { longest = quiet; longestMiddle = middle }
                }
                i -= 1
            }
            if cut == nil, raw.count - q >= forcedCutFrames { cut = longestMiddle }
            if let cut, cut > 0 { finishPiece(frames: cut, settings: settings) }
        }

        /// Finishes every remaining frame: the activity of the whole channel.
        mutating func finish(settings: SpeechActivitySettings) -> SpeechActivity {
            let n = frameCount
            if !raw.isEmpty { finishPiece(frames: raw.count, settings: settings) }
            return SpeechActivity(timeBase: timeBase, frameCount: n, speechRuns: runs)
        }

        /// Step 4 on the first `n` pending frames: hangover, bridging, short-run and
        /// sustained-sound rules; their speech runs are kept, the frames dropped.
        private mutating func finishPiece(frames n: Int, settings: SpeechActivitySettings) {
            let hop = timeBase.hopSeconds
            var mask = Array(raw[0..<n])
            let open = leakage.isEmpty ? [] : Array(leakage[0..<n])
            // Hangover: dilate by a few frames each side.
            let h = Constants.hangoverFrames
            for r in FrameRuns.runs(mask) {
                for i in max(0, r.lowerBound - h)..<min(n, r.upperBound + h) { mask[i] = true }
            }
            let shortestFrames = Int((settings.minimumSpeechSeconds / hop).rounded())
            let bridgeFrames = Int((settings.bridgeGapSeconds / hop).rounded())
            let noisy = isNoisy
            if !noisy { dropQuietFragments(&mask, shortestFrames: shortestFrames, reachFrames: bridgeFrames) }
            FrameRuns.closeGaps(&mask, maxGapFrames: bridgeFrames, keepingOpen: open, fragmentFrames: shortestFrames)
            FrameRuns.dropShortRuns(&mask, minFrames: shortestFrames)
            // On noisy channels, longer gaps between runs that stand on their own are bridged too,
            // and each run's end is held for the decay that sinks into the noise.
            if noisy {
                FrameRuns.closeGaps(&mask, maxGapFrames: Int((Constants.noisyBridgeSeconds / hop).rounded()),
                                    keepingOpen: open, fragmentFrames: shortestFrames)
                let tail = Int((noisyTailSeconds / hop).rounded())
                for r in FrameRuns.runs(mask) { for i in r.upperBound..<min(n, r.upperBound + tail) { mask[i] = true } }
            }
            var sustained = Array(sounding[0..<n])
            FrameRuns.closeGaps(&sustained, maxGapFrames: bridgeFrames)
            keepSustainedSounds(&sustained, minimumFrames: Int((settings.sustainedSoundSeconds / hop).rounded()))
            for i in 0..<n where sustained[i] { mask[i] = false }
            // What a sustained sound left of a run may be shorter than a syllable: not speech.
            FrameRuns.dropShortRuns(&mask, minFrames: shortestFrames)
            for r in FrameRuns.runs(mask) {
                let absolute = (start + r.lowerBound)..<(start + r.upperBound)
                // A run cut by a forced cut goes on in the next piece.
                if let last = runs.last, last.upperBound == absolute.lowerBound {
                    runs[runs.count - 1] = last.lowerBound..<absolute.upperBound
                } else {
                    runs.append(absolute)
                }
            }
            levelDB.removeFirst(n)
            score.removeFirst(n)
            raw.removeFirst(n)
            sounding.removeFirst(n)
            if !leakage.isEmpty { leakage.removeFirst(n) }
            start += n
            pieceEnds.append(start)
        }

        /// Clears runs shorter than `shortestFrames` whose loudest frame is more than
        /// `Constants.fragmentBelowDB` under the loudest frame of a longer run within `reachFrames`:
        /// lip and tongue clicks before an utterance, which bridging would join to it.
        private func dropQuietFragments(_ mask: inout [Bool], shortestFrames: Int, reachFrames: Int) {
            let runs = FrameRuns.runs(mask)
            func peak(_ r: Range<Int>) -> Float { levelDB[r].max() ?? -200 }
            for (k, r) in runs.enumerated() where r.count < shortestFrames {
                var neighbour: Float = -200
                if k > 0, r.lowerBound - runs[k - 1].upperBound <= reachFrames, runs[k - 1].count >= shortestFrames {
                    neighbour = max(neighbour, peak(runs[k - 1]))
                }
                if k + 1 < runs.count, runs[k + 1].lowerBound - r.upperBound <= reachFrames, runs[k + 1].count >= shortestFrames {
                    neighbour = max(neighbour, peak(runs[k + 1]))
                }
                if peak(r) < neighbour - Constants.fragmentBelowDB { for i in r { mask[i] = false } }
            }
        }

        /// Whether speech stands < `noisyChannelSNRDB` over the channel's noise (median level of
        /// evidence frames minus median level of the others, over every frame so far). Where speech stands well above the
        /// noise, a gap in the evidence is a pause; on a noisy channel the weak stretches of words
        /// (unstressed syllables, voiceless consonants, final decays, typically 20–30 dB under the
        /// vowels) sink into the noise, leaving gaps inside words and cutting utterance ends short,
        /// so gaps up to `noisyBridgeSeconds` are bridged and run ends held `noisyTailSeconds`
        /// (project choices; see docs/accuracy.md).
        var isNoisy: Bool {
            guard let s = evidenceLevels.percentile(50), let o = otherLevels.percentile(50) else { return false }
            return s - o < Constants.noisyChannelSNRDB
        }

        /// Keeps only runs of at least `minimumFrames` without syllabic dips: runs where fewer
        /// than `Constants.sustainedDipRatio` of the frames dip, either both in level
        /// (`Constants.sustainedDipDB` under the run's median) and in score (under half its
        /// median), or deep in level alone (`Constants.deepDipDB` under the median).
        ///
        /// The score is each band's SNR clipped at `Constants.clipDB`, so on a clean recording
        /// (floor near −60 dBFS, or a noise suppressor's output) it sits at the clip through
        /// whole sentences and cannot dip: there the level, which is not clipped, must show the
        /// dips, and deeper ones than on a noisy line, since 6 dB dips alone also come with
        /// chord changes. Measured on runs ≥ 4 s: dense read speech joined from the fixture
        /// utterances, noise-suppressed, dips 10 dB in level in ≥ 16 % of the frames of every run
        /// but in score in only 1–3 % (the score test alone took LJ Speech and THCHS-30 for music,
        /// F1 0.00); the music hold of devcall_mixed_03 dips 6 dB in 5.1 % and 10 dB in 0.5 %
        /// of its frames (and in score in fewer than 4 %), the synthetic music on hold in 0–0.1 %.
        private func keepSustainedSounds(_ mask: inout [Bool], minimumFrames: Int) {
            var values: [Float] = []
            for r in FrameRuns.runs(mask) {
                guard r.count >= minimumFrames else { for i in r { mask[i] = false }; continue }
                values.removeAll(keepingCapacity: true)
                values.append(contentsOf: levelDB[r])
                values.sort()
                let medianLevel = values[values.count / 2]
                values.removeAll(keepingCapacity: true)
                for i in r { values.append(HalfPrecision.float(score[i])) }
                values.sort()
                let dipScore = 0.5 * values[values.count / 2]
                var levelDips = 0, scoreDips = 0, deepDips = 0
                for i in r {
                    if levelDB[i] < medianLevel - Constants.sustainedDipDB { levelDips += 1 }
                    if levelDB[i] < medianLevel - Constants.deepDipDB { deepDips += 1 }
                    if HalfPrecision.float(score[i]) < dipScore { scoreDips += 1 }
                }
                let dips = max(min(levelDips, scoreDips), deepDips)
                if Double(dips) >= SpeechActivityDetector.Constants.sustainedDipRatio * Double(r.count) {
                    for i in r { mask[i] = false }
                }
            }
        }
    }
}
