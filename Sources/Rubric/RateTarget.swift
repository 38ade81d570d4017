import DSP

/// The `slightly-slow` rule of rubric 1.1.0 on: a target articulation rate, `targetRatio` × the
/// language's conversational norm, scored by the distance from it in percent of the target —
/// 100 within ± `fullScoreWithinPercent`, falling linearly to 0 at ± `zeroScoreBeyondPercent` —
/// with its own verdict cut-offs (pass from `passMinScore`, fail below `failBelowScore`).
/// Rubric files without these keys keep the pass/fail band of rubric 1.0 (`ratePassMinPerSecond` …).
public struct RateTarget: Sendable, Equatable {
    /// The language's norm in syllables per second (morae for ja): Pellegrino, Coupé & Marsico 2011.
    public var normPerSecond: Double
    /// The target as a ratio of the norm (0.85: GUIDELINES.md's "10–20 % below").
    public var targetRatio: Double
    /// Score 100 while the rate is within this many percent of the target.
    public var fullScoreWithinPercent: Double
    /// Score 0 from this many percent away from the target on.
    public var zeroScoreBeyondPercent: Double
    /// Lowest score (0–100) that passes.
    public var passMinScore: Double
    /// Scores below this (0–100) fail; between the two: warn.
    public var failBelowScore: Double

    /// Threshold names, as in the rubric.
    public static let names = ["normPerSecond", "targetRatio", "fullScoreWithinPercent", "zeroScoreBeyondPercent", "passMinScore", "failBelowScore"]

    /// The rule from a guideline's resolved thresholds; nil when one of its keys is absent (a rubric 1.0 band).
    public init?(thresholds t: [String: Double]) {
        guard let n = t["normPerSecond"], let r = t["targetRatio"], let full = t["fullScoreWithinPercent"],
              let zero = t["zeroScoreBeyondPercent"], let pass = t["passMinScore"], let fail = t["failBelowScore"] else { return nil }
        self.init(normPerSecond: n, targetRatio: r, fullScoreWithinPercent: full, zeroScoreBeyondPercent: zero,
                  passMinScore: pass, failBelowScore: fail)
    }

    public init(normPerSecond: Double, targetRatio: Double, fullScoreWithinPercent: Double, zeroScoreBeyondPercent: Double,
                passMinScore: Double, failBelowScore: Double) {
        self.normPerSecond = normPerSecond
        self.targetRatio = targetRatio
        self.fullScoreWithinPercent = fullScoreWithinPercent
        self.zeroScoreBeyondPercent = zeroScoreBeyondPercent
        self.passMinScore = passMinScore
        self.failBelowScore = failBelowScore
    }

    /// The target rate, per second.
    public var targetPerSecond: Double { normPerSecond * targetRatio }

    /// How far `rate` is from the target, in percent of the target: + faster, − slower.
    public func vsTargetPercent(_ ratePerSecond: Double) -> Double { 100 * (ratePerSecond / targetPerSecond - 1) }

    /// Score 0…1: 1 within ± fullScoreWithinPercent, 0 beyond ± zeroScoreBeyondPercent, linear between.
    public func score(_ ratePerSecond: Double) -> Double {
        ramp(abs(vsTargetPercent(ratePerSecond)), pass: fullScoreWithinPercent, fail: zeroScoreBeyondPercent)
    }

    /// The verdict of a score in points (0–100, as reported).
    public func verdict(scorePoints s: Double) -> GuidelineResult.Verdict {
        s >= passMinScore ? .pass : (s < failBelowScore ? .fail : .warn)
    }

    /// The verdict of a rate, as the evaluator gives it (the score rounded to 0.1 point first).
    public func verdict(ratePerSecond: Double) -> GuidelineResult.Verdict {
        verdict(scorePoints: Rounding.round(100 * score(ratePerSecond), scale: 10))
    }

    /// Distance from the target (percent) at which the score falls to passMinScore: the pass band's half-width.
    public var passWithinPercent: Double { distance(atScore: passMinScore) }
    /// Distance from the target (percent) beyond which the score is below failBelowScore.
    public var failBeyondPercent: Double { distance(atScore: failBelowScore) }
    func distance(atScore points: Double) -> Double {
        zeroScoreBeyondPercent - (zeroScoreBeyondPercent - fullScoreWithinPercent) * points / 100
    }

    /// The rates that pass, per second.
    public var passBandPerSecond: ClosedRange<Double> {
        targetPerSecond * (1 - passWithinPercent / 100)...targetPerSecond * (1 + passWithinPercent / 100)
    }

    /// The rule's numbers by name, for text templates: the thresholds plus the target and the rates
    /// where full score, pass and fail begin (`fullLowPerSecond` … `failHighPerSecond`).
    public var namedValues: [String: Double] {
        let t = targetPerSecond
        func at(_ percent: Double) -> Double { t * (1 + percent / 100) }
        return ["normPerSecond": normPerSecond, "targetRatio": targetRatio, "fullScoreWithinPercent": fullScoreWithinPercent,
                "zeroScoreBeyondPercent": zeroScoreBeyondPercent, "passMinScore": passMinScore, "failBelowScore": failBelowScore,
                "targetPerSecond": t, "passWithinPercent": passWithinPercent, "failBeyondPercent": failBeyondPercent,
                "fullLowPerSecond": at(-fullScoreWithinPercent), "fullHighPerSecond": at(fullScoreWithinPercent),
                "passLowPerSecond": at(-passWithinPercent), "passHighPerSecond": at(passWithinPercent),
                "failLowPerSecond": at(-failBeyondPercent), "failHighPerSecond": at(failBeyondPercent)]
    }
}
