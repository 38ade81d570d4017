import SpeechAnalysis

/// What the rubric reads: the measures of one call, no samples. Built from a `CallAnalysis`
/// by the report (Reports), or by hand in tests.
public struct RubricInput: Sendable, Equatable {
    public struct Party: Sendable, Equatable {
        public var segments: [Segment]
        public var loudness: LoudnessMeasures?
        public var pitch: PitchMeasures?
        public var rate: RateMeasures?
        public init(segments: [Segment], loudness: LoudnessMeasures? = nil, pitch: PitchMeasures? = nil, rate: RateMeasures? = nil) {
            self.segments = segments
            self.loudness = loudness
            self.pitch = pitch
            self.rate = rate
        }
    }
    public var language: SpeechLanguage
    public var durationSeconds: Double
    public var agent: Party
    /// nil for a mono recording.
    public var customer: Party?
    public var conversation: Conversation?

    public init(language: SpeechLanguage, durationSeconds: Double, agent: Party, customer: Party?, conversation: Conversation?) {
        self.language = language
        self.durationSeconds = durationSeconds
        self.agent = agent
        self.customer = customer
        self.conversation = conversation
    }
}
