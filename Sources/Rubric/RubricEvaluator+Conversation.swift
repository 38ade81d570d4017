import Foundation
import SpeechAnalysis

/// Judges of turn-taking: short-sentences, no-interrupting, backchannels, no-waiting, answer-promptly, silent-call.
extension RubricEvaluator {
    static func shortSentences(_ input: RubricInput, _ t: (String) -> Double) -> Judgement {
        let long = t("longUnitSeconds")
        var target = "longest agent monologue ≤ \(f(t("monologuePassSeconds"), 0)) s (fail ≥ \(f(t("monologueFailSeconds"), 0)) s); ≤ \(f(100 * t("longUnitSharePass"), 0)) % of utterances longer than \(f(long, 0)) s (fail ≥ \(f(100 * t("longUnitShareFail"), 0)) %)"
        if t("pauseTurnSeconds").isFinite {
            target += "; in turns over \(f(t("pauseTurnSeconds"), 0)) s at least \(f(t("pausesPerMinutePass"), 0)) pauses per minute of speech (fail ≤ \(f(t("pausesPerMinuteFail"), 0)))"
        }
        if t("longestPausePassSeconds").isFinite {
            target += "; pauses inside a turn ≤ \(f(t("longestPausePassSeconds"))) s (fail ≥ \(f(t("longestPauseFailSeconds"))) s)"
        }
        guard let units = input.agent.rate?.utterances, !units.isEmpty else { return .notMeasurable(.noAgentSpeech, "the agent channel has no speech", target: target) }
        let longUnits = units.filter { $0.end - $0.start > long }
        let share = Double(longUnits.count) / Double(units.count)
        var s = ramp(share, pass: t("longUnitSharePass"), fail: t("longUnitShareFail"))
        var measured = ["longUtteranceRatio": share]
        var evidence = longUnits.map { GuidelineResult.Evidence(start: $0.start, end: $0.end, note: "utterance of \(f($0.end - $0.start)) s without a pause",
                                                                kind: EvidenceKind.longUtterance.rawValue, values: ["durationSeconds": $0.end - $0.start]) }
        if let m = input.conversation?.longestAgentMonologueSeconds {
            measured["longestAgentMonologueSeconds"] = m
            s = min(s, ramp(m, pass: t("monologuePassSeconds"), fail: t("monologueFailSeconds")))
        }
        // The pause checks (rubric 1.2.0 on): each is off when the rubric does not give its thresholds.
        if let pauses = input.agent.withinTurnPauses {
            if t("pauseTurnSeconds").isFinite {
                let turnSeconds = t("pauseTurnSeconds"), pass = t("pausesPerMinutePass"), fail = t("pausesPerMinuteFail")
                let long = agentTurns(input.agent.segments, pauses: pauses.items, minimumPauseSeconds: input.minimumPauseSeconds)
                    .filter { $0.span.durationSeconds >= turnSeconds }
                let speech = long.reduce(0) { $0 + $1.speechSeconds }
                if speech > 0 {
                    let rate = 60 * Double(long.reduce(0) { $0 + $1.pauseCount }) / speech
                    measured["withinTurnPausesPerMinuteOfSpeech"] = rate
                    s = min(s, ramp(rate, pass: pass, fail: fail))
                    for turn in long where 60 * Double(turn.pauseCount) / turn.speechSeconds < pass {
                        evidence.append(.init(start: turn.span.start, end: turn.span.end,
                                              note: "turn of \(f(turn.span.durationSeconds)) s with \(turn.pauseCount) pause\(turn.pauseCount == 1 ? "" : "s")",
                                              kind: EvidenceKind.fewPauses.rawValue,
                                              values: ["durationSeconds": turn.span.durationSeconds, "pauseCount": Double(turn.pauseCount)]))
                    }
                }
            }
            if t("longestPausePassSeconds").isFinite {
                let pass = t("longestPausePassSeconds"), fail = t("longestPauseFailSeconds")
                let longest = pauses.longestSeconds ?? 0
                measured["longestWithinTurnPauseSeconds"] = longest
                s = min(s, ramp(longest, pass: pass, fail: fail))
                for p in pauses.items where p.durationSeconds > pass {
                    evidence.append(.init(start: p.start, end: p.end, note: "pause of \(f(p.durationSeconds)) s inside the agent's turn",
                                          kind: EvidenceKind.longPause.rawValue, values: ["durationSeconds": p.durationSeconds]))
                }
            }
        }
        if evidence.isEmpty, let u = units.max(by: { $0.end - $0.start < $1.end - $1.start }) {
            evidence = [.init(start: u.start, end: u.end, note: "longest utterance, \(f(u.end - u.start)) s",
                                 kind: EvidenceKind.longestUtterance.rawValue, values: ["durationSeconds": u.end - u.start])]
        }
        return Judgement(score: s, measured: measured, target: target, evidence: evidence.sorted { $0.start < $1.start })
    }

