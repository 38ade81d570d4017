import DSP
import Foundation

/// Settings of the filled-pause detector (`FilledPauseDetector`).
public struct FilledPauseSettings: Sendable, Codable, Equatable {
    /// Shortest filled pause, seconds (0.1…1.0; default 0.25). Lengthened "uh"/"嗯"/"えー" last
    /// 200–1000 ms (GUIDELINES.md no-fillers; Shriberg 1994, "Preliminaries to a theory of speech
    /// disfluencies", PhD thesis, UC Berkeley: filled pauses are longer than ordinary vowels).
    /// 0.25 rather than 0.2 is a project choice: held vowels of running speech reach 0.2 s.
    public var minimumSeconds: Double
    /// Longest filled pause, seconds (0.3…3; default 2.0). An "um" is a vowel and a nasal murmur,
    /// and the nasal can be held: the fixture speaker's "um" between two silent pauses lasts 1.3 s
    /// (en_mfa_mcauliffe_um: [ɐ] 0.2 s, [m] 1.0 s; docs/accuracy.md). "um" announces a longer delay
    /// than "uh" (Clark & Fox Tree 2002, Cognition 84, "Using uh and um in spontaneous speaking"),
    /// and filled pauses between two silent pauses are the longest of all (Gósy 2023, Languages
    /// 8(1):79, 2,450 filled pauses). 2 s is a project choice with that margin; what keeps tones
    /// and held notes out is not the length (`minimumSpreadSemitones`, the level and rest tests).
    public var maximumSeconds: Double
    /// Largest F0 step between neighbouring voiced frames inside a filler, semitones (0.1…3; default 0.6):
    /// a held vowel's F0 drifts slowly, running speech moves several semitones per syllable.
    public var maximumStepSemitones: Double
    /// Largest 5th–95th-percentile F0 spread over the whole filler, semitones (0.5…6; default 2):
    /// fillers are flat or gently falling (Shriberg 1994). The 2 st bound is a project choice
    /// (Japanese long vowels, which are not fillers, reach 2–3 st).
    public var maximumSpreadSemitones: Double
    /// Smallest 5th–95th-percentile F0 spread over the whole filler, semitones (0…0.5; default 0.1;
    /// 0 turns the test off). Fillers' F0 is never exactly constant: a spread under 0.1 st (ten
    /// steps of the track's 0.01 st precision) is a machine's tone — a ring-back burst, a steady
    /// synthesised note — not a voice. The voices' fillers measured here spread 0.40–1.68 st (13
    /// detections: the 9 planted fillers found on the fixture calls, 4 real "um"s); ITU-T E.180
    /// ring-back tones and a steady harmonic note spread 0.000 st (docs/accuracy.md, "Long filled
    /// pauses"). Project choice, not fitted; at most 0.5 st, the least `maximumSpreadSemitones`.
    public var minimumSpreadSemitones: Double
    /// Largest spectral-shape change between frames 20 ms apart: mean absolute difference of the 16
    /// band levels after removing their mean difference (the level change), dB (0.5…10; default 2.5). A sustained vowel keeps its formants; syllables in
    /// running speech change band levels by far more within 20 ms. Project choice.
    public var maximumSpectralChangeDB: Double

    /// Gaps between the speaker's speech segments up to this long, with the other party silent,
    /// count as inside the turn, seconds (0…5; default 1.5; project choice).
    public var maximumTurnGapSeconds: Double
    /// Frames more than this below the median level of the speaker's speech frames are not
    /// fillers, dB (3…40; default 15; project choice: fillers sit a few dB below the speech
    /// around them, line hum at 20 dB SNR well below).
    public var levelBelowSpeechDB: Double

    public static let standard = try! FilledPauseSettings()

