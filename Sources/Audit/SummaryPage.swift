import Foundation
import Reports
import SpeechAnalysis

/// The summary page for a QA lead: one self-contained HTML file (inline CSS and SVG, no script, a
/// Content-Security-Policy that forbids every external load) with the team table, each group's
/// score distribution, the guideline pass rates, the weekly trend and the outliers linking to their
/// worst calls' coaching pages. A pure function of the summary: the same summary gives the same bytes.
public enum SummaryPage {
    typealias E = HTMLEscape

    /// - Parameter callPages: analysis key → relative link of that call's coaching page.
    public static func html(_ s: AuditSummary, language: SpeechLanguage, callPages: [String: String] = [:]) -> String {
        let t = Words(language)
        let guidelineText = PageText(language)
        func title(_ id: String) -> String { let w = guidelineText("title.\(id)"); return w == "title.\(id)" ? id : w }
        let groupWord = t(s.grouping.rawValue)
        var body = "<header><h1>\(E.text(t("title")))</h1><p class=\"sub\">"
        body += E.text(t("byLine", ["group": groupWord, "calls": String(s.total.callCount), "hours": f(s.total.audioHours, 2),
                                      "rubric": s.rubricVersion]))
        body += "</p></header>\n"

        // Figures.
        body += "<section class=\"figs\">"
        body += fig(t("calls"), String(s.total.callCount)) + fig(t("hours"), f(s.total.audioHours, 2))
        body += fig(t("meanScore"), f(s.total.score?.mean, 1)) + fig(t("aht"), f(s.total.averageHandlingMinutes, 1) + " min",
                                                                      note: t("ahtTarget"))
        body += fig(t("outliers"), String(s.outliers.count))
        body += "</section>\n"

        // The table.
        let outlierAgents = Set(s.outliers.map(\.agent))
        body += "<section><h2>\(E.text(t("table", ["group": groupWord])))</h2><div class=\"wide\"><table><thead><tr>"
        let heads = [groupWord] + (s.grouping == .agent ? [t("team")] : []) +
            ["calls", "hours", "meanScore", "rate", "level", "f0", "interruptions", "backchannels", "deadAir", "holds", "fillers", "ahtColumn"].map { t($0) }
        // A heading may wrap after a slash ("Interruptions/<wbr>call"), so the table fits a laptop's window.
        body += heads.map { "<th>\(E.text($0).replacingOccurrences(of: "/", with: "/<wbr>"))</th>" }.joined() + "</tr></thead><tbody>\n"
        for (i, g) in (s.groups + [s.total]).enumerated() {
            let isTotal = i == s.groups.count
            let name = isTotal ? t("all") : (g.name.isEmpty ? t("none") : g.name)
            let flagged = s.grouping == .agent && outlierAgents.contains(g.name)
            body += "<tr\(isTotal ? " class=\"total\"" : "")><th scope=\"row\">\(E.text(name))\(flagged ? " <span class=\"flag\" title=\"\(E.attribute(t("outliers")))\">▲</span>" : "")</th>"
            if s.grouping == .agent { body += "<td>\(E.text(isTotal ? "" : g.team ?? ""))</td>" }
            let cells = [String(g.callCount), f(g.audioHours, 2), f(g.score?.mean, 1), f(g.articulationRateMedianSyllablesPerSecond, 2),
                         f(g.activeSpeechLevelMedianDBov, 1), f(g.f0StdevMedianSemitones, 2), f(g.interruptionsPerCall, 2),
                         f(g.backchannelsPerCall, 2), f(g.deadAirPerCall, 2), f(g.holdsPerCall, 2), f(g.filledPausesMedianPerMinute, 2),
                         f(g.averageHandlingMinutes, 1)]
            body += cells.map { "<td>\(E.text($0))</td>" }.joined() + "</tr>\n"
        }
        body += "</tbody></table></div><p class=\"note\">\(E.text(t("units")))</p></section>\n"

        // Score distribution per group.
        body += "<section><h2>\(E.text(t("distribution", ["group": groupWord])))</h2>" + boxPlots(s, t) + "</section>\n"

        // Pass rates.
        body += "<section><h2>\(E.text(t("passRates")))</h2>" + passBars(s, title) + passTable(s, t, title) + "</section>\n"

        // Trend per week.
        body += "<section><h2>\(E.text(t("trend")))</h2>" + trend(s, t) + "</section>\n"

        // Outliers.
        body += "<section><h2>\(E.text(t("outliersTitle")))</h2><p class=\"note\">\(E.text(t("outliersRule", ["calls": f(s.settings["minimumCallsPerAgent"], 0), "agents": f(s.settings["minimumAgentsPerTeam"], 0)])))</p>"
        if s.outliers.isEmpty {
            body += "<p>\(E.text(t("noOutliers")))</p>"
        } else {
            body += "<ul class=\"outliers\">"
            for o in s.outliers {
                let direction = o.modifiedZ > 0 ? t("above") : t("below")
                body += "<li><b>\(E.text(o.agent))</b>\(o.team.isEmpty ? "" : " (\(E.text(o.team)))"): "
                body += E.text(t("outlierLine", ["measure": t("m." + o.measure), "value": f(o.value, 2), "unit": o.unit,
                                                  "diff": f(abs(o.value - o.peerMedian), 2), "direction": direction,
                                                  "median": f(o.peerMedian, 2), "z": f(o.modifiedZ, 1)]))
                let links = o.worstCalls.map { c -> String in
                    if let href = callPages[c.key] { return "<a href=\"\(E.attribute(href))\">\(E.text(c.path))</a>" }
                    return E.text(c.path)
                }
                body += "<br><span class=\"worst\">\(E.text(t("worst"))): " + links.joined(separator: ", ") + "</span></li>"
            }
            body += "</ul>"
        }
        body += "</section>\n<footer>\(E.text(t("footer", ["hash": String(s.rubricSHA256.prefix(12))])))</footer>\n"
        let lang = language.rawValue
        return """
        <!DOCTYPE html>
        <html lang="\(lang)"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(E.attribute(PageStyle.contentSecurityPolicy(css: css, script: nil)))">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(E.text(t("title")))</title>
        <style>\(css)</style></head>
        <body>
        \(body)</body></html>

        """
    }

    static func f(_ x: Double?, _ digits: Int) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "–" }
    static func n(_ v: Double) -> String { PageStyle.n(v) }

    static func fig(_ label: String, _ value: String, note: String? = nil) -> String {
        "<div class=\"fig\"><div class=\"v\">\(E.text(value))</div><div class=\"l\">\(E.text(label))</div>"
            + (note.map { "<div class=\"n\">\(E.text($0))</div>" } ?? "") + "</div>"
    }

    /// One row per group: whiskers min–max, box p25–p75, median line, mean dot, on a 0–100 axis.
    static func boxPlots(_ s: AuditSummary, _ t: Words) -> String {
        let rows = (s.groups + [s.total]).enumerated().filter { $0.element.score != nil }
        guard !rows.isEmpty else { return "<p>–</p>" }
        let left = 150.0, width = 560.0, rowHeight = 26.0, top = 24.0
        let height = top + rowHeight * Double(rows.count) + 8
        func x(_ v: Double) -> String { n(left + v / 100 * width) }
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(n(left + width + 20)) \(n(height))\" role=\"img\" aria-label=\"\(E.attribute(t("distribution", ["group": t(s.grouping.rawValue)])))\">"
        for v in stride(from: 0.0, through: 100, by: 20) {
            svg += "<line x1=\"\(x(v))\" y1=\"\(n(top - 6))\" x2=\"\(x(v))\" y2=\"\(n(height - 6))\" class=\"grid\"/><text x=\"\(x(v))\" y=\"14\" class=\"axis\" text-anchor=\"middle\">\(Int(v))</text>"
        }
        for (k, (i, g)) in rows.enumerated() {
            let d = g.score!
            let y = top + rowHeight * Double(k) + rowHeight / 2
            let name = i == s.groups.count ? t("all") : (g.name.isEmpty ? t("none") : g.name)
            svg += "<text x=\"\(n(left - 8))\" y=\"\(n(y + 4))\" text-anchor=\"end\" class=\"lab\">\(E.text(String(name.prefix(22))))</text>"
            svg += "<line x1=\"\(x(d.min))\" y1=\"\(n(y))\" x2=\"\(x(d.max))\" y2=\"\(n(y))\" class=\"whisker\"/>"
            svg += "<rect x=\"\(x(d.p25))\" y=\"\(n(y - 8))\" width=\"\(n(max(1, (d.p75 - d.p25) / 100 * width)))\" height=\"16\" class=\"box\"/>"
            svg += "<line x1=\"\(x(d.median))\" y1=\"\(n(y - 8))\" x2=\"\(x(d.median))\" y2=\"\(n(y + 8))\" class=\"median\"/>"
            svg += "<circle cx=\"\(x(d.mean))\" cy=\"\(n(y))\" r=\"3\" class=\"mean\"><title>\(E.text(t("meanScore"))) \(f(d.mean, 1)), n = \(g.callCount)</title></circle>"
        }
        return svg + "</svg><p class=\"note\">\(E.text(t("boxNote")))</p>"
    }

    static func passBars(_ s: AuditSummary, _ title: (String) -> String) -> String {
        let ids = s.guidelines.filter { s.total.passRate[$0] != nil }
        guard !ids.isEmpty else { return "<p>–</p>" }
        let left = 250.0, width = 420.0, rowHeight = 22.0
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(n(left + width + 60)) \(n(rowHeight * Double(ids.count) + 6))\" role=\"img\" aria-label=\"pass rates\">"
        for (k, id) in ids.enumerated() {
            let r = s.total.passRate[id]!
            let y = rowHeight * Double(k) + 3
            let colour = r >= 0.8 ? "#1a7f37" : (r >= 0.5 ? "#9a6700" : "#cf222e")
            svg += "<text x=\"\(n(left - 8))\" y=\"\(n(y + 13))\" text-anchor=\"end\" class=\"lab\">\(E.text(title(id)))</text>"
            svg += "<rect x=\"\(n(left))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"16\" class=\"track\"/>"
            svg += "<rect x=\"\(n(left))\" y=\"\(n(y))\" width=\"\(n(r * width))\" height=\"16\" fill=\"\(colour)\"/>"
            svg += "<text x=\"\(n(left + width + 6))\" y=\"\(n(y + 13))\" class=\"lab\">\(Int((r * 100).rounded())) %</text>"
        }
        return svg + "</svg>"
    }

    static func passTable(_ s: AuditSummary, _ t: Words, _ title: (String) -> String) -> String {
        let ids = s.guidelines.filter { s.total.passRate[$0] != nil }
        guard !ids.isEmpty, !s.groups.isEmpty else { return "" }
        var html = "<div class=\"wide\"><table class=\"heat\"><thead><tr><th></th>" + ids.map { "<th>\(E.text(title($0)))</th>" }.joined() + "</tr></thead><tbody>"
        for g in s.groups {
            html += "<tr><th scope=\"row\">\(E.text(g.name.isEmpty ? t("none") : g.name))</th>"
            for id in ids {
                if let r = g.passRate[id] {
                    let cls = r >= 0.8 ? "good" : (r >= 0.5 ? "mid" : "bad")
                    html += "<td class=\"\(cls)\">\(Int((r * 100).rounded())) %</td>"
                } else { html += "<td>–</td>" }
            }
            html += "</tr>"
        }
        return html + "</tbody></table></div>"
    }

    /// Mean score per ISO week, all calls.
    static func trend(_ s: AuditSummary, _ t: Words) -> String {
        let weeks = s.total.weeklyMeanScore.sorted { $0.key < $1.key }
        guard !weeks.isEmpty else { return "<p>\(E.text(t("noDates")))</p>" }
        let left = 40.0, width = 600.0, top = 10.0, height = 160.0
        let step = weeks.count > 1 ? width / Double(weeks.count - 1) : 0
        func y(_ v: Double) -> Double { top + (100 - v) / 100 * height }
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(n(left + width + 40)) \(n(top + height + 30))\" role=\"img\" aria-label=\"\(E.attribute(t("trend")))\">"
        for v in stride(from: 0.0, through: 100, by: 25) {
            svg += "<line x1=\"\(n(left))\" y1=\"\(n(y(v)))\" x2=\"\(n(left + width))\" y2=\"\(n(y(v)))\" class=\"grid\"/><text x=\"\(n(left - 6))\" y=\"\(n(y(v) + 4))\" text-anchor=\"end\" class=\"axis\">\(Int(v))</text>"
        }
        let points = weeks.enumerated().map { (k, w) in (left + (weeks.count > 1 ? step * Double(k) : width / 2), y(w.value)) }
        if points.count > 1 {
            svg += "<polyline class=\"line\" points=\"\(points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " "))\"/>"
        }
        for (k, w) in weeks.enumerated() {
            svg += "<circle cx=\"\(n(points[k].0))\" cy=\"\(n(points[k].1))\" r=\"4\" class=\"mean\"><title>\(E.text(w.key)): \(f(w.value, 1))</title></circle>"
            svg += "<text x=\"\(n(points[k].0))\" y=\"\(n(top + height + 20))\" text-anchor=\"middle\" class=\"axis\">\(E.text(w.key))</text>"
        }
        return svg + "</svg>"
    }

    static let css = """
    body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Noto Sans CJK JP",sans-serif;margin:0 auto;max-width:1100px;padding:16px 24px;color:#1f2328;background:#fff}
    h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.1rem;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
    .sub,.note{color:#57606a;font-size:.85rem}.figs{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-top:12px}
    .fig{border:1px solid #d0d7de;border-radius:8px;padding:10px 12px}.fig .v{font-size:1.4rem;font-weight:700}.fig .l{color:#57606a;font-size:.85rem}.fig .n{color:#57606a;font-size:.75rem}
    .wide{overflow-x:auto}table{border-collapse:collapse;font-size:.85rem;width:100%}th,td{padding:4px 6px;border-bottom:1px solid #eaeef2;text-align:right;white-space:nowrap}
    thead th{white-space:normal;vertical-align:bottom;font-size:.8rem;line-height:1.2;min-width:3.5em;max-width:7.5em}
    th[scope=row],thead th:first-child{text-align:left}thead th{background:#f6f8fa;font-weight:600}tr.total{font-weight:700;background:#f6f8fa}
    .flag{color:#cf222e}.heat td.good{background:#dafbe1}.heat td.mid{background:#fff8c5}.heat td.bad{background:#ffebe9}
    svg.chart{width:100%;height:auto;max-width:820px}.grid{stroke:#eaeef2}.axis{font-size:11px;fill:#57606a}.lab{font-size:12px;fill:#1f2328}
    .whisker{stroke:#57606a;stroke-width:1.5}.box{fill:#b6d4f2;stroke:#1d6fb8}.median{stroke:#0b3d6b;stroke-width:2.5}.mean{fill:#d9822b}
    .track{fill:#eaeef2}.line{fill:none;stroke:#1d6fb8;stroke-width:2}ul.outliers{padding-left:18px}ul.outliers li{margin:6px 0}.worst{font-size:.85rem;color:#57606a}
    footer{margin-top:32px;color:#57606a;font-size:.75rem}
    """

    /// The page's own words (guideline titles come from the coaching page's tables).
    struct Words {
        let table: [String: String]
        init(_ language: SpeechLanguage) { table = language == .zh ? Self.zh : (language == .ja ? Self.ja : Self.en) }
        func callAsFunction(_ key: String, _ values: [String: String] = [:]) -> String {
            var s = table[key] ?? Self.en[key] ?? key
            for (k, v) in values { s = s.replacingOccurrences(of: "{\(k)}", with: v) }
            return s
        }

        static let en: [String: String] = [
            "title": "Call audit summary", "byLine": "By {group} · {calls} calls · {hours} h of audio · rubric {rubric}",
            "agent": "Agent", "team": "Team", "date": "Date", "week": "Week", "all": "All calls", "none": "(not given)",
            "calls": "Calls", "hours": "Hours", "meanScore": "Mean score", "aht": "Average handling time", "ahtColumn": "Average handling time (min)", "ahtTarget": "target 4–6 min",
            "outliers": "Outliers", "table": "Per {group}", "rate": "Rate (syl/s)", "level": "Level (dBov)", "f0": "F0 spread (st)",
            "interruptions": "Interruptions/call", "backchannels": "Backchannels/call", "deadAir": "Dead air/call", "holds": "Holds/call",
            "fillers": "Fillers/min", "units": "Rate, level, F0 spread and fillers: medians over the calls; the rest: means per call. Interruptions and backchannels are the agent's.",
            "distribution": "Score distribution per {group}", "boxNote": "Box: middle half of the calls; line: median; dot: mean; whiskers: lowest to highest.",
            "passRates": "Guideline pass rates", "trend": "Mean score per ISO week", "noDates": "No dates recorded: give a date column or --agent-from with {date}.",
            "outliersTitle": "Agents far from their peers",
            "outliersRule": "Agents with at least {calls} calls, compared with their team (at least {agents} such agents): |0.6745·(x − median)/MAD| ≥ 3.5 (Iglewicz & Hoaglin).",
            "noOutliers": "None.", "above": "above", "below": "below", "worst": "Calls to listen to first",
            "outlierLine": "{measure} {value} {unit}, {diff} {direction} the team's median {median} (modified z {z})",
            "footer": "voiceqa audit summary · rubric {hash}",
            "m.score": "score", "m.articulation rate": "articulation rate", "m.active speech level": "active speech level", "m.F0 spread": "F0 spread",
            "m.interruptions per call": "interruptions per call", "m.backchannels per call": "backchannels per call",
            "m.dead air per call": "dead air per call", "m.holds per call": "holds per call", "m.fillers per minute": "fillers per minute",
            "m.handling time": "handling time",
        ]
        static let zh: [String: String] = [
            "title": "通话质检汇总", "byLine": "按{group} · {calls} 通 · 音频 {hours} 小时 · 评分标准 {rubric}",
            "agent": "坐席", "team": "团队", "date": "日期", "week": "周", "all": "全部通话", "none": "（未注明）",
            "calls": "通话数", "hours": "小时", "meanScore": "平均分", "aht": "平均处理时长", "ahtColumn": "平均处理时长（分钟）", "ahtTarget": "目标 4–6 分钟",
            "outliers": "异常值", "table": "按{group}", "rate": "语速（音节/秒）", "level": "音量（dBov）", "f0": "音高变化（半音）",
            "interruptions": "每通插话", "backchannels": "每通应答", "deadAir": "每通冷场", "holds": "每通保留", "fillers": "每分钟填充词",
            "units": "语速、音量、音高变化和填充词为各通话的中位数；其余为每通平均。插话和应答指坐席。",
            "distribution": "各{group}得分分布", "boxNote": "方框：中间一半通话；竖线：中位数；圆点：平均；横线：最低到最高。",
            "passRates": "各项规范达标率", "trend": "每 ISO 周平均分", "noDates": "没有日期：请在清单中提供 date 列，或用 --agent-from 的 {date}。",
            "outliersTitle": "明显偏离同组的坐席",
            "outliersRule": "至少 {calls} 通的坐席与本团队（至少 {agents} 名此类坐席）比较：|0.6745·(x − 中位数)/MAD| ≥ 3.5（Iglewicz & Hoaglin）。",
            "noOutliers": "无。", "above": "高于", "below": "低于", "worst": "建议优先收听",
            "outlierLine": "{measure} {value} {unit}，{direction}团队中位数 {median} 达 {diff}（修正 z 值 {z}）",
            "footer": "voiceqa 质检汇总 · 评分标准 {hash}",
            "m.score": "得分", "m.articulation rate": "语速", "m.active speech level": "语音音量", "m.F0 spread": "音高变化",
            "m.interruptions per call": "每通插话", "m.backchannels per call": "每通应答", "m.dead air per call": "每通冷场",
            "m.holds per call": "每通保留", "m.fillers per minute": "每分钟填充词", "m.handling time": "处理时长",
        ]
        static let ja: [String: String] = [
            "title": "通話品質監査サマリー", "byLine": "{group}別 · {calls} 件 · 音声 {hours} 時間 · 評価基準 {rubric}",
            "agent": "オペレーター", "team": "チーム", "date": "日付", "week": "週", "all": "全通話", "none": "（記載なし）",
            "calls": "通話数", "hours": "時間", "meanScore": "平均スコア", "aht": "平均処理時間", "ahtColumn": "平均処理時間（分）", "ahtTarget": "目標 4〜6 分",
            "outliers": "外れ値", "table": "{group}別", "rate": "話速（音節/秒）", "level": "音量（dBov）", "f0": "抑揚（半音）",
            "interruptions": "割り込み/通話", "backchannels": "相づち/通話", "deadAir": "無音/通話", "holds": "保留/通話", "fillers": "フィラー/分",
            "units": "話速・音量・抑揚・フィラーは通話ごとの中央値、その他は通話あたりの平均。割り込みと相づちはオペレーターのもの。",
            "distribution": "{group}別スコア分布", "boxNote": "箱：中央の半数の通話、線：中央値、点：平均、ひげ：最低〜最高。",
            "passRates": "ガイドライン達成率", "trend": "ISO 週ごとの平均スコア", "noDates": "日付がありません。マニフェストの date 列か --agent-from の {date} を指定してください。",
            "outliersTitle": "同僚から大きく離れたオペレーター",
            "outliersRule": "{calls} 件以上のオペレーターをチーム内（該当者 {agents} 名以上）で比較：|0.6745·(x − 中央値)/MAD| ≥ 3.5（Iglewicz & Hoaglin）。",
            "noOutliers": "なし。", "above": "上回る", "below": "下回る", "worst": "まず聞くべき通話",
            "outlierLine": "{measure} {value} {unit}、チームの中央値 {median} を {diff} {direction}（修正 z 値 {z}）",
            "footer": "voiceqa 監査サマリー · 評価基準 {hash}",
            "m.score": "スコア", "m.articulation rate": "話速", "m.active speech level": "音声レベル", "m.F0 spread": "抑揚",
            "m.interruptions per call": "通話あたりの割り込み", "m.backchannels per call": "通話あたりの相づち", "m.dead air per call": "通話あたりの無音",
            "m.holds per call": "通話あたりの保留", "m.fillers per minute": "1 分あたりのフィラー", "m.handling time": "処理時間",
        ]
    }
}

