import SpeechAnalysis

/// What the rubric reads: the measures of one call, no samples. Built from a `CallAnalysis`
/// by the report (Reports), or by hand in tests.
public struct RubricInput: Sendable, Equatable {
    public struct Party: Sendable, Equatable {
        public var segments: [Segment]
        public var loudness: LoudnessMeasures?
        public var pitch: PitchMeasures?
        public var rate: RateMeasures?
        /// Pauses inside the party's own turns (JSON `speech.withinTurnPauses`); nil in reports
        /// stored before they were measured (the pause checks of `short-sentences` are then not made).
        public var withinTurnPauses: PauseSummary?
        public init(segments: [Segment], loudness: LoudnessMeasures? = nil, pitch: PitchMeasures? = nil, rate: RateMeasures? = nil,
                    withinTurnPauses: PauseSummary? = nil) {
            self.segments = segments
            self.loudness = loudness
            self.pitch = pitch
            self.rate = rate
            self.withinTurnPauses = withinTurnPauses
        }
    }
    public var language: SpeechLanguage
    public var durationSeconds: Double
    public var agent: Party
    /// nil for a mono recording.
    public var customer: Party?
    public var conversation: Conversation?
    /// Shortest gap counted as a pause (`settings.pauses.minimumPauseSeconds`): shorter gaps
    /// between a party's segments stay inside its turn.
    public var minimumPauseSeconds: Double = PauseSettings.standard.minimumPauseSeconds

    public init(language: SpeechLanguage, durationSeconds: Double, agent: Party, customer: Party?, conversation: Conversation?) {
        self.language = language
        self.durationSeconds = durationSeconds
        self.agent = agent
        self.customer = customer
        self.conversation = conversation
    }
}