    /// A party's turns: its segments joined across gaps shorter than a pause and across its
    /// within-turn pauses (`speech.withinTurnPauses`); any other gap is a turn change or a hold.
    struct Turn { var span: Segment; var speechSeconds: Double; var pauseCount: Int }
    static func agentTurns(_ segments: [Segment], pauses: [Segment], minimumPauseSeconds: Double) -> [Turn] {
        var turns: [Turn] = []
        var k = 0  // first within-turn pause that may match the current gap
        for (i, seg) in segments.enumerated() {
            if i > 0, var last = turns.last {
                let gap = Segment(start: segments[i - 1].end, end: seg.start)
                while k < pauses.count && pauses[k].end < gap.start - 0.002 { k += 1 }
                // Both lists are rounded to 1 ms in reports, hence the 2 ms match.
                let isPause = k < pauses.count && abs(pauses[k].start - gap.start) < 0.002 && abs(pauses[k].end - gap.end) < 0.002
                if isPause || gap.durationSeconds < minimumPauseSeconds {
                    last.span.end = max(last.span.end, seg.end)
                    last.speechSeconds += seg.durationSeconds
                    if isPause { last.pauseCount += 1 }
                    turns[turns.count - 1] = last
                    continue
                }
            }
            turns.append(Turn(span: seg, speechSeconds: seg.durationSeconds, pauseCount: 0))
        }
        return turns
    }

    static func noInterrupting(_ input: RubricInput, _ t: (String) -> Double) -> Judgement {
        let target = "≤ \(f(t("passMaxCount"), 0)) interruptions by the agent (fail ≥ \(f(t("failMinCount"), 0)))"
        guard input.customer != nil, let all = input.conversation?.interruptions else { return .notMeasurable(.mono, monoReason, target: target) }
        let mine = all.filter { $0.by == .agent }
        return Judgement(score: ramp(Double(mine.count), pass: t("passMaxCount"), fail: t("failMinCount")),
                         measured: ["count": Double(mine.count)], target: target,
                         evidence: mine.map { .init(start: $0.time, end: $0.time + $0.overlapSeconds,
                                                    note: "agent started while the customer spoke; customer stopped \(f($0.interruptedStoppedAfterSeconds, 2)) s later",
                                                    kind: EvidenceKind.agentInterruption.rawValue,
                                                    values: ["stoppedAfterSeconds": $0.interruptedStoppedAfterSeconds]) })
    }

