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
    /// highest above their noise floors, each clipped at 30 dB.
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

/// Speech activity of one channel: a per-frame decision and the speech segments.
public struct SpeechActivity: Sendable {
    public var timeBase: TimeBase
    public var isSpeech: [Bool]
    public var segments: [Segment]

    public var speechSeconds: Double { segments.reduce(0) { $0 + $1.durationSeconds } }
}

/// Speech activity from the stored contours (band levels, level, nothing else), in four steps:
///
/// 1. Per-band noise floor (`BandNoiseFloor`: minimum statistics after Martin 2001, lifted to a
///    low percentile for fluctuating noise). Stationary noise, hum and µ-law idle noise sit in it.
/// 2. Frame score: mean of the 4 highest band SNRs (each clipped to 0…30 dB). Speech puts its
///    energy in a few formant bands; white noise fluctuates band by band, babble-like noise
///    rises in all bands alike, so the top bands separate both from speech. Double-threshold
///    hysteresis (onset / continue), as in the classic energy endpointers (Lamel, Rabiner,
///    Rosenberg & Wilpon 1981, IEEE Trans. ASSP 29(4)).
/// 3. Gates: a dynamic range below the loudest nearby frame; tones (≥ 90 % of the in-band power
///    in two adjacent bands: ring-back, DTMF, hum harmonics); in the two-channel entry point,
///    frames that are the other party's leakage (`CrosstalkGate`).
/// 4. Runs: 20 ms hangover, gaps up to `bridgeGapSeconds` bridged, runs shorter than
///    `minimumSpeechSeconds` dropped, and runs of at least `sustainedSoundSeconds` without
///    syllabic dips (< 4 % of the run's frames 6 dB under its median level, or under half its median score) rejected as
///    music: speech dips between syllables at 2–8 Hz (Houtgast & Steeneken 1985, JASA 77(3),
///    the speech modulation spectrum peaking near 4 Hz); sustained chords do not.
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
        static let noisyChannelSNRDB: Float = 15
        static let noisyBridgeSeconds = 0.4
        static let noisyTailSeconds = 0.15
    }

    /// Speech activity of one channel on its own.
    public static func detect(_ contours: ChannelContours, settings: SpeechActivitySettings = .standard) -> SpeechActivity {
        var evidence = Evidence(contours, settings: settings)
        return evidence.finish(settings: settings)
    }

    /// Speech activity of two channels of one call (agent and customer), each gated against the
    /// other's leakage (echo or crosstalk): see `CrosstalkGate`. Any other channel count is
    /// judged channel by channel.
    public static func detect(_ channels: [ChannelContours], settings: SpeechActivitySettings = .standard) -> [SpeechActivity] {
        var evidence = channels.map { Evidence($0, settings: settings) }
        if evidence.count == 2, channels[0].frameCount > 0, channels[1].frameCount > 0 {
            let gate = CrosstalkGate(marginDB: Float(settings.crosstalkMarginDB),
                                     bandActiveDB: Float(settings.continueSNRDB))
            let leakage0 = gate.leakage(of: evidence[0], from: evidence[1])
            let leakage1 = gate.leakage(of: evidence[1], from: evidence[0])
            for i in 0..<leakage0.count where leakage0[i] { evidence[0].raw[i] = false }
            for i in 0..<leakage1.count where leakage1[i] { evidence[1].raw[i] = false }
            evidence[0].leakage = leakage0
            evidence[1].leakage = leakage1
        }
        return evidence.indices.map { evidence[$0].finish(settings: settings) }
    }

    /// Per-frame evidence of one channel before the run-level decisions.
    struct Evidence {
        let contours: ChannelContours
        let floorCodes: [UInt8]
        /// Smoothed frame score, dB.
        let score: [Float]
        /// Frame decision after hysteresis and gates, before hangover and run rules.
        var raw: [Bool]
        /// Hysteresis and level gates only (tones included): where sustained sounds are sought.
        let sounding: [Bool]
        /// Frames cleared as the other party's leakage (two-channel entry point; else empty).
        /// A gap holding leakage next to a fragment shorter than `minimumSpeechSeconds` is not
        /// bridged (see `finish`).
        var leakage: [Bool] = []

        init(_ contours: ChannelContours, settings: SpeechActivitySettings) {
            self.contours = contours
            let n = contours.frameCount, bands = AnalysisBands.count
            let floorCodes = BandNoiseFloor().floorCodes(contours)
            self.floorCodes = floorCodes
            var frameScore = [Float](repeating: 0, count: n)
            var concentrated = [Bool](repeating: false, count: n)
            let powerOfCode = (0..<256).map { Float(Decibels.toPower(Double(ChannelContours.dB(forCode: UInt8($0))))) }
            contours.bandLevelCodes.withUnsafeBufferPointer { codes in
                floorCodes.withUnsafeBufferPointer { floors in
                    powerOfCode.withUnsafeBufferPointer { power in
                        for i in 0..<n {
                            // Top-k band SNRs by insertion into a small sorted tuple.
                            var t0: Float = 0, t1: Float = 0, t2: Float = 0, t3: Float = 0
                            var total: Float = 0, bestPair: Float = 0, previous: Float = 0
                            for b in 0..<bands {
                                let code = codes[i * bands + b]
                                let d = min(Constants.clipDB, max(0, 0.5 * (Float(code) - Float(floors[i * bands + b]))))
                                if d > t3 {
                                    if d > t0 { t3 = t2; t2 = t1; t1 = t0; t0 = d }
                                    else if d > t1 { t3 = t2; t2 = t1; t1 = d }
                                    else if d > t2 { t3 = t2; t2 = d }
                                    else { t3 = d }
                                }
                                let p = power[Int(code)]
                                total += p
                                bestPair = max(bestPair, p + previous)
                                previous = p
                            }
                            frameScore[i] = (t0 + t1 + t2 + t3) / Float(Constants.topBandCount)
                            concentrated[i] = total > 0 && bestPair > Constants.toneConcentrationRatio * total
                        }
                    }
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
            let loudest = BandNoiseFloor.slidingMaximum(contours.levelDB, halfWindow: Constants.dynamicRangeHalfWindowFrames)
            let onset = Float(settings.onsetSNRDB), keep = Float(settings.continueSNRDB)
            let range = Float(settings.dynamicRangeDB)
            var mask = [Bool](repeating: false, count: n), loud = mask
            var on = false
            for i in 0..<n {
                on = on ? smoothed[i] > keep : smoothed[i] > onset
                let level = contours.levelDB[i]
                loud[i] = on && level > Constants.absoluteFloorDB && level > loudest[i] - range
                mask[i] = loud[i] && !concentrated[i]
            }
            raw = mask
            sounding = loud
        }

        /// Hangover, bridging, short-run and sustained-sound rules → the activity.
        mutating func finish(settings: SpeechActivitySettings) -> SpeechActivity {
            let n = raw.count
            let hop = contours.timeBase.hopSeconds
            var mask = raw
            // Hangover: dilate by a few frames each side.
            let h = Constants.hangoverFrames
            for r in FrameRuns.runs(raw) {
                for i in max(0, r.lowerBound - h)..<min(n, r.upperBound + h) { mask[i] = true }
            }
            let shortestFrames = Int((settings.minimumSpeechSeconds / hop).rounded())
            FrameRuns.closeGaps(&mask, maxGapFrames: Int((settings.bridgeGapSeconds / hop).rounded()),
                                keepingOpen: leakage, fragmentFrames: shortestFrames)
            FrameRuns.dropShortRuns(&mask, minFrames: shortestFrames)
            // On noisy channels, longer gaps between runs that stand on their own are bridged too,
            // and each run's end is held for the decay that sinks into the noise.
            if isNoisy {
                FrameRuns.closeGaps(&mask, maxGapFrames: Int((Constants.noisyBridgeSeconds / hop).rounded()),
                                    keepingOpen: leakage, fragmentFrames: shortestFrames)
                let tail = Int((Constants.noisyTailSeconds / hop).rounded())
                for r in FrameRuns.runs(mask) { for i in r.upperBound..<min(n, r.upperBound + tail) { mask[i] = true } }
            }
            var sustained = sounding
            FrameRuns.closeGaps(&sustained, maxGapFrames: Int((settings.bridgeGapSeconds / hop).rounded()))
            keepSustainedSounds(&sustained, minimumFrames: Int((settings.sustainedSoundSeconds / hop).rounded()))
            for i in 0..<n where sustained[i] { mask[i] = false }
            return SpeechActivity(timeBase: contours.timeBase, isSpeech: mask,
                                  segments: FrameRuns.segments(mask, timeBase: contours.timeBase))
        }

        /// Whether speech stands < `noisyChannelSNRDB` over the channel's noise (median level of
        /// evidence frames minus median level of the others). Where speech stands well above the
        /// noise, a gap in the evidence is a pause; on a noisy channel the weak stretches of words
        /// (unstressed syllables, voiceless consonants, final decays, typically 20–30 dB under the
        /// vowels) sink into the noise, leaving gaps inside words and cutting utterance ends short,
        /// so gaps up to `noisyBridgeSeconds` are bridged and run ends held `noisyTailSeconds`
        /// (project choices; see docs/accuracy.md).
        var isNoisy: Bool {
            guard let s = Statistics.histogramPercentile(contours.levelDB, 50, mask: raw),
                  let o = Statistics.histogramPercentile(contours.levelDB, 50, mask: raw.map { !$0 }) else { return false }
            return s - o < Constants.noisyChannelSNRDB
        }

        /// Keeps only runs of at least `minimumFrames` whose score hardly ever dips below half its median.
        private func keepSustainedSounds(_ mask: inout [Bool], minimumFrames: Int) {
            var values: [Float] = []
            for r in FrameRuns.runs(mask) {
                guard r.count >= minimumFrames else { for i in r { mask[i] = false }; continue }
                // Dips in level (6 dB under the run's median) and in score (under half its median).
                values.removeAll(keepingCapacity: true)
                values.append(contentsOf: contours.levelDB[r])
                values.sort()
                let dipLevel = values[values.count / 2] - Constants.sustainedDipDB
                values.removeAll(keepingCapacity: true)
                values.append(contentsOf: score[r])
                values.sort()
                let dipScore = 0.5 * values[values.count / 2]
                var levelDips = 0, scoreDips = 0
                for i in r {
                    if contours.levelDB[i] < dipLevel { levelDips += 1 }
                    if score[i] < dipScore { scoreDips += 1 }
                }
                let dips = min(levelDips, scoreDips)
                if Double(dips) >= SpeechActivityDetector.Constants.sustainedDipRatio * Double(r.count) {
                    for i in r { mask[i] = false }
                }
            }
        }
    }
}
