import Foundation
import Rubric
import SpeechAnalysis

/// What a coach looks at first, in no language: the agent's headline figures against their
/// targets and the moments to coach. Both the coaching page and the text summary render it.
public struct CoachingSummary: Sendable, Equatable {
    /// A headline figure: the measured value, the guideline it belongs to and its status against the
    /// rubric's thresholds for the call's language (nil when the report has no thresholds for it).
    public struct Figure: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable {
            case articulationRate = "articulation-rate", speechLevel = "speech-level", pitchSpread = "pitch-spread",
                 interruptions, longestWait = "longest-wait", fillers
        }
        /// Which wait the longest-wait figure is.
        public enum Wait: String, Sendable { case hold, deadAir = "dead-air", responseLatency = "response-latency" }
        public var kind: Kind
        public var guidelineID: GuidelineID
        public var value: Double?
        /// Thresholds the target is stated with (names as in the rubric).
        public var thresholds: [String: Double]
        public var status: GuidelineResult.Verdict?
        /// For `longestWait`: which wait it is.
        public var wait: Wait?
        /// For `articulationRate`: the rate is in morae (Japanese agent).
        public var inMorae = false
    }
    /// A moment to coach: a missed guideline (or one done well) with the evidence to listen to.
    public struct Moment: Sendable, Equatable {
        public var guideline: GuidelineResult
        public var isMiss: Bool
        public var evidence: GuidelineResult.Evidence?
    }
    public var figures: [Figure]
    public var moments: [Moment]

    public init(_ report: AnalysisReport) {
        figures = Self.figures(report)
        moments = Self.moments(report)
    }

    /// A guideline's thresholds for the call's language: the report's, else — for a report stored before
    /// they were recorded, judged with the built-in rubric — the built-in rubric's.
    public static func thresholds(_ g: GuidelineResult, in report: AnalysisReport) -> [String: Double]? {
        if let t = g.thresholds { return t }
        guard let version = report.rubricVersion, let rubric = Rubric.builtIn(version: version), let id = GuidelineID(rawValue: g.id),
              let rule = rubric.guideline(id) else { return nil }
        return rule.resolvedThresholds(report.settings.language)
    }

    /// The weight of a guideline: the report's, else the built-in rubric's, else 1.
    static func weight(_ g: GuidelineResult) -> Double {
        g.weight ?? GuidelineID(rawValue: g.id).flatMap { Rubric.builtIn.guideline($0)?.weight } ?? 1
    }

    /// Up to two misses ranked by weight × (100 − score), then the passing guideline with evidence
    /// that weighs most; with no miss, up to three things done well. Ties keep GUIDELINES.md order.
    static func moments(_ report: AnalysisReport) -> [Moment] {
        let guidelines = (report.guidelines ?? []).filter { GuidelineID(rawValue: $0.id) != nil }
        let misses = guidelines.enumerated()
            .filter { $0.element.verdict == .warn || $0.element.verdict == .fail }
            .sorted { a, b in
                let ka = weight(a.element) * (100 - (a.element.score ?? 0)), kb = weight(b.element) * (100 - (b.element.score ?? 0))
                return ka != kb ? ka > kb : a.offset < b.offset
            }
            .map(\.element)
        let strengths = guidelines.enumerated()
            .filter { $0.element.verdict == .pass && !$0.element.evidence.isEmpty }
            .sorted { a, b in weight(a.element) != weight(b.element) ? weight(a.element) > weight(b.element) : a.offset < b.offset }
            .map(\.element)
        func worstEvidence(_ g: GuidelineResult) -> GuidelineResult.Evidence? {
            // The longest stretch is the one most worth hearing (a hold, a long turn); ties: the first.
            g.evidence.enumerated().max { a, b in
                let da = a.element.end - a.element.start, db = b.element.end - b.element.start
                return da != db ? da < db : a.offset > b.offset
            }?.element
        }
        if misses.isEmpty {
            return strengths.prefix(3).map { Moment(guideline: $0, isMiss: false, evidence: $0.evidence.first) }
        }
        return misses.prefix(2).map { Moment(guideline: $0, isMiss: true, evidence: worstEvidence($0)) }
            + strengths.prefix(1).map { Moment(guideline: $0, isMiss: false, evidence: $0.evidence.first) }
    }

    static func figures(_ report: AnalysisReport) -> [Figure] {
        let byID = Dictionary((report.guidelines ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func thresholds(_ id: GuidelineID) -> [String: Double] { byID[id.rawValue].flatMap { Self.thresholds($0, in: report) } ?? [:] }
        let agent = report.channels.first { $0.role == .agent }
        let twoParty = report.channels.contains { $0.role == .customer }
        var out: [Figure] = []

        let japanese = report.settings.language == .ja
        var rate = agent?.rate?.articulationRateSyllablesPerSecond
        if japanese { rate = agent?.rate?.articulationRateMoraePerSecond }
        let rt = thresholds(.slightlySlow)
        // The target rule (rubric 1.1.0 on; its thresholds plus the derived rates), else a rubric 1.0 band.
        let rule = RateTarget(thresholds: rt)
        out.append(Figure(kind: .articulationRate, guidelineID: .slightlySlow, value: rate,
                          thresholds: rule.map { rt.merging($0.namedValues) { a, _ in a } } ?? rt,
                          status: rule.map { r in rate.map { r.verdict(ratePerSecond: $0) } }
                            ?? band(rate, rt["rateFailBelowPerSecond"], rt["ratePassMinPerSecond"], rt["ratePassMaxPerSecond"], rt["rateFailAbovePerSecond"]),
                          inMorae: japanese))

        let level = agent?.loudness?.activeSpeechLevelDBov
        let lt = thresholds(.moderateVolume)
        var levelStatus: GuidelineResult.Verdict?
        if let level, let target = lt["targetDBov"], let within = lt["passWithinDB"], let beyond = lt["failBeyondDB"] {
            levelStatus = upTo(abs(level - target), pass: within, fail: beyond)
        }
        out.append(Figure(kind: .speechLevel, guidelineID: .moderateVolume, value: level, thresholds: lt, status: levelStatus))

        let spread = agent?.pitch?.stdevSemitones
        let wt = thresholds(.warm)
        out.append(Figure(kind: .pitchSpread, guidelineID: .warm, value: spread, thresholds: wt,
                          status: band(spread, wt["spreadFailBelowSemitones"], wt["spreadPassMinSemitones"], wt["spreadPassMaxSemitones"], wt["spreadFailAboveSemitones"])))

        let it = thresholds(.noInterrupting)
        let interruptions = twoParty ? report.conversation?.interruptions.map { Double($0.filter { $0.by == .agent }.count) } : nil
        out.append(Figure(kind: .interruptions, guidelineID: .noInterrupting, value: interruptions, thresholds: it,
                          status: interruptions.flatMap { n in it["passMaxCount"].flatMap { p in it["failMinCount"].map { upTo(n, pass: p, fail: $0) } } }))

        // The longest wait: whichever of hold, dead air and response latency is furthest past its pass line.
        let nt = thresholds(.noWaiting)
        var best: (wait: Figure.Wait, seconds: Double, status: GuidelineResult.Verdict?, over: Double)?
        if let c = report.conversation {
            var candidates: [(Figure.Wait, Double, String, String)] = []
            if let h = c.holds.map({ $0.end - $0.start }).max() { candidates.append((.hold, h, "holdPassSeconds", "holdFailSeconds")) }
            if let d = c.deadAir.map(\.durationSeconds).max() { candidates.append((.deadAir, d, "deadAirPassSeconds", "deadAirFailSeconds")) }
            if let l = c.responseLatency?.longestSeconds { candidates.append((.responseLatency, l, "latencyPassSeconds", "latencyFailSeconds")) }
            for (wait, seconds, passKey, failKey) in candidates {
                let pass = nt[passKey], fail = nt[failKey]
                let status = pass.flatMap { p in fail.map { upTo(seconds, pass: p, fail: $0) } }
                let over = pass.map { seconds / max($0, 0.001) } ?? seconds
                if best == nil || over > best!.over { best = (wait, seconds, status, over) }
            }
        }
        var waitFigure = Figure(kind: .longestWait, guidelineID: .noWaiting, value: best?.seconds, thresholds: nt, status: best?.status)
        waitFigure.wait = best?.wait
        out.append(waitFigure)

        let ft = thresholds(.noFillers)
        let fillers = report.conversation?.filledPauses?.perMinuteOfSpeech
        out.append(Figure(kind: .fillers, guidelineID: .noFillers, value: fillers, thresholds: ft,
                          status: fillers.flatMap { x in ft["perMinutePass"].flatMap { p in ft["perMinuteFail"].map { upTo(x, pass: p, fail: $0) } } }))
        return out
    }

    /// Status of a value that passes up to `pass` and fails from `fail`.
    static func upTo(_ x: Double, pass: Double, fail: Double) -> GuidelineResult.Verdict {
        x <= pass ? .pass : (x >= fail ? .fail : .warn)
    }

    /// Status of a value that passes inside [passMin, passMax] and fails outside (failBelow, failAbove).
    static func band(_ x: Double?, _ failBelow: Double?, _ passMin: Double?, _ passMax: Double?, _ failAbove: Double?) -> GuidelineResult.Verdict? {
        guard let x, let failBelow, let passMin, let passMax, let failAbove else { return nil }
        if x >= passMin && x <= passMax { return .pass }
        return x <= failBelow || x >= failAbove ? .fail : .warn
    }
}