    public init(minimumSeconds: Double = 0.25, maximumSeconds: Double = 2.0, maximumStepSemitones: Double = 0.6,
                maximumSpreadSemitones: Double = 2, maximumSpectralChangeDB: Double = 2.5,
                maximumTurnGapSeconds: Double = 1.5, levelBelowSpeechDB: Double = 15,
                minimumSpreadSemitones: Double = 0.1) throws {
        try SettingsError.check("maximumTurnGapSeconds", maximumTurnGapSeconds, in: 0...5)
        try SettingsError.check("levelBelowSpeechDB", levelBelowSpeechDB, in: 3...40)
        self.maximumTurnGapSeconds = maximumTurnGapSeconds
        self.levelBelowSpeechDB = levelBelowSpeechDB
        try SettingsError.check("minimumSeconds", minimumSeconds, in: 0.1...1.0)
        try SettingsError.check("maximumSeconds", maximumSeconds, in: 0.3...3.0)
        try SettingsError.check("maximumStepSemitones", maximumStepSemitones, in: 0.1...3)
        try SettingsError.check("maximumSpreadSemitones", maximumSpreadSemitones, in: 0.5...6)
        try SettingsError.check("minimumSpreadSemitones", minimumSpreadSemitones, in: 0...0.5)
        try SettingsError.check("maximumSpectralChangeDB", maximumSpectralChangeDB, in: 0.5...10)
        self.minimumSeconds = minimumSeconds
        self.maximumSeconds = maximumSeconds
        self.maximumStepSemitones = maximumStepSemitones
        self.maximumSpreadSemitones = maximumSpreadSemitones
        self.minimumSpreadSemitones = minimumSpreadSemitones
        self.maximumSpectralChangeDB = maximumSpectralChangeDB
    }

    private enum CodingKeys: String, CodingKey {
        case minimumSeconds, maximumSeconds, maximumStepSemitones, maximumSpreadSemitones, minimumSpreadSemitones,
             maximumSpectralChangeDB, maximumTurnGapSeconds, levelBelowSpeechDB
    }

    /// `minimumSpreadSemitones` of a report stored before it was a setting: analysisVersions 15 and
    /// 16 used this fixed value; versions before 15 had no such test (their reports read it too,
    /// which only matters for provenance: nothing re-runs detection from a stored report's settings).
    public static let storedWithoutMinimumSpreadSemitones = 0.1

    /// Decodes and validates; `minimumSpreadSemitones` may be absent (reports stored before it was a
    /// setting: `storedWithoutMinimumSpreadSemitones`). A value out of range is a decoding error, so
    /// the reader of a stored report says which setting is wrong.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let minimumSpread = try c.decodeIfPresent(Double.self, forKey: .minimumSpreadSemitones)
            ?? Self.storedWithoutMinimumSpreadSemitones
        do {
            try self.init(minimumSeconds: c.decode(Double.self, forKey: .minimumSeconds),
                          maximumSeconds: c.decode(Double.self, forKey: .maximumSeconds),
                          maximumStepSemitones: c.decode(Double.self, forKey: .maximumStepSemitones),
                          maximumSpreadSemitones: c.decode(Double.self, forKey: .maximumSpreadSemitones),
                          maximumSpectralChangeDB: c.decode(Double.self, forKey: .maximumSpectralChangeDB),
                          maximumTurnGapSeconds: c.decode(Double.self, forKey: .maximumTurnGapSeconds),
                          levelBelowSpeechDB: c.decode(Double.self, forKey: .levelBelowSpeechDB),
                          minimumSpreadSemitones: minimumSpread)
        } catch let error as SettingsError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description,
                                                    underlyingError: error))
        }
    }
}

/// Filled pauses ("uh", "嗯", "えー") in one speaker's own turns (JSON `conversation.filledPauses`).
public struct FilledPauses: Sendable, Codable, Equatable {
    public struct Item: Sendable, Codable, Equatable {
        public var start: Double
        public var end: Double
        public var durationSeconds: Double
        /// Median F0 of the filler, Hz.
        public var f0Hz: Double
        /// 95th minus 5th percentile of F0 over the filler, semitones.
        public var pitchSpreadSemitones: Double
    }
    public var count: Int
    /// Summed filler time, seconds.
    public var totalSeconds: Double
    /// Fillers per minute of the speaker's speech time; nil without speech.
    public var perMinuteOfSpeech: Double?
    public var items: [Item]
}

