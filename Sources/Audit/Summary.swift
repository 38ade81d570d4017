import Foundation
import Rubric
import SpeechAnalysis

/// `voiceqa audit summary`: the calls of the store grouped by agent, team, date or ISO week,
/// with score distribution, pass rates, the agent's voice measures per call and the agents far
/// from their peers. A pure function of the stored calls (docs/audit.md, "Summary").
public struct AuditSummary: Sendable, Codable, Equatable {
    public enum Grouping: String, Sendable, Codable, CaseIterable { case agent, team, date, week }

    public struct Distribution: Sendable, Codable, Equatable {
        public var mean: Double, min: Double, p25: Double, median: Double, p75: Double, max: Double
        /// Calls per 10-point band of the score: 0–10, 10–20, … 90–100.
        public var histogram: [Int]
    }

    public struct Group: Sendable, Codable, Equatable {
        /// The agent, team, date or week ("" when the recordings do not say).
        public var name: String
        /// For agents: their team (the most frequent one).
        public var team: String?
        public var callCount: Int
        public var audioHours: Double
        public var score: Distribution?
        /// Share of the measurable calls passing each guideline (0–1), by guideline id.
        public var passRate: [String: Double]
        public var articulationRateMedianSyllablesPerSecond: Double?
        public var activeSpeechLevelMedianDBov: Double?
        public var f0StdevMedianSemitones: Double?
        public var interruptionsPerCall: Double?
        public var backchannelsPerCall: Double?
        public var deadAirPerCall: Double
        public var holdsPerCall: Double
        public var filledPausesMedianPerMinute: Double?
        public var averageHandlingMinutes: Double
        /// The weeks' mean scores, for the trend ("YYYY-Www" → mean).
        public var weeklyMeanScore: [String: Double]
    }

    /// An agent whose measure is far from their team's: |0.6745 (x − median) / MAD| ≥ threshold
    /// (Iglewicz & Hoaglin 1993, "How to Detect and Handle Outliers", ASQC Basic References vol. 16).
    public struct Outlier: Sendable, Codable, Equatable {
        public var agent: String
        public var team: String
        public var measure: String
        public var unit: String
        public var value: Double
        public var peerMedian: Double
        /// Median absolute deviation of the team's agents, floored at the measure's resolution.
        public var mad: Double
        public var modifiedZ: Double
        public var callCount: Int
        /// The agent's calls furthest in the outlier's direction (up to 3): path and key.
        public var worstCalls: [CallRef]
    }

    public struct CallRef: Sendable, Codable, Equatable {
        public var path: String
        public var key: String
        public var value: Double
    }

    public struct Settings: Sendable, Equatable {
        public var minimumCallsPerAgent = 10
        public var minimumAgentsPerTeam = 3
        public var modifiedZThreshold = 3.5
        public init(minimumCallsPerAgent: Int = 10, minimumAgentsPerTeam: Int = 3, modifiedZThreshold: Double = 3.5) {
            self.minimumCallsPerAgent = minimumCallsPerAgent; self.minimumAgentsPerTeam = minimumAgentsPerTeam
            self.modifiedZThreshold = modifiedZThreshold
        }
    }

    public var grouping: Grouping
    public var rubricVersion: String
    public var rubricSHA256: String
    /// Guideline ids in the rubric's order.
    public var guidelines: [String]
    public var total: Group
    public var groups: [Group]
    public var outliers: [Outlier]
    /// The rubric's articulation-rate pass band per language (syllables per second; morae for ja).
    public var ratePassBand: [String: [Double]]
    public var averageHandlingTargetMinutes: [Double]
    public var settings: [String: Double]

    /// The average handling time the seed documents ask for, minutes.
    public static let averageHandlingTargetMinutes = [4.0, 6.0]

    /// A per-agent measure checked for outliers, with its resolution (the MAD floor).
    struct Measure: Sendable {
        var name: String, unit: String, resolution: Double
        /// Per-call values → the agent's value (median for levels and rates, mean for counts per call).
        var perCall: @Sendable (SummaryCall) -> Double?
        var useMean: Bool
    }

