import Foundation
import SpeechAnalysis

/// Judges of the agent's own voice: clear, slightly-slow, warm, greeting-rises, moderate-volume, no-fillers, calm.
extension RubricEvaluator {
    static func clear(_ input: RubricInput, _ t: (String) -> Double) -> Judgement {
        let target = "SNR ≥ \(f(t("snrPassDB"), 0)) dB (fail < \(f(t("snrFailDB"), 0)) dB); clipped samples ≤ \(f(100 * t("clippedPassRatio"), 2)) % of speech (fail ≥ \(f(100 * t("clippedFailRatio"), 2)) %)"
        guard let l = input.agent.loudness, let snr = l.snrDB else {
            return .notMeasurable(.noAgentNoise, "the agent channel has no speech or no non-speech time to measure noise", target: target)
        }
        let clipped = l.clippedSampleRatio ?? 0
        let s = min(ramp(snr, pass: t("snrPassDB"), fail: t("snrFailDB")),
                    ramp(clipped, pass: t("clippedPassRatio"), fail: t("clippedFailRatio")))
        return Judgement(score: s, measured: ["snrDB": snr, "clippedSampleRatio": clipped], target: target,
                         evidence: agentSpan(input, "agent speech: SNR \(f(snr)) dB, \(f(100 * clipped, 2)) % clipped",
                                            .agentSNR, ["snrDB": snr, "clippedPercent": 100 * clipped]))
    }

    /// Articulation rate against the rubric's target (`RateTarget`); a rubric 1.0 file's flat band
    /// (`ratePassMinPerSecond` …) is judged as it was: 100 inside, ramps to 0 at the fail lines.
    static func slightlySlow(_ input: RubricInput, _ t: (String) -> Double) -> Judgement {
        let unit = input.language == .ja ? "morae/s" : "syllables/s"
        let rule = RateTarget(thresholds: Dictionary(uniqueKeysWithValues: RateTarget.names.map { ($0, t($0)) }.filter { $0.1.isFinite }))
        let target: String
        if let rule {
            target = "articulation rate \(f(rule.targetPerSecond, 2)) \(unit) (\(f(100 * rule.targetRatio, 0)) % of the \(input.language.rawValue) norm \(f(rule.normPerSecond, 2))): "
                + "score 100 within ± \(f(rule.fullScoreWithinPercent, 0)) %, 0 beyond ± \(f(rule.zeroScoreBeyondPercent, 0)) %; "
                + "pass from \(f(rule.passMinScore, 0)) points (\(f(rule.passBandPerSecond.lowerBound, 2))–\(f(rule.passBandPerSecond.upperBound, 2))), fail below \(f(rule.failBelowScore, 0))"
        } else {
            target = "articulation rate \(f(t("ratePassMinPerSecond"), 2))–\(f(t("ratePassMaxPerSecond"), 2)) \(unit) (fail < \(f(t("rateFailBelowPerSecond"), 2)) or > \(f(t("rateFailAbovePerSecond"), 2)))"
        }
        guard let r = input.agent.rate else { return .notMeasurable(.noAgentSpeech, "the agent channel has no speech", target: target) }
        let rate: Double
        var measured: [String: Double] = ["articulationRateSyllablesPerSecond": r.articulationRateSyllablesPerSecond]
        if input.language == .ja {
            guard let m = r.articulationRateMoraePerSecond else {
                return .notMeasurable(.moraeNeedJapanese, "Japanese thresholds are in morae; the analysis ran without --language ja", target: target)
            }
            rate = m
            measured["articulationRateMoraePerSecond"] = m
        } else {
            rate = r.articulationRateSyllablesPerSecond
        }
        let kind: EvidenceKind = input.language == .ja ? .articulationRateMorae : .articulationRate
        guard let rule else {
            let s = min(ramp(rate, pass: t("ratePassMinPerSecond"), fail: t("rateFailBelowPerSecond")),
                        ramp(rate, pass: t("ratePassMaxPerSecond"), fail: t("rateFailAbovePerSecond")))
            return Judgement(score: s, measured: measured, target: target,
                             evidence: agentSpan(input, "agent articulation rate \(f(rate, 2)) \(unit)", kind, ["perSecond": rate]))
        }
        let off = rule.vsTargetPercent(rate)
        measured["rateVsTargetPercent"] = off
        let note = "agent articulation rate \(f(rate, 2)) \(unit), \(off >= 0 ? "+" : "−")\(f(abs(off), 0)) % against the target \(f(rule.targetPerSecond, 2))"
        var j = Judgement(score: rule.score(rate), measured: measured, target: target,
                          evidence: agentSpan(input, note, kind, ["perSecond": rate, "targetPerSecond": rule.targetPerSecond, "vsTargetPercent": off]))
        j.verdictOf = { [rule] in rule.verdict(scorePoints: $0) }
        return j
    }