/// Finds filled pauses without a transcript: stretches of sustained voicing whose F0 is flat
/// and whose spectrum is steady, 250–2000 ms long, inside the speaker's speech and not while
/// the other party holds the floor (those are backchannels).
///
/// The acoustic signature follows Shriberg 1994 (PhD thesis, UC Berkeley, ch. 4, "filled pauses":
/// long, monotone or slightly falling F0, stable vowel quality) and the detectors built on it,
/// e.g. Goto, Itou & Hayamizu 1999 ("A real-time filled pause detection system for spontaneous
/// speech recognition", Eurospeech): small F0 transitions and small spectral envelope
/// deformation over a sustained stretch. Deviation: the spectral envelope is the front end's
/// 16 mel band levels compared 20 ms apart, not cepstra; voicing and F0 come from the pitch track.
public enum FilledPauseDetector {
    /// - Parameters:
    ///   - contours, pitch, steadiness: the speaker's front-end contours, F0 track and steady
    ///     frames (same frames; `steadiness` found with `settings`).
    ///   - speech: the speaker's speech segments; `otherSpeech` the other party's (nil for mono).
    public static func detect(contours: ChannelContours, pitch: PitchTrack, steadiness: SteadySpectrum,
                              speech: [Segment], otherSpeech: [Segment]?,
                              settings: FilledPauseSettings = .standard) -> FilledPauses {
        let n = min(contours.frameCount, pitch.frameCount, steadiness.frameCount)
        let tb = pitch.timeBase
        // The speaker's turns: speech plus short gaps the other party leaves silent (a held vowel
        // can be cut from speech activity as a sustained sound, yet it sits inside the turn).
        let other = otherSpeech ?? []
        var turns: [Segment] = []
        for s in speech {
            if let last = turns.last, s.start - last.end <= settings.maximumTurnGapSeconds,
               !other.contains(where: { $0.overlapSeconds(with: Segment(start: last.end, end: s.start)) > 0 }) {
                turns[turns.count - 1].end = s.end
            } else {
                turns.append(s)
            }
        }
        // Frames as runs, not per-frame masks: nothing here grows with the call but the runs.
        let turnFrames = FrameRuns.runs(of: turns, timeBase: tb, frameCount: n)
        var otherHolds = RunCursor(FrameRuns.runs(of: other, timeBase: tb, frameCount: n))
        // Level gate against hum and leakage in the gaps: within `levelBelowSpeechDB` of the
        // median speech-frame level (0.1 dB histogram).
        var speechLevels = DecibelHistogram()
        for r in FrameRuns.runs(of: speech, timeBase: tb, frameCount: n) { for i in r { speechLevels.add(HalfPrecision.float(contours.levelDB[i])) } }
        let levelGateDB = (speechLevels.percentile(50) ?? 0) - Float(settings.levelBelowSpeechDB)
        let lag = steadiness.lagFrames  // 20 ms apart
        // Steady frames, as runs with gaps up to 50 ms closed.
        let maxGap = max(1, Int((0.05 / tb.hopSeconds).rounded()))
        var steadyRuns: [Range<Int>] = []
        for r in turnFrames where r.upperBound > lag {
            for i in max(lag, r.lowerBound)..<r.upperBound where !otherHolds.contains(i) && HalfPrecision.float(contours.levelDB[i]) >= levelGateDB {
                let f = HalfPrecision.float(pitch.f0Hz[i]), fp = HalfPrecision.float(pitch.f0Hz[i - 1])
                guard f > 0, fp == 0 || abs(12 * log2(f / fp)) <= Float(settings.maximumStepSemitones),
                      steadiness.isSteady(frame: i) else { continue }
                if let last = steadyRuns.last, i - last.upperBound <= maxGap {
                    steadyRuns[steadyRuns.count - 1] = last.lowerBound..<(i + 1)
                } else {
                    steadyRuns.append(i..<(i + 1))
                }
            }
        }
        // Pieces of one filler split by a brief dropout (≤ 150 ms) at the same pitch (≤ 1 st apart) are one.
        var runs: [Range<Int>] = []
        let joinFrames = Int((0.15 / tb.hopSeconds).rounded())
        for run in steadyRuns {
            if let last = runs.last, run.lowerBound - last.upperBound <= joinFrames,
               let a = medianSemitones(pitch, last), let b = medianSemitones(pitch, run), abs(a - b) <= 1 {
                runs[runs.count - 1] = last.lowerBound..<run.upperBound
            } else {
                runs.append(run)
            }
        }
        var items: [FilledPauses.Item] = []
        let transitionFrames = Int((transitionSeconds / tb.hopSeconds).rounded())
        let restFrames = Int((restSeconds / tb.hopSeconds).rounded())
        for run in runs {
            let duration = Double(run.count) * tb.hopSeconds
            guard duration >= settings.minimumSeconds, duration <= settings.maximumSeconds,
                  standsAlone(pitch, run, frameCount: n, transitionFrames: transitionFrames, restFrames: restFrames,
                              soundingAfter: { HalfPrecision.float(contours.levelDB[$0]) >= levelGateDB }) else { continue }
            let semitones = run.compactMap { pitch.f0Hz[$0] > 0 ? 12 * log2(Double(pitch.f0Hz[$0])) : nil }.sorted()
            guard semitones.count * 2 >= run.count,
                  let p5 = Statistics.percentile(sorted: semitones, 5), let p95 = Statistics.percentile(sorted: semitones, 95),
                  let median = Statistics.percentile(sorted: semitones, 50),
                  p95 - p5 <= settings.maximumSpreadSemitones, p95 - p5 >= settings.minimumSpreadSemitones else { continue }
            let start = max(0, tb.seconds(ofFrame: run.lowerBound) - tb.hopSeconds / 2)
            let end = tb.seconds(ofFrame: run.upperBound - 1) + tb.hopSeconds / 2
            items.append(.init(start: start, end: end, durationSeconds: end - start,
                               f0Hz: pow(2, median / 12), pitchSpreadSemitones: p95 - p5))
        }
        let speechSeconds = speech.reduce(0) { $0 + $1.durationSeconds }
        let total = items.reduce(0) { $0 + $1.durationSeconds }
        return FilledPauses(count: items.count, totalSeconds: total,
                            perMinuteOfSpeech: speechSeconds > 0 ? Double(items.count) / (speechSeconds / 60) : nil,
                            items: items)
    }

