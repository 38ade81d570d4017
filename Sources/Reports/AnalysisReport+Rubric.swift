import CallAnalysis
import Rubric
import SpeechAnalysis

extension RubricInput {
    /// The measures of an analysis, as the rubric reads them.
    public init(_ analysis: CallAnalysis) {
        func party(_ c: ChannelAnalysis) -> Party {
            Party(segments: c.speech.segments, loudness: c.loudness, pitch: c.pitch, rate: c.rate,
                  withinTurnPauses: c.speech.withinTurnPauses)
        }
        let agent = analysis.channels.first { $0.role == .agent }
        let customer = analysis.channels.first { $0.role == .customer }
        self.init(language: analysis.options.language, durationSeconds: analysis.audio.durationSeconds,
                  agent: agent.map(party) ?? Party(segments: []), customer: customer.map(party),
                  conversation: analysis.conversation)
        minimumPauseSeconds = analysis.options.pauses.minimumPauseSeconds
    }
}

extension ReportRenderer {
    /// The coaching page's headline figures against their targets, and its moments to coach.
    static func coachingLines(_ r: AnalysisReport) -> [String] {
        let summary = CoachingSummary(r)
        var lines = ["  the agent at a glance:"]
        for f in summary.figures {
            let t = f.thresholds
            var value = "not measured", target = ""
            func v(_ key: String, _ digits: Int = 0) -> String { t[key].map { String(format: "%.\(digits)f", $0) } ?? "?" }
            if let x = f.value {
                switch f.kind {
                case .articulationRate: value = String(format: "%.2f %@", x, f.inMorae ? "morae/s" : "syllables/s")
                case .speechLevel: value = String(format: "%.1f dBov", x)
                case .pitchSpread: value = String(format: "%.1f st", x)
                case .interruptions: value = String(format: "%.0f by the agent", x)
                case .longestWait: value = String(format: "%.1f s", x) + (f.wait.map { " (\($0.rawValue))" } ?? "")
                case .fillers: value = String(format: "%.1f per minute", x)
                }
            }
            if !t.isEmpty {
                switch f.kind {
                case .articulationRate:
                    target = t["targetPerSecond"] != nil
                        ? "target \(v("targetPerSecond", 2)) ± \(v("passWithinPercent")) %"
                        : "target \(v("ratePassMinPerSecond", 2))–\(v("ratePassMaxPerSecond", 2))"
                case .speechLevel: target = "target \(v("targetDBov")) ± \(v("passWithinDB"))"
                case .pitchSpread: target = "target \(v("spreadPassMinSemitones", 1))–\(v("spreadPassMaxSemitones", 1))"
                case .interruptions: target = "target ≤ \(v("passMaxCount"))"
                case .longestWait:
                    let key = switch f.wait { case .hold: "holdPassSeconds"; case .deadAir: "deadAirPassSeconds"; default: "latencyPassSeconds" }
                    target = f.wait == nil ? "" : "target ≤ \(v(key)) s"
                case .fillers: target = "target ≤ \(v("perMinutePass", 1))"
                }
            }
            let name = f.kind.rawValue.replacingOccurrences(of: "-", with: " ")
            lines.append("    \(name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(value.padding(toLength: 26, withPad: " ", startingAt: 0)) \(target.padding(toLength: 20, withPad: " ", startingAt: 0)) \(f.status?.rawValue ?? "")"
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        }
        lines.append("  moments to coach:" + (summary.moments.isEmpty ? " none (no guideline measurable)" : ""))
        for (k, m) in summary.moments.enumerated() {
            let g = m.guideline
            var line = "    \(k + 1). \(m.isMiss ? "to work on" : "done well"): \(g.id) (\(g.verdict.rawValue)"
                + (g.score.map { String(format: ", %.0f", $0) } ?? "") + ")"
            if let e = m.evidence { line += " at \(PageText.clock(e.start)): \(e.note)" }
            lines.append(line)
            if m.isMiss, let tip = g.tip { lines.append("       tip: \(tip)") }
        }
        return lines
    }

    /// Text summary of the guideline verdicts.
    static func guidelineLines(_ r: AnalysisReport) -> [String] {
        guard let guidelines = r.guidelines else { return [] }
        var lines = ["  guidelines (rubric \(r.rubricVersion ?? "?"))" + (r.score.map { String(format: ": score %.0f / 100", $0) } ?? ": no measurable guideline")]
        for g in guidelines {
            let score = g.score.map { String(format: "%3.0f", $0) } ?? "  -"
            var line = "    \(g.verdict.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(score)  \(g.id)"
            if let reason = g.reason { line += ": \(reason)" }
            else if let e = g.evidence.first { line += String(format: ": %@ (%.1f–%.1f s)", e.note, e.start, e.end) }
            lines.append(line)
        }
        return lines
    }
}
