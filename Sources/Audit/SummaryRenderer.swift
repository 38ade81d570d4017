import Foundation

/// Text, CSV and JSON renderings of a summary. Pure functions.
public enum SummaryRenderer {
    static func f(_ x: Double?, _ digits: Int) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "-" }
    static func percent(_ x: Double?) -> String { x.map { String(format: "%.0f%%", $0 * 100) } ?? "-" }
    static func label(_ name: String, _ grouping: AuditSummary.Grouping) -> String {
        name.isEmpty ? "(no \(grouping.rawValue))" : name
    }

    public static func json(_ s: AuditSummary) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try e.encode(s), as: UTF8.self)
    }

    static let columns = ["calls", "audio_hours", "score_mean", "score_p25", "score_median", "score_p75", "articulation_rate_median",
                          "active_speech_level_median_dbov", "f0_spread_median_semitones", "interruptions_per_call",
                          "backchannels_per_call", "dead_air_per_call", "holds_per_call", "fillers_per_minute_median",
                          "average_handling_minutes"]

    static func values(_ g: AuditSummary.Group) -> [String] {
        [String(g.callCount), f(g.audioHours, 3), f(g.score?.mean, 1), f(g.score?.p25, 1), f(g.score?.median, 1), f(g.score?.p75, 1),
         f(g.articulationRateMedianSyllablesPerSecond, 2), f(g.activeSpeechLevelMedianDBov, 1), f(g.f0StdevMedianSemitones, 2),
         f(g.interruptionsPerCall, 2), f(g.backchannelsPerCall, 2), f(g.deadAirPerCall, 2), f(g.holdsPerCall, 2),
         f(g.filledPausesMedianPerMinute, 2), f(g.averageHandlingMinutes, 2)]
    }

    /// One row per group (and `all` last): the measures, then `pass_rate_<guideline>` columns, then
    /// for agents `outliers` (measure: value; …).
    public static func csv(_ s: AuditSummary) -> String {
        var header = [s.grouping.rawValue] + (s.grouping == .agent ? ["team"] : []) + columns + s.guidelines.map { "pass_rate_\($0)" }
        if s.grouping == .agent { header.append("outliers") }
        var lines = [CSV.row(header)]
        for (i, g) in (s.groups + [s.total]).enumerated() {
            let isTotal = i == s.groups.count
            var row = [isTotal ? "all" : g.name] + (s.grouping == .agent ? [isTotal ? "" : g.team ?? ""] : []) + values(g)
            row += s.guidelines.map { g.passRate[$0].map { String(format: "%.4f", $0) } ?? "" }
            if s.grouping == .agent {
                row.append(isTotal ? "" : s.outliers.filter { $0.agent == g.name }.map { "\($0.measure): \(f($0.value, 2)) (z \(f($0.modifiedZ, 1)))" }.joined(separator: "; "))
            }
            lines.append(CSV.row(row))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func text(_ s: AuditSummary) -> String {
        var out: [String] = []
        let t = s.total
        out.append("Audit summary by \(s.grouping.rawValue): \(t.callCount) calls, " + f(t.audioHours, 2) + " h of audio, rubric \(s.rubricVersion) (\(s.rubricSHA256.prefix(12)))")
        if let d = t.score {
            out.append("Score: mean \(f(d.mean, 1)), median \(f(d.median, 1)) (quartiles \(f(d.p25, 1))–\(f(d.p75, 1)), range \(f(d.min, 0))–\(f(d.max, 0)))")
        }
        let bands = s.ratePassBand.sorted { $0.key < $1.key }.map { "\($0.key) \(f($0.value[0], 2))–\(f($0.value[1], 2))" }.joined(separator: ", ")
        out.append("Articulation rate pass band (syllables/s; ja in morae/s): \(bands). Handling time target: 4–6 min.")
        out.append("")
        let head = ["", "calls", "hours", "score", "median", "rate", "level", "F0 sd", "int/call", "bc/call", "dead air", "holds", "fill/min", "AHT min"]
        var rows: [[String]] = [head]
        for (i, g) in (s.groups + [t]).enumerated() {
            let name = i == s.groups.count ? "all" : label(g.name, s.grouping) + (g.team.map { $0.isEmpty ? "" : " (\($0))" } ?? "")
            rows.append([name, String(g.callCount), f(g.audioHours, 2), f(g.score?.mean, 1), f(g.score?.median, 1),
                         f(g.articulationRateMedianSyllablesPerSecond, 2), f(g.activeSpeechLevelMedianDBov, 1), f(g.f0StdevMedianSemitones, 2),
                         f(g.interruptionsPerCall, 2), f(g.backchannelsPerCall, 2), f(g.deadAirPerCall, 2), f(g.holdsPerCall, 2),
                         f(g.filledPausesMedianPerMinute, 2), f(g.averageHandlingMinutes, 1)])
        }
        out += table(rows)
        out.append("")
        out.append("Pass rate per guideline (share of the calls where it is measurable):")
        var passRows: [[String]] = [[""] + s.guidelines]
        for (i, g) in (s.groups + [t]).enumerated() { passRows.append([i == s.groups.count ? "all" : label(g.name, s.grouping)] + s.guidelines.map { percent(g.passRate[$0]) }) }
        out += table(passRows)
        out.append("")
        let minCalls = Int(s.settings["minimumCallsPerAgent"] ?? 10), minAgents = Int(s.settings["minimumAgentsPerTeam"] ?? 3)
        if s.outliers.isEmpty {
            out.append("Outliers: none (agents with at least \(minCalls) calls, teams of at least \(minAgents) such agents, |modified z| ≥ \(f(s.settings["modifiedZThreshold"], 1))).")
        } else {
            out.append("Outliers (agents with at least \(minCalls) calls against their team's agents; |modified z| ≥ \(f(s.settings["modifiedZThreshold"], 1))):")
            for o in s.outliers {
                let direction = o.modifiedZ > 0 ? "above" : "below"
                out.append("  \(o.agent)\(o.team.isEmpty ? "" : " (\(o.team))"): \(o.measure) \(f(o.value, 2)) \(o.unit), \(f(abs(o.value - o.peerMedian), 2)) \(direction) the team's median \(f(o.peerMedian, 2)) (modified z \(f(o.modifiedZ, 1)), \(o.callCount) calls); worst: \(o.worstCalls.map(\.path).joined(separator: ", "))")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Columns padded to their widest cell; the first left-aligned, the rest right-aligned.
    static func table(_ rows: [[String]]) -> [String] {
        guard let width = rows.first?.count else { return [] }
        let widths = (0..<width).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
    }
}