    /// A filler stands alone: "uh", 嗯, えー are a held vowel (or 嗯's nasal) begun from rest and left
    /// again, no syllable runs into it or out of it, and it follows a silent stretch (filled pauses
    /// co-occur with silent pauses: Shriberg 1994, ch. 4; Campione & Véronis 2005, DiSS). A held
    /// vowel of fluent speech — a lengthened final syllable, a Mandarin tone on a long vowel, a
    /// vowel slowed by reading slowly — is part of a syllable and a phrase: voicing runs into it
    /// from the onset consonant or the previous syllable, or on out of it, or an unvoiced consonant
    /// or a stop closure sits just before or after it (issue 17 cause 6; docs/accuracy.md).
    ///
    /// So the voiced stretch holding the run may begin at most `transitionSeconds` before the run
    /// and end at most that after it, with at least `restSeconds` without voicing on either side
    /// ("pauses before and after"). 70 ms: the first frame the detector can call steady lies 60 ms
    /// into a vowel (its 40 ms window and the frame 20 ms earlier both inside it), plus one 10 ms
    /// hop of the voicing decision; the same at the end.
    static let transitionSeconds = 0.07
    /// 200 ms without voicing either side of the filler: silent pauses fall into three classes,
    /// brief (< 200 ms), medium (200–1000 ms) and long (Campione & Véronis 2002, Speech Prosody,
    /// 6000 pauses in 5 languages); brief ones belong to articulation (stop closures, unvoiced
    /// consonants and devoiced morae, gaps between syllables), so a held vowel with one of those
    /// just before or after it is part of a phrase. The start and end of the recording count as rest.
    static let restSeconds = 0.2