    static let measures: [Measure] = [
        Measure(name: "score", unit: "points", resolution: 0.1, perCall: { $0.score }, useMean: false),
        Measure(name: "articulation rate", unit: "syllables/s", resolution: 0.01, perCall: { $0.articulationRateSyllablesPerSecond }, useMean: false),
        Measure(name: "active speech level", unit: "dBov", resolution: 0.01, perCall: { $0.activeSpeechLevelDBov }, useMean: false),
        Measure(name: "F0 spread", unit: "semitones", resolution: 0.01, perCall: { $0.f0StdevSemitones }, useMean: false),
        Measure(name: "interruptions per call", unit: "per call", resolution: 0.1, perCall: { $0.agentInterruptionCount.map(Double.init) }, useMean: true),
        Measure(name: "backchannels per call", unit: "per call", resolution: 0.1, perCall: { $0.agentBackchannelCount.map(Double.init) }, useMean: true),
        Measure(name: "dead air per call", unit: "per call", resolution: 0.1, perCall: { Double($0.deadAirCount) }, useMean: true),
        Measure(name: "holds per call", unit: "per call", resolution: 0.1, perCall: { Double($0.holdCount) }, useMean: true),
        Measure(name: "fillers per minute", unit: "per minute of speech", resolution: 0.1, perCall: { $0.filledPausesPerMinute }, useMean: false),
        Measure(name: "handling time", unit: "minutes", resolution: 1.0 / 60, perCall: { $0.durationSeconds / 60 }, useMean: true),
    ]

