import DSP
import Foundation

/// Settings of `ArousalMirroring` (the calm measure).
public struct CalmSettings: Sendable, Codable, Equatable {
    /// A customer unit this far above the customer's median unit level counts as raised, dB
    /// (1…20; default 3: about twice the loudness step listeners reliably notice in running
    /// speech; project choice).
    public var raisedLevelDB: Double
    /// A customer unit this far above the customer's median unit F0 counts as raised, semitones
    /// (0.5…12; default 2; project choice, comparable to the ~1.5–2 st excursions of lively speech,
    /// Traunmüller & Eriksson 1995, JASA 97:1905).
    public var raisedPitchSemitones: Double
    /// Agent units starting within this long after a raised customer unit ends are its response,
    /// seconds (0.5…20; default 5).
    public var responseWindowSeconds: Double

    public static let standard = try! CalmSettings()

    public init(raisedLevelDB: Double = 3, raisedPitchSemitones: Double = 2, responseWindowSeconds: Double = 5) throws {
        try SettingsError.check("raisedLevelDB", raisedLevelDB, in: 1...20)
        try SettingsError.check("raisedPitchSemitones", raisedPitchSemitones, in: 0.5...12)
        try SettingsError.check("responseWindowSeconds", responseWindowSeconds, in: 0.5...20)
        self.raisedLevelDB = raisedLevelDB
        self.raisedPitchSemitones = raisedPitchSemitones
        self.responseWindowSeconds = responseWindowSeconds
    }
}

/// Whether the agent's voice escalates when the customer's does (JSON `conversation.calm`).
public struct Calm: Sendable, Codable, Equatable {
    /// One raised customer unit and the agent's response to it.
    public struct Episode: Sendable, Codable, Equatable {
        public var customerStart: Double
        public var customerEnd: Double
        /// Customer unit level over the customer's median unit level, dB.
        public var customerLevelRiseDB: Double
        /// Customer unit F0 over the customer's median unit F0, semitones; nil if unvoiced.
        public var customerPitchRiseSemitones: Double?
        /// The agent's response span (first to last responding unit).
        public var agentStart: Double
        public var agentEnd: Double
        /// Agent response level over the agent's median unit level, dB.
        public var agentLevelRiseDB: Double
        /// Agent response F0 over the agent's median unit F0, semitones; nil if unvoiced.
        public var agentPitchRiseSemitones: Double?
    }
    /// Customer units raised in level or pitch against the customer's own baseline.
    public var raisedCustomerUnitCount: Int
    /// Mean agent level rise over the episodes with a response, dB; nil without one.
    public var agentLevelRiseDB: Double?
    /// Mean agent pitch rise over the episodes with a voiced response, semitones.
    public var agentPitchRiseSemitones: Double?
    public var episodes: [Episode]
}

/// Arousal mirroring: the agent's level and F0 in responses to customer units whose level or F0
/// rose above the customer's own baseline, each relative to the speaker's own baseline (median
/// over that speaker's inter-pause units). Level and F0 rise together with vocal arousal
/// (Scherer 2003, "Vocal communication of emotion: a review of research paradigms", Speech
/// Communication 40; Juslin & Laukka 2003, Psychological Bulletin 129(5)), and speakers converge
/// on each other's intensity and pitch (Levitan & Hirschberg 2011, "Measuring acoustic-prosodic
/// entrainment with respect to multiple levels and dimensions", Interspeech). A calm agent does
/// not follow the customer up. Baselines per speaker keep it independent of channel gain and
/// voice register; thresholds are the rubric's.
public enum ArousalMirroring {
    struct Unit { var segment: Segment; var levelDB: Double; var semitones: Double? }