    static func backchannels(_ input: RubricInput, _ t: (String) -> Double) -> Judgement {
        let longTurn = t("longTurnSeconds")
        let target = "at least one agent backchannel in each customer turn longer than \(f(longTurn, 0)) s"
        guard let customer = input.customer, let conversation = input.conversation, let bcs = conversation.backchannels else {
            return .notMeasurable(.mono, monoReason, target: target)
        }
        // Customer turns: customer speech joined across gaps in which the agent does not take the floor
        // (agent speech other than backchannels).
        let agentBC = bcs.filter { $0.by == .agent }
        let agentFloor = input.agent.segments.filter { s in !agentBC.contains { abs($0.time - s.start) < 0.05 } }
        var turns: [Segment] = []
        for s in customer.segments {
            if let last = turns.last,
               !agentFloor.contains(where: { $0.overlapSeconds(with: Segment(start: last.end, end: max(last.end, s.start))) > 0 || ($0.start >= last.end && $0.start < s.start) }) {
                turns[turns.count - 1].end = max(last.end, s.end)
            } else {
                turns.append(s)
            }
        }
        let long = turns.filter { $0.durationSeconds > longTurn }
        guard !long.isEmpty else { return .notMeasurable(.noLongCustomerTurn, "no customer turn longer than \(f(longTurn, 0)) s", target: target) }
        let withBC = long.filter { turn in agentBC.contains { turn.contains($0.time) } }
        let share = Double(withBC.count) / Double(long.count)
        return Judgement(score: ramp(share, pass: t("sharePass"), fail: t("shareFail")),
                         measured: ["longCustomerTurnCount": Double(long.count), "turnsWithBackchannelRatio": share], target: target,
                         evidence: long.map { turn in
                             let n = agentBC.filter { turn.contains($0.time) }.count
                             return .init(start: turn.start, end: turn.end, note: "customer turn of \(f(turn.durationSeconds)) s: \(n) agent backchannel\(n == 1 ? "" : "s")",
                                          kind: EvidenceKind.customerTurn.rawValue,
                                          values: ["durationSeconds": turn.durationSeconds, "backchannelCount": Double(n)])
                         })
    }

    static func noWaiting(_ input: RubricInput, _ t: (String) -> Double) -> Judgement {
        let target = "holds ≤ \(f(t("holdPassSeconds"), 0)) s (fail ≥ \(f(t("holdFailSeconds"), 0)) s); dead air ≤ \(f(t("deadAirPassSeconds"), 0)) s (fail ≥ \(f(t("deadAirFailSeconds"), 0)) s); response latency ≤ \(f(t("latencyPassSeconds"), 0)) s (fail ≥ \(f(t("latencyFailSeconds"), 0)) s)"
        guard let c = input.conversation else { return .notMeasurable(.noAgentSpeech, "no agent speech", target: target) }
        var s = 1.0
        var measured: [String: Double] = [:]
        var evidence: [GuidelineResult.Evidence] = []
        let longestHold = c.holds.map { $0.end - $0.start }.max() ?? 0
        measured["longestHoldSeconds"] = longestHold
        s = min(s, ramp(longestHold, pass: t("holdPassSeconds"), fail: t("holdFailSeconds")))
        for h in c.holds where h.end - h.start > t("holdPassSeconds") {
            evidence.append(.init(start: h.start, end: h.end, note: "\(h.kind.rawValue) hold of \(f(h.end - h.start)) s",
                                  kind: "hold-\(h.kind.rawValue)", values: ["durationSeconds": h.end - h.start]))
        }
        let longestDead = c.deadAir.map(\.durationSeconds).max() ?? 0
        measured["longestDeadAirSeconds"] = longestDead
        s = min(s, ramp(longestDead, pass: t("deadAirPassSeconds"), fail: t("deadAirFailSeconds")))
        for d in c.deadAir where d.durationSeconds > t("deadAirPassSeconds") {
            evidence.append(.init(start: d.start, end: d.end, note: "dead air of \(f(d.durationSeconds)) s",
                                  kind: EvidenceKind.deadAir.rawValue, values: ["durationSeconds": d.durationSeconds]))
        }
        if let l = c.responseLatency {
            let longest = l.longestSeconds ?? 0
            measured["longestResponseLatencySeconds"] = longest
            s = min(s, ramp(longest, pass: t("latencyPassSeconds"), fail: t("latencyFailSeconds")))
            for item in l.items where item.seconds > t("latencyPassSeconds") {
                evidence.append(.init(start: item.customerEnd, end: item.agentStart, note: "agent answered after \(f(item.seconds)) s",
                                      kind: EvidenceKind.responseLatency.rawValue, values: ["durationSeconds": item.seconds]))
            }
        }
        return Judgement(score: s, measured: measured, target: target, evidence: evidence.sorted { $0.start < $1.start })
    }