    /// Whether `run` is a voiced stretch of its own (see `transitionSeconds`), looking at frames
    /// 0..<`frameCount`. After the run, voicing counts only where `soundingAfter` holds — the frame
    /// is within the level gate of the speaker's speech level — so the fading tail of an "um" (the
    /// pitch track follows a nasal's release 15–20 dB down into the pause) is part of the rest
    /// after it, as the same gate already makes it for the run. Before the run every voiced frame
    /// counts: a faint onset consonant or syllable running into a held vowel makes it part of a
    /// phrase, whatever its level.
    static func standsAlone(_ pitch: PitchTrack, _ run: Range<Int>, frameCount: Int, transitionFrames: Int, restFrames: Int,
                            soundingAfter: (Int) -> Bool) -> Bool {
        let n = min(frameCount, pitch.frameCount)
        func voicedBefore(_ i: Int) -> Bool { pitch.f0Hz[i] > 0 }
        func voicedAfter(_ j: Int) -> Bool { pitch.f0Hz[j] > 0 && soundingAfter(j) }
        var i = run.lowerBound - 1, lead = 0
        while i >= 0, voicedBefore(i) {
            lead += 1
            if lead > transitionFrames { return false }
            i -= 1
        }
        var unvoiced = 0
        while i >= 0, !voicedBefore(i), unvoiced < restFrames { unvoiced += 1; i -= 1 }
        guard unvoiced >= restFrames || i < 0 else { return false }
        var j = run.upperBound, lag = 0
        while j < n, voicedAfter(j) {
            lag += 1
            if lag > transitionFrames { return false }
            j += 1
        }
        unvoiced = 0
        while j < n, !voicedAfter(j), unvoiced < restFrames { unvoiced += 1; j += 1 }
        return unvoiced >= restFrames || j >= n
    }

    /// Change of spectral shape between two frames' band levels, dB: the band-level differences
    /// minus their mean, so a filler fading in or out (level change alone) still counts as
    /// steady; mean absolute value. Computed per frame by `SteadySpectrumTracker` (frames 20 ms apart).
    ///
    /// In integers, exactly (issue 18, sixth round; the Float loops are the twin in
    /// `SixthRoundTwinTests`): with d_k = a_k − b_k (|d_k| ≤ 255) and S = Σ d_k, the Float loops'
    /// partial sums are integers below 2^12 and then multiples of 1/16 below 2^13, so every step of
    /// theirs is exact and the change is Σ |16·d_k − S| / 16, which the integer lanes compute
    /// (|16·d_k − S| ≤ 8,160 fits Int16); the two serial chains of 16 Float additions are gone.
    @inline(__always) static func spectralChangeDB(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>) -> Float {
        let bands = AnalysisBands.count
        precondition(bands == 16, "16 bands, two vectors of 8")
        typealias V = SIMD8<Int16>
        // The 16 codes as 8 pairs: even bands in the low bytes, odd in the high (the sums do not
        // depend on the order).
        let x = unsafeBitCast(UnsafeRawPointer(a).loadUnaligned(as: SIMD8<UInt16>.self), to: V.self)
        let y = unsafeBitCast(UnsafeRawPointer(b).loadUnaligned(as: SIMD8<UInt16>.self), to: V.self)
        let even = (x & 0xFF) &- (y & 0xFF)
        let odd = SpeechActivityDetector.WindowEvidence.highBytes(x) &- SpeechActivityDetector.WindowEvidence.highBytes(y)
        let total = (even &+ odd).wrappedSum()                          // S, |S| ≤ 4,080
        @inline(__always) func magnitude(_ v: V) -> V { let sign = v &>> 15; return (v ^ sign) &- sign }
        let deviations = magnitude(even &* 16 &- total) &+ magnitude(odd &* 16 &- total)   // ≤ 16,320 per lane
        var sixteenTimesChange = 0
        for k in 0..<8 { sixteenTimesChange += Int(deviations[k]) }
        let change = Float(sixteenTimesChange) / 16
        return change * 0.5 / Float(bands)  // codes are 0.5 dB steps
    }

