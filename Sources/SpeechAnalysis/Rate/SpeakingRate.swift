import DSP

/// Speaking rate of one channel without a transcript: syllable nuclei (`SyllableNuclei`)
/// counted inside speech, per second of the speaking span and of phonation time.
public struct RateMeasures: Sendable, Codable, Equatable {
    /// One inter-pause unit: speech segments joined across gaps shorter than a pause.
    public struct Utterance: Sendable, Codable, Equatable {
        public var start: Double
        public var end: Double
        public var syllableCount: Int
        public init(start: Double, end: Double, syllableCount: Int) {
            self.start = start
            self.end = end
            self.syllableCount = syllableCount
        }
    }

    /// Syllable nuclei in the channel's speech.
    public var syllableCount: Int
    /// Syllables per second from the start of the channel's first speech to the end of its
    /// last, pauses included (de Jong & Wempe 2009's "speech rate", but over the speaking span
    /// rather than the file).
    public var speechRateSyllablesPerSecond: Double
    /// Syllables per second of phonation time (speech-segment time, pauses excluded).
    public var articulationRateSyllablesPerSecond: Double
    /// Per inter-pause unit, in time order.
    public var utterances: [Utterance]
    /// Japanese only: estimated morae (see `MoraEstimate`).
    public var moraCount: Int?
    /// Japanese only: morae per second of phonation time.
    public var articulationRateMoraePerSecond: Double?

    public init(syllableCount: Int, speechRateSyllablesPerSecond: Double, articulationRateSyllablesPerSecond: Double,
                utterances: [Utterance], moraCount: Int? = nil, articulationRateMoraePerSecond: Double? = nil) {
        self.syllableCount = syllableCount
        self.speechRateSyllablesPerSecond = speechRateSyllablesPerSecond
        self.articulationRateSyllablesPerSecond = articulationRateSyllablesPerSecond
        self.utterances = utterances
        self.moraCount = moraCount
        self.articulationRateMoraePerSecond = articulationRateMoraePerSecond
    }
}

public enum SpeakingRate {
    /// Rate measures of one channel from contours that kept their band levels (see
    /// `SyllableNuclei.detect`) and its speech segments; as `measure(nuclei:speech:)`.
    public static func measure(_ contours: ChannelContours, speech: [Segment], pauses: PauseSettings = .standard,
                               settings: RateSettings = .standard) -> RateMeasures? {
        guard !speech.isEmpty else { return nil }
        return measure(nuclei: SyllableNuclei.detect(contours, speech: speech, settings: settings), speech: speech,
                       pauses: pauses, settings: settings)
    }

    /// Rate measures of one channel from its syllable nuclei (times, ascending; from a
    /// `SyllableTracker`) and speech segments (ascending, not overlapping); nil when there is no
    /// speech. Gaps of at least `pauses.minimumPauseSeconds` separate utterances. Rates are
    /// rounded to 0.001 per second, times to 0.001 s.
    public static func measure(nuclei: [Double], speech: [Segment], pauses: PauseSettings = .standard,
                               settings: RateSettings = .standard) -> RateMeasures? {
        guard let first = speech.first, let last = speech.last else { return nil }
        let phonationSeconds = speech.reduce(0) { $0 + $1.durationSeconds }
        let spanSeconds = last.end - first.start
        guard phonationSeconds > 0, spanSeconds > 0 else { return nil }

        let units = Segment.interPauseUnits(speech, pauses: pauses)
        var utterances: [RateMeasures.Utterance] = []
        var k = 0
        for u in units {
            while k < nuclei.count, nuclei[k] < u.start { k += 1 }
            var count = 0
            while k < nuclei.count, nuclei[k] < u.end { count += 1; k += 1 }
            utterances.append(.init(start: round3(u.start), end: round3(u.end), syllableCount: count))
        }
        let count = utterances.reduce(0) { $0 + $1.syllableCount }
        var result = RateMeasures(
            syllableCount: count,
            speechRateSyllablesPerSecond: round3(Double(count) / spanSeconds),
            articulationRateSyllablesPerSecond: round3(Double(count) / phonationSeconds),
            utterances: utterances)
        if settings.language == .ja {
            let morae = MoraEstimate.moraCounts(nuclei: nuclei, units: units).reduce(0, +)
            result.moraCount = morae
            result.articulationRateMoraePerSecond = round3(Double(morae) / phonationSeconds)
        }
        return result
    }

    @inline(__always) static func round3(_ x: Double) -> Double { Rounding.round(x, scale: 1000) }
}