    public init(calls: [SummaryCall], grouping: Grouping, rubric: Rubric, rubricSHA256: String, settings: Settings = Settings()) {
        self.grouping = grouping
        rubricVersion = rubric.rubricVersion
        self.rubricSHA256 = rubricSHA256
        guidelines = rubric.guidelines.map(\.id.rawValue)
        var band: [String: [Double]] = [:]
        if let g = rubric.guideline(.slightlySlow) {
            for l in SpeechLanguage.allCases {
                if let b = g.ratePassBand(l) { band[l.rawValue] = [b.lowerBound, b.upperBound].map { ($0 * 100).rounded() / 100 } }  // target rule or rubric 1.0 band
            }
        }
        ratePassBand = band
        averageHandlingTargetMinutes = Self.averageHandlingTargetMinutes
        self.settings = ["minimumCallsPerAgent": Double(settings.minimumCallsPerAgent),
                         "minimumAgentsPerTeam": Double(settings.minimumAgentsPerTeam),
                         "modifiedZThreshold": settings.modifiedZThreshold]
        let guidelineIDs = guidelines
        total = Self.group(name: "", calls: calls, guidelines: guidelineIDs)
        let keyOf: (SummaryCall) -> String = switch grouping {
        case .agent: { $0.agent }
        case .team: { $0.team }
        case .date: { $0.date }
        case .week: { DateKeys.isoWeek($0.date) ?? "" }
        }
        groups = Dictionary(grouping: calls, by: keyOf).map { name, members in
            var g = Self.group(name: name, calls: members, guidelines: guidelineIDs)
            if grouping == .agent {
                g.team = Dictionary(grouping: members, by: \.team).max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }?.key ?? ""
            }
            return g
        }.sorted { $0.name < $1.name }
        outliers = Self.outliers(calls: calls, settings: settings)
    }

    static func group(name: String, calls: [SummaryCall], guidelines: [String]) -> Group {
        let scores = calls.compactMap(\.score)
        var passRate: [String: Double] = [:]
        for id in guidelines {
            let measurable = calls.compactMap { $0.verdicts[id] }.filter { $0 != "not-measurable" }
            if !measurable.isEmpty { passRate[id] = Double(measurable.filter { $0 == "pass" }.count) / Double(measurable.count) }
        }
        func meanOf(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        var weekly: [String: Double] = [:]
        for (week, members) in Dictionary(grouping: calls, by: { DateKeys.isoWeek($0.date) ?? "" }) where !week.isEmpty {
            if let m = meanOf(members.compactMap(\.score)) { weekly[week] = m }
        }
        return Group(
            name: name, team: nil, callCount: calls.count,
            audioHours: calls.reduce(0) { $0 + $1.durationSeconds } / 3600,
            score: distribution(scores), passRate: passRate,
            articulationRateMedianSyllablesPerSecond: Stats.median(calls.compactMap(\.articulationRateSyllablesPerSecond)),
            activeSpeechLevelMedianDBov: Stats.median(calls.compactMap(\.activeSpeechLevelDBov)),
            f0StdevMedianSemitones: Stats.median(calls.compactMap(\.f0StdevSemitones)),
            interruptionsPerCall: meanOf(calls.compactMap { $0.agentInterruptionCount.map(Double.init) }),
            backchannelsPerCall: meanOf(calls.compactMap { $0.agentBackchannelCount.map(Double.init) }),
            deadAirPerCall: meanOf(calls.map { Double($0.deadAirCount) }) ?? 0,
            holdsPerCall: meanOf(calls.map { Double($0.holdCount) }) ?? 0,
            filledPausesMedianPerMinute: Stats.median(calls.compactMap(\.filledPausesPerMinute)),
            averageHandlingMinutes: (meanOf(calls.map(\.durationSeconds)) ?? 0) / 60,
            weeklyMeanScore: weekly)
    }

    static func distribution(_ xs: [Double]) -> Distribution? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted()
        var histogram = [Int](repeating: 0, count: 10)
        for x in s { histogram[min(9, max(0, Int(x / 10)))] += 1 }
        return Distribution(mean: s.reduce(0, +) / Double(s.count), min: s[0], p25: Stats.quantile(s, 0.25),
                            median: Stats.quantile(s, 0.5), p75: Stats.quantile(s, 0.75), max: s[s.count - 1], histogram: histogram)
    }

    /// Agents with at least `minimumCallsPerAgent` calls, compared within teams of at least
    /// `minimumAgentsPerTeam` such agents, measure by measure.
    static func outliers(calls: [SummaryCall], settings: Settings) -> [Outlier] {
        var found: [Outlier] = []
        let byTeam = Dictionary(grouping: calls.filter { !$0.agent.isEmpty }, by: \.team)
        for (team, teamCalls) in byTeam.sorted(by: { $0.key < $1.key }) {
            let agents = Dictionary(grouping: teamCalls, by: \.agent).filter { $0.value.count >= settings.minimumCallsPerAgent }
            guard agents.count >= settings.minimumAgentsPerTeam else { continue }
            for m in measures {
                var values: [String: Double] = [:]
                for (agent, own) in agents {
                    let xs = own.compactMap(m.perCall)
                    guard !xs.isEmpty else { continue }
                    values[agent] = m.useMean ? xs.reduce(0, +) / Double(xs.count) : Stats.median(xs)!
                }
                guard values.count >= settings.minimumAgentsPerTeam else { continue }
                let median = Stats.median(Array(values.values))!
                let mad = max(Stats.median(values.values.map { abs($0 - median) })!, m.resolution)
                for (agent, x) in values.sorted(by: { $0.key < $1.key }) {
                    let z = 0.6745 * (x - median) / mad                       // modified z-score (Iglewicz & Hoaglin)
                    guard abs(z) >= settings.modifiedZThreshold else { continue }
                    let own = agents[agent]!.compactMap { c in m.perCall(c).map { (c, $0) } }
                    let worst = own.sorted { z > 0 ? ($0.1, $1.0.path) > ($1.1, $0.0.path) : ($0.1, $0.0.path) < ($1.1, $1.0.path) }.prefix(3)
                    found.append(Outlier(agent: agent, team: team, measure: m.name, unit: m.unit, value: x, peerMedian: median, mad: mad,
                                         modifiedZ: z, callCount: agents[agent]!.count,
                                         worstCalls: worst.map { CallRef(path: $0.0.path, key: $0.0.key, value: $0.1) }))
                }
            }
        }
        return found.sorted { ($0.team, $0.agent, -abs($0.modifiedZ)) < ($1.team, $1.agent, -abs($1.modifiedZ)) }
    }
}

enum Stats {
    static func median(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : quantile(xs.sorted(), 0.5) }
    /// Linear interpolation between order statistics (Hyndman & Fan 1996, type 7) of sorted `s`.
    static func quantile(_ s: [Double], _ p: Double) -> Double {
        let h = Double(s.count - 1) * p
        let lo = Int(h.rounded(.down)), hi = min(s.count - 1, lo + 1)
        return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
    }
}