    static func warm(_ input: RubricInput, _ t: (String) -> Double) -> Judgement {
        let target = "F0 spread \(f(t("spreadPassMinSemitones")))–\(f(t("spreadPassMaxSemitones"))) st SD (fail < \(f(t("spreadFailBelowSemitones"))) monotone, > \(f(t("spreadFailAboveSemitones"))) over-excited)"
        guard let p = input.agent.pitch, let sd = p.stdevSemitones else {
            return .notMeasurable(.noVoicedSpeech, "the agent channel has no voiced speech", target: target)
        }
        let s = min(ramp(sd, pass: t("spreadPassMinSemitones"), fail: t("spreadFailBelowSemitones")),
                    ramp(sd, pass: t("spreadPassMaxSemitones"), fail: t("spreadFailAboveSemitones")))
        return Judgement(score: s, measured: ["stdevSemitones": sd, "rangeSemitones": p.rangeSemitones], target: target,
                         evidence: agentSpan(input, "agent F0 spread \(f(sd)) st over \(f(p.voicedSeconds)) s of voicing",
                                            .pitchSpread, ["stdevSemitones": sd, "voicedSeconds": p.voicedSeconds]))
    }

    static func greetingRises(_ input: RubricInput, _ t: (String) -> Double) -> Judgement {
        let target = "greeting rises ≥ \(f(t("risePassSemitones"))) st, or sits ≥ \(f(t("raisedPassSemitones"))) st above the agent's median (fail ≤ \(f(t("riseFailSemitones"))) st)"
        guard let g = input.agent.pitch?.greeting else { return .notMeasurable(.noVoicedGreeting, "the agent has no voiced first utterance", target: target) }
        guard let rise = g.riseSemitones else { return .notMeasurable(.greetingTooShort, "the greeting has too little voicing for a contour", target: target) }
        var s = ramp(rise, pass: t("risePassSemitones"), fail: t("riseFailSemitones"))
        var measured = ["riseSemitones": rise]
        if let m = g.meanSemitonesReMedian {
            measured["meanSemitonesReMedian"] = m
            s = max(s, ramp(m, pass: t("raisedPassSemitones"), fail: t("raisedFailSemitones")))
        }
        return Judgement(score: s, measured: measured, target: target,
                         evidence: [.init(start: g.start, end: g.end, note: "greeting: \(rise >= 0 ? "+" : "")\(f(rise)) st from first to last third",
                                                  kind: EvidenceKind.greetingRise.rawValue, values: ["riseSemitones": rise])])
    }

    static func moderateVolume(_ input: RubricInput, _ t: (String) -> Double) -> Judgement {
        let target = "active speech level \(f(t("targetDBov"), 0)) ± \(f(t("passWithinDB"), 0)) dBov (fail beyond ± \(f(t("failBeyondDB"), 0)) dB); thirds of the call within \(f(t("driftPassDB"), 0)) dB (fail ≥ \(f(t("driftFailDB"), 0)) dB)"
        guard let l = input.agent.loudness, let level = l.activeSpeechLevelDBov else {
            return .notMeasurable(.noActiveSpeech, "P.56 finds no active speech on the agent channel", target: target)
        }
        let off = abs(level - t("targetDBov"))
        var s = ramp(off, pass: t("passWithinDB"), fail: t("failBeyondDB"))
        var measured = ["activeSpeechLevelDBov": level]
        var evidence = agentSpan(input, "agent active speech level \(f(level)) dBov", .speechLevel, ["levelDBov": level])
        let thirds = l.activeSpeechLevelByThirdDBov.enumerated().compactMap { k, v in v.map { (k, $0) } }
        if thirds.count >= 2, let lo = thirds.min(by: { $0.1 < $1.1 }), let hi = thirds.max(by: { $0.1 < $1.1 }) {
            let drift = hi.1 - lo.1
            measured["driftDB"] = drift
            let ds = ramp(drift, pass: t("driftPassDB"), fail: t("driftFailDB"))
            if ds < 1 {
                let third = input.durationSeconds / 3
                for (k, v) in [lo, hi] {
                    evidence.append(.init(start: Double(k) * third, end: Double(k + 1) * third, note: "third \(k + 1): \(f(v)) dBov",
                                          kind: EvidenceKind.thirdLevel.rawValue, values: ["third": Double(k + 1), "levelDBov": v]))
                }
            }
            s = min(s, ds)
        }
        return Judgement(score: s, measured: measured, target: target, evidence: evidence)
    }

