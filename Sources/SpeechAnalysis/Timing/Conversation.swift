/// How agent and customer take turns in a two-channel call (JSON `conversation`).
public struct Conversation: Sendable, Codable, Equatable {
    public enum Party: String, Sendable, Codable, Equatable { case agent, customer }

    public struct Interruption: Sendable, Codable, Equatable {
        /// When the interrupter started, seconds.
        public var time: Double
        public var by: Party
        /// Simultaneous speech from `time` until the interrupted party stopped, seconds.
        public var overlapSeconds: Double
        /// How long after `time` the interrupted party stopped, seconds.
        public var interruptedStoppedAfterSeconds: Double
    }

    public struct Backchannel: Sendable, Codable, Equatable {
        public var time: Double
        public var by: Party
        public var durationSeconds: Double
    }

    public struct Latency: Sendable, Codable, Equatable {
        public var customerEnd: Double
        public var agentStart: Double
        public var seconds: Double
    }

    public struct ResponseLatency: Sendable, Codable, Equatable {
        public var count: Int
        public var meanSeconds: Double?
        public var medianSeconds: Double?
        public var longestSeconds: Double?
        public var items: [Latency]
    }

    public struct Hold: Sendable, Codable, Equatable {
        public enum Kind: String, Sendable, Codable, Equatable { case music, silence, tone }
        public var start: Double
        public var end: Double
        public var kind: Kind
    }

    public struct Ring: Sendable, Codable, Equatable {
        /// First tone onset and last tone offset of the cycle, seconds.
        public var start: Double
        public var end: Double
        public var channel: Party
    }

    public struct SilentCall: Sendable, Codable, Equatable {
        public struct Gap: Sendable, Codable, Equatable {
            public var start: Double
            public var end: Double
            public var durationSeconds: Double
        }
        /// The agent's prompts (greeting, re-prompts, closing), in order.
        public var prompts: [Segment]
        public var gaps: [Gap]
    }

    public var interruptions: [Interruption]?
    public var backchannels: [Backchannel]?
    /// Total time both parties speak at once (backchannels included), seconds.
    public var overlapSeconds: Double?
    /// Agent speech time over both parties' speech time (0…1).
    public var agentTalkRatio: Double?
    public var speakerSwitchesPerMinute: Double?
    /// Longest stretch of agent talk with no customer speech (backchannels aside), seconds.
    public var longestAgentMonologueSeconds: Double?
    public var responseLatency: ResponseLatency?
    public var deadAir: [Segment]
    public var holds: [Hold]
    /// Start of the agent's first speech, seconds; absent when the agent never speaks.
    public var timeToAnswerSeconds: Double?
    /// Ring cycles begun before pickup (a cut-short last ring included); absent without ringback.
    public var ringCount: Int?
    public var rings: [Ring]?
    /// Present when the customer channel has no speech.
    public var silentCall: SilentCall?
    /// Measures left out, with the reason.
    public var notMeasurable: [String: String]?
    /// The agent's filled pauses (see `FilledPauseDetector`); set by the call analysis.
    public var filledPauses: FilledPauses? = nil
    /// The agent's level and pitch against the customer's rises (see `ArousalMirroring`); two channels only.
    public var calm: Calm? = nil
}
