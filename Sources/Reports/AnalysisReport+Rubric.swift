import CallAnalysis
import Rubric
import SpeechAnalysis

extension RubricInput {
    /// The measures of an analysis, as the rubric reads them.
    public init(_ analysis: CallAnalysis) {
        func party(_ c: ChannelAnalysis) -> Party {
            Party(segments: c.speech.segments, loudness: c.loudness, pitch: c.pitch, rate: c.rate)
        }
        let agent = analysis.channels.first { $0.role == .agent }
        let customer = analysis.channels.first { $0.role == .customer }
        self.init(language: analysis.options.language, durationSeconds: analysis.audio.durationSeconds,
                  agent: agent.map(party) ?? Party(segments: []), customer: customer.map(party),
                  conversation: analysis.conversation)
    }
}

extension ReportRenderer {
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