    static func noFillers(_ input: RubricInput, _ t: (String) -> Double) -> Judgement {
        let target = "≤ \(f(t("perMinutePass"))) filled pauses per minute of agent speech (fail ≥ \(f(t("perMinuteFail"))))"
        guard let fp = input.conversation?.filledPauses, let rate = fp.perMinuteOfSpeech else {
            return .notMeasurable(.noAgentSpeech, "the agent channel has no speech", target: target)
        }
        return Judgement(score: ramp(rate, pass: t("perMinutePass"), fail: t("perMinuteFail")),
                         measured: ["perMinuteOfSpeech": rate, "count": Double(fp.count)], target: target,
                         evidence: fp.items.map { .init(start: $0.start, end: $0.end, note: "filled pause \(f($0.durationSeconds, 2)) s at \(f($0.f0Hz, 0)) Hz",
                                                    kind: EvidenceKind.filledPause.rawValue, values: ["durationSeconds": $0.durationSeconds, "f0Hz": $0.f0Hz]) })
    }

    static func calm(_ input: RubricInput, _ t: (String) -> Double) -> Judgement {
        let target = "while the customer's voice rises, the agent's level rises ≤ \(f(t("levelRisePassDB"))) dB (fail ≥ \(f(t("levelRiseFailDB")))) and pitch ≤ \(f(t("pitchRisePassSemitones"))) st (fail ≥ \(f(t("pitchRiseFailSemitones")))) over the agent's own baseline"
        guard input.customer != nil else { return .notMeasurable(.mono, monoReason, target: target) }
        guard let c = input.conversation?.calm, let level = c.agentLevelRiseDB else {
            let raised = input.conversation?.calm?.raisedCustomerUnitCount ?? 0
            return .notMeasurable(raised == 0 ? .customerNeverRaised : .agentDidNotRespond, raised == 0 ? "the customer's voice never rose above their own baseline"
                                              : "the agent did not respond to the customer's raised turns", target: target)
        }
        var s = ramp(level, pass: t("levelRisePassDB"), fail: t("levelRiseFailDB"))
        var measured = ["agentLevelRiseDB": level, "raisedCustomerUnitCount": Double(c.raisedCustomerUnitCount)]
        if let p = c.agentPitchRiseSemitones {
            measured["agentPitchRiseSemitones"] = p
            s = min(s, ramp(p, pass: t("pitchRisePassSemitones"), fail: t("pitchRiseFailSemitones")))
        }
        let evidence = c.episodes.map { e in
            GuidelineResult.Evidence(start: e.agentStart, end: e.agentEnd,
                                     note: "after the customer rose \(f(e.customerLevelRiseDB)) dB at \(f(e.customerStart)) s: agent \(e.agentLevelRiseDB >= 0 ? "+" : "")\(f(e.agentLevelRiseDB)) dB"
                                        + (e.agentPitchRiseSemitones.map { ", \($0 >= 0 ? "+" : "")\(f($0)) st" } ?? ""),
                                     kind: EvidenceKind.calmResponse.rawValue,
                                     values: ["customerStart": e.customerStart, "customerLevelRiseDB": e.customerLevelRiseDB, "agentLevelRiseDB": e.agentLevelRiseDB]
                                        .merging(e.agentPitchRiseSemitones.map { ["agentPitchRiseSemitones": $0] } ?? [:]) { a, _ in a })
        }
        return Judgement(score: s, measured: measured, target: target, evidence: evidence)
    }
}