    static func answerPromptly(_ input: RubricInput, _ t: (String) -> Double) -> Judgement {
        let target = "answered within \(f(t("ringsPassMax"), 0)) rings (fail at \(f(t("ringsFailMin"), 0))); without ringing, first agent speech within \(f(t("answerPassSeconds"), 0)) s (fail ≥ \(f(t("answerFailSeconds"), 0)) s)"
        guard let c = input.conversation, let first = c.timeToAnswerSeconds else { return .notMeasurable(.agentNeverSpeaks, "the agent never speaks", target: target) }
        if let rings = c.ringCount, let list = c.rings, let r0 = list.first {
            return Judgement(score: ramp(Double(rings), pass: t("ringsPassMax"), fail: t("ringsFailMin")),
                             measured: ["ringCount": Double(rings), "timeToAnswerSeconds": first], target: target,
                             evidence: [.init(start: r0.start, end: first, note: "\(rings) ring\(rings == 1 ? "" : "s") before the agent's first speech",
                                                        kind: EvidenceKind.rings.rawValue, values: ["ringCount": Double(rings)])])
        }
        return Judgement(score: ramp(first, pass: t("answerPassSeconds"), fail: t("answerFailSeconds")),
                         measured: ["timeToAnswerSeconds": first], target: target,
                         evidence: [.init(start: 0, end: first, note: "agent first speaks at \(f(first)) s",
                                                    kind: EvidenceKind.firstSpeech.rawValue, values: ["seconds": first])])
    }

    static func silentCall(_ input: RubricInput, _ t: (String) -> Double) -> Judgement {
        let target = "customer silent: at least \(f(t("minimumPrompts"), 0)) prompts, the first gap \(f(t("gapPassMinSeconds"), 0))–\(f(t("gapPassMaxSeconds"), 0)) s (fail < \(f(t("gapFailBelowSeconds"), 0)) s or > \(f(t("gapFailAboveSeconds"), 0)) s)"
        guard input.customer != nil else { return .notMeasurable(.mono, monoReason, target: target) }
        guard let sc = input.conversation?.silentCall else {
            return .notMeasurable(.notSilentCall, "not a silent call: the customer speaks", target: target)
        }
        let prompts = sc.prompts.count
        var measured = ["promptCount": Double(prompts)]
        var evidence = sc.prompts.enumerated().map { k, p in
            GuidelineResult.Evidence(start: p.start, end: p.end, note: k == 0 ? "greeting" : "prompt \(k + 1)",
                                     kind: (k == 0 ? EvidenceKind.greeting : .prompt).rawValue, values: k == 0 ? nil : ["number": Double(k + 1)])
        }
        guard Double(prompts) >= t("minimumPrompts"), let gap = sc.gaps.first else {
            return Judgement(score: 0, measured: measured, target: target, evidence: evidence)
        }
        measured["firstGapSeconds"] = gap.durationSeconds
        evidence.append(.init(start: gap.start, end: gap.end, note: "waited \(f(gap.durationSeconds)) s before prompting again",
                              kind: EvidenceKind.firstGap.rawValue, values: ["durationSeconds": gap.durationSeconds]))
        let s = min(ramp(gap.durationSeconds, pass: t("gapPassMinSeconds"), fail: t("gapFailBelowSeconds")),
                    ramp(gap.durationSeconds, pass: t("gapPassMaxSeconds"), fail: t("gapFailAboveSeconds")))
        return Judgement(score: s, measured: measured, target: target, evidence: evidence.sorted { $0.start < $1.start })
    }
}