    public static func measure(agentContours: ChannelContours, agentPitch: PitchTrack, agentUnits: [Segment],
                               customerContours: ChannelContours, customerPitch: PitchTrack, customerUnits: [Segment],
                               settings: CalmSettings = .standard) -> Calm {
        let agent = agentUnits.compactMap { unit($0, agentContours, agentPitch) }
        let customer = customerUnits.compactMap { unit($0, customerContours, customerPitch) }
        let agentLevel = Statistics.median(agent.map(\.levelDB)), agentSt = Statistics.median(agent.compactMap(\.semitones))
        let customerLevel = Statistics.median(customer.map(\.levelDB)), customerSt = Statistics.median(customer.compactMap(\.semitones))
        var episodes: [Calm.Episode] = []
        var raised = 0
        guard let cl = customerLevel, let al = agentLevel else {
            return Calm(raisedCustomerUnitCount: 0, agentLevelRiseDB: nil, agentPitchRiseSemitones: nil, episodes: [])
        }
        for c in customer {
            let levelRise = c.levelDB - cl
            let pitchRise: Double? = if let a = c.semitones, let b = customerSt { a - b } else { nil }
            guard levelRise >= settings.raisedLevelDB || (pitchRise ?? -.infinity) >= settings.raisedPitchSemitones else { continue }
            raised += 1
            let response = agent.filter {
                $0.segment.start >= c.segment.start && $0.segment.start <= c.segment.end + settings.responseWindowSeconds
            }
            guard let first = response.first, let last = response.last else { continue }
            let power = response.map { Decibels.toPower($0.levelDB) * $0.segment.durationSeconds }.reduce(0, +)
                / response.map(\.segment.durationSeconds).reduce(0, +)
            let st = response.compactMap(\.semitones)
            episodes.append(.init(
                customerStart: c.segment.start, customerEnd: c.segment.end, customerLevelRiseDB: levelRise,
                customerPitchRiseSemitones: pitchRise, agentStart: first.segment.start, agentEnd: last.segment.end,
                agentLevelRiseDB: Decibels.fromPower(power) - al,
                agentPitchRiseSemitones: st.isEmpty ? nil : agentSt.map { Statistics.mean(st)! - $0 }))
        }
        let pitchRises = episodes.compactMap(\.agentPitchRiseSemitones)
        return Calm(raisedCustomerUnitCount: raised,
                    agentLevelRiseDB: Statistics.mean(episodes.map(\.agentLevelRiseDB)),
                    agentPitchRiseSemitones: Statistics.mean(pitchRises), episodes: episodes)
    }

    /// Power-mean band level over the unit's frames (dB) and median F0 of its voiced frames (semitones re 1 Hz).
    static func unit(_ s: Segment, _ contours: ChannelContours, _ pitch: PitchTrack) -> Unit? {
        let tb = contours.timeBase
        let first = max(0, tb.frame(nearest: s.start)), last = min(contours.frameCount - 1, tb.frame(nearest: s.end))
        guard first <= last else { return nil }
        var power = 0.0
        var semitones: [Double] = []
        for i in first...last {
            power += Decibels.toPower(Double(HalfPrecision.float(contours.levelDB[i])))
            if i < pitch.frameCount, pitch.f0Hz[i] > 0 { semitones.append(12 * log2(Double(pitch.f0Hz[i]))) }
        }
        return Unit(segment: s, levelDB: Decibels.fromPower(power / Double(last - first + 1)),
                    semitones: semitones.count >= PitchMeasures.minimumVoicedFrames ? Statistics.median(semitones) : nil)
    }
}

extension Calm {
    /// Fixed precision for the report.
    public func rounded() -> Calm {
        var r = self
        let s = Rounding.seconds, d = Rounding.dB
        r.agentLevelRiseDB = agentLevelRiseDB.map(d)
        r.agentPitchRiseSemitones = agentPitchRiseSemitones.map(d)
        r.episodes = episodes.map {
            .init(customerStart: s($0.customerStart), customerEnd: s($0.customerEnd),
                  customerLevelRiseDB: d($0.customerLevelRiseDB), customerPitchRiseSemitones: $0.customerPitchRiseSemitones.map(d),
                  agentStart: s($0.agentStart), agentEnd: s($0.agentEnd), agentLevelRiseDB: d($0.agentLevelRiseDB),
                  agentPitchRiseSemitones: $0.agentPitchRiseSemitones.map(d))
        }
        return r
    }
}