    static func medianSemitones(_ pitch: PitchTrack, _ run: Range<Int>) -> Double? {
        Statistics.median(run.compactMap { pitch.f0Hz[$0] > 0 ? 12 * log2(Double(pitch.f0Hz[$0])) : nil })
    }
}

extension FilledPauses {
    /// Fixed precision for the report.
    public func rounded() -> FilledPauses {
        var r = self
        r.totalSeconds = Rounding.seconds(totalSeconds)
        r.perMinuteOfSpeech = perMinuteOfSpeech.map { Rounding.round($0, scale: 100) }
        r.items = items.map {
            .init(start: Rounding.seconds($0.start), end: Rounding.seconds($0.end),
                  durationSeconds: Rounding.seconds($0.durationSeconds), f0Hz: Rounding.hz($0.f0Hz),
                  pitchSpreadSemitones: Rounding.round($0.pitchSpreadSemitones, scale: 1000))
        }
        return r
    }
}

/// Which frames of one channel have a steady spectrum: a spectral change
/// (`FilledPauseDetector.spectralChangeDB`) from the frame 20 ms earlier of at most the filled
/// pauses' `maximumSpectralChangeDB`. One bit per frame (12.5 bytes per second at a 10 ms hop).
public struct SteadySpectrum: Sendable {
    /// Frames between the two frames compared (20 ms).
    public let lagFrames: Int
    public fileprivate(set) var frameCount = 0
    fileprivate var bits: [UInt64] = []

    /// Whether frame `i` has a steady spectrum (never the first `lagFrames` frames).
    @inline(__always) public func isSteady(frame i: Int) -> Bool { bits[i / 64] & (1 << UInt64(i % 64)) != 0 }
}

/// Finds a channel's `SteadySpectrum` while the file streams: attach it to the channel's front
/// end as a `BandLevelObserver`.
public final class SteadySpectrumTracker: BandLevelObserver {
    public let maximumChangeDB: Float
    // Per-frame state of a one-task class: no overlapping access, so no runtime exclusivity check (issue 18).
    @exclusivity(unchecked) public private(set) var frames: SteadySpectrum
    /// Band codes of the last `lagFrames + 1` frames (ring).
    @exclusivity(unchecked) private var recent: [UInt8]

    public init(timeBase: TimeBase, settings: FilledPauseSettings = .standard) {
        maximumChangeDB = Float(settings.maximumSpectralChangeDB)
        frames = SteadySpectrum(lagFrames: max(1, Int((0.02 / timeBase.hopSeconds).rounded())))
        recent = [UInt8](repeating: 0, count: (frames.lagFrames + 1) * AnalysisBands.count)
    }

    public func observe(frameIndex i: Int, bandCodes: UnsafeBufferPointer<UInt8>, levelDB: Float) {
        precondition(i == frames.frameCount, "frames out of order")
        let bands = AnalysisBands.count, lag = frames.lagFrames
        let slot = (i % (lag + 1)) * bands
        var steady = false
        recent.withUnsafeMutableBufferPointer { ring in
            (ring.baseAddress! + slot).update(from: bandCodes.baseAddress!, count: bands)
            if i >= lag {
                let earlier = ring.baseAddress! + ((i - lag) % (lag + 1)) * bands
                steady = FilledPauseDetector.spectralChangeDB(ring.baseAddress! + slot, earlier) <= maximumChangeDB
            }
        }
        if i % 64 == 0 { frames.bits.append(0) }
        if steady { frames.bits[i / 64] |= 1 << UInt64(i % 64) }
        frames.frameCount += 1
    }
}