/// Writes `DIR/index.html` and the outliers' worst calls' coaching pages into `DIR/calls/`, from the
/// stored analyses (no audio is decoded; the recording is linked when it is still where it was).
public enum SummaryPageWriter {
    public static func write(summary: AuditSummary, store: AuditStore, folder: String, language: SpeechLanguage,
                             recordingPaths: [String: String]) throws {
        let fm = FileManager.default
        let callsFolder = (folder as NSString).appendingPathComponent("calls")
        do { try fm.createDirectory(atPath: callsFolder, withIntermediateDirectories: true) } catch {
            throw AuditError.cannotRead(path: folder, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        var pages: [String: String] = [:]
        let keys = Array(Set(summary.outliers.flatMap { $0.worstCalls.map(\.key) })).sorted()
        let decoder = JSONDecoder()
        for key in keys {
            guard let json = try store.reportJSON(key: key), let report = try? decoder.decode(AnalysisReport.self, from: json) else { continue }
            let name = "calls/\(key.prefix(16)).html"
            var audio = CoachingPage.Audio.none
            if let recording = recordingPaths[key], fm.fileExists(atPath: recording), CoachingPage.browsersCanPlay(format: report.audio.format) {
                audio = .link(relativePath: relativePath(from: callsFolder, to: recording))
            }
            let html = CoachingPage.html(for: report, pageLanguage: language, audio: audio)
            try writeText(html, to: (folder as NSString).appendingPathComponent(name))
            pages[key] = name
        }
        try writeText(SummaryPage.html(summary, language: language, callPages: pages), to: (folder as NSString).appendingPathComponent("index.html"))
    }

    static func writeText(_ text: String, to path: String) throws {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
            throw AuditError.cannotRead(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    /// `target` relative to the folder `base` ('/' separators), both made absolute first.
    static func relativePath(from base: String, to target: String) -> String {
        RelativePath.of(target, from: base)
    }
}
