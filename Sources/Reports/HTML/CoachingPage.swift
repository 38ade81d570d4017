import Foundation
import Rubric
import SpeechAnalysis

/// The coaching page: one self-contained HTML file per call (inline CSS and SVG, one small inline
/// script, a Content-Security-Policy that forbids every external load). A pure function of the
/// report and the page language: no clock, no file access, so the same report gives the same bytes.
public enum CoachingPage {
    /// How the page plays the call.
    public enum Audio: Sendable, Equatable {
        /// No player.
        case none
        /// An `<audio>` element pointing at the recording: `relativeURL` is already percent-encoded
        /// (use `link(relativePath:)`); the page attribute-escapes it.
        case link(relativeURL: String)
        /// The recording inside the page as a data URI.
        case embedded(mimeType: String, base64: String)

        /// A link to a relative file path, percent-encoded per RFC 3986.
        public static func link(relativePath: String) -> Audio { .link(relativeURL: HTMLEscape.percentEncodedPath(relativePath)) }
    }

    /// Why the player is what it is, said on the page.
    public enum AudioNote: Sendable, Equatable {
        /// `link` was asked for, but browsers cannot play the recording's encoding (G.711, GSM, ADPCM): embedded instead.
        case embeddedBecauseBrowsersCannotPlay(format: String)
        /// The recording could not be found: no player.
        case recordingNotFound
    }

    public static func html(for report: AnalysisReport, pageLanguage: SpeechLanguage, audio: Audio,
                            audioNote: AudioNote? = nil) -> String {
        let page = Builder(report: report, text: PageText(pageLanguage), audio: audio, audioNote: audioNote)
        return page.render()
    }
}

/// Builds one page; each section is a method returning HTML.
struct Builder {
    let report: AnalysisReport
    let text: PageText
    let audio: CoachingPage.Audio
    let audioNote: CoachingPage.AudioNote?
    let summary: CoachingSummary

    init(report: AnalysisReport, text: PageText, audio: CoachingPage.Audio, audioNote: CoachingPage.AudioNote?) {
        self.report = report
        self.text = text
        self.audio = audio
        self.audioNote = audioNote
        summary = CoachingSummary(report)
    }

    typealias E = HTMLEscape
    var language: SpeechLanguage { text.language }
    var fileName: String { (report.file as NSString).lastPathComponent }

    func render() -> String {
        var body = header() + figures() + moments() + timeline() + cards() + notMeasurable() + warnings()
        body += "<footer>\(E.text(text("footer", [:], ["version": report.tool.version])))</footer>\n"
        body += player()
        return """
        <!DOCTYPE html>
        <html lang="\(language.rawValue)">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(E.attribute(PageStyle.contentSecurityPolicy()))">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="voiceqa \(E.attribute(report.tool.version))">
        <title>\(E.text(text("page.title", [:], ["file": fileName])))</title>
        <style>\(PageStyle.css)</style>
        </head>
        <body>
        \(body)<script>\(PageStyle.script)</script>
        </body>
        </html>

        """
    }

    // MARK: words from the report's structured data

    func title(_ g: GuidelineResult) -> String {
        if let t = g.titles?.text(language), !t.isEmpty { return t }
        return text.has("title.\(g.id)") ? text("title.\(g.id)") : g.id
    }

    func verdictWord(_ v: GuidelineResult.Verdict) -> String { text("verdict.\(v.rawValue)") }
    static func verdictIcon(_ v: GuidelineResult.Verdict) -> String {
        switch v { case .pass: "✓"; case .warn: "!"; case .fail: "✗"; case .notMeasurable: "–" }
    }

    func badge(_ v: GuidelineResult.Verdict) -> String {
        "<span class=\"badge \(v.rawValue)\">\(Self.verdictIcon(v)) \(E.text(verdictWord(v)))</span>"
    }

    var rateUnit: String { text(report.settings.language == .ja ? "unit.moraePerSecond" : "unit.sylPerSecond") }

    func target(_ g: GuidelineResult) -> String? {
        guard let thresholds = CoachingSummary.thresholds(g, in: report), text.has("target.\(g.id)") else { return g.target }
        // slightly-slow with a target (rubric 1.1.0 on) states the target rate and where pass and fail begin.
        if g.id == GuidelineID.slightlySlow.rawValue, let rule = RateTarget(thresholds: thresholds) {
            return text("target.slightly-slow.target", rule.namedValues, ["unit": rateUnit, "language": text("lang.\(report.settings.language.rawValue)")])
        }
        var words = text("target.\(g.id)", thresholds, ["unit": rateUnit])
        // short-sentences' pause checks (rubric 1.2.0 on), each stated only when the rubric makes it.
        if g.id == GuidelineID.shortSentences.rawValue {
            if thresholds["pauseTurnSeconds"] != nil { words += text("target.short-sentences.pause-rate", thresholds) }
            if thresholds["longestPausePassSeconds"] != nil { words += text("target.short-sentences.longest-pause", thresholds) }
        }
        return words
    }

    func evidenceText(_ e: GuidelineResult.Evidence) -> String {
        guard var kind = e.kind else { return e.note }
        let values = e.values ?? [:]
        if kind == EvidenceKind.calmResponse.rawValue, values["agentPitchRiseSemitones"] != nil { kind += "-pitch" }
        if kind.hasPrefix(EvidenceKind.articulationRate.rawValue), values["targetPerSecond"] != nil { kind += "-target" }
        return text.has("evidence.\(kind)") ? text("evidence.\(kind)", values) : e.note
    }

    func reason(_ g: GuidelineResult) -> String? {
        guard let kind = g.reasonKind else { return g.reason }
        if kind == ReasonKind.rubricItem.rawValue {
            // The table says the built-in item's reason; a rubric's own reason is shown as written.
            let builtIn = Rubric.builtIn.notMeasurable.first { $0.id == g.id }
            if let builtIn, builtIn.reason == g.reason, text.has("reason.item.\(g.id)") { return text("reason.item.\(g.id)") }
            return g.reason
        }
        return text.has("reason.\(kind)") ? text("reason.\(kind)", CoachingSummary.thresholds(g, in: report) ?? [:]) : g.reason
    }

    func tip(_ g: GuidelineResult) -> String? {
        guard g.verdict == .warn || g.verdict == .fail else { return nil }
        if let tips = g.tips { return tips.text(language) }
        if language == report.settings.language { return g.tip }
        return GuidelineID(rawValue: g.id).flatMap { Rubric.builtIn.guideline($0)?.tips.text(language) } ?? g.tip
    }

    /// A time link: shows m:ss, seeks to one second before `seconds` when clicked.
    func timeLink(_ seconds: Double, label: String? = nil) -> String {
        let shown = label ?? PageText.clock(seconds)
        return "<a class=\"t\" href=\"#t=\(PageText.fixed(seconds, decimals: 3))\" data-t=\"\(PageText.fixed(seconds, decimals: 3))\">\(E.text(shown))</a>"
    }

    func span(_ e: GuidelineResult.Evidence) -> String {
        let a = PageText.clock(e.start), b = PageText.clock(e.end)
        return timeLink(e.start, label: a == b ? a : "\(a)–\(b)")
    }

    /// Language of a quote from the training documents (kana: Japanese; otherwise Chinese).
    static func quoteLanguage(_ s: String) -> String {
        s.unicodeScalars.contains { (0x3040...0x30FF).contains($0.value) } ? "ja" : "zh"
    }

    // MARK: sections

    func header() -> String {
        var meta: [(String, String)] = []
        meta.append((text("header.duration"), E.text(PageText.clock(report.audio.durationSeconds))))
        if let date = Self.dateInName(fileName) { meta.append((text("header.date"), E.text(date))) }
        meta.append((text("header.languages"), E.text(text("header.languagesValue", [:], [
            "spoken": text("lang.\(report.settings.language.rawValue)"), "page": text("lang.\(language.rawValue)")]))))
        if let v = report.rubricVersion { meta.append((text("header.rubric"), E.text(v))) }
        let agent = report.channels.first { $0.role == .agent }, customer = report.channels.first { $0.role == .customer }
        var recording = "\(report.audio.format), \(report.audio.sampleRateHz) Hz"
        if let agent, let customer {
            recording += "; " + text("header.stereo", ["agent": Double(agent.index), "customer": Double(customer.index)])
        } else {
            recording += "; " + text("header.mono")
        }
        meta.append((text("header.recording"), E.text(recording)))
        let dl = meta.map { "<dt>\(E.text($0.0))</dt><dd>\($0.1)</dd>" }.joined()
        let scoreLabel = text("header.score")
        let scoreText = report.score.map { "\(Int($0.rounded())) / 100" } ?? text("header.noScore")
        return """
        <header class="top">
        <div><div class="kicker">\(E.text(text("header.kicker")))</div>
        <h1>\(E.text(fileName))</h1>
        <dl class="meta">\(dl)</dl></div>
        <div class="score">\(PageStyle.scoreRing(report.score, label: "\(scoreLabel): \(scoreText)"))<div><div class="label">\(E.text(scoreLabel))</div><div class="sc-text" id="score">\(E.text(scoreText))</div></div></div>
        </header>

        """
    }

    /// A date written in the file name (2026-11-27, 2026_11_27, 20261127), as yyyy-mm-dd; nil when there is none.
    static func dateInName(_ name: String) -> String? {
        let pattern = #"(?<![0-9])(20[0-9]{2})([-_]?)(0[1-9]|1[0-2])\2(0[1-9]|[12][0-9]|3[01])(?![0-9])"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let m = regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) else { return nil }
        func group(_ i: Int) -> String { Range(m.range(at: i), in: name).map { String(name[$0]) } ?? "" }
        return "\(group(1))-\(group(3))-\(group(4))"
    }

    func figures() -> String {
        var tiles: [String] = []
        for f in summary.figures {
            let name = text("figure.\(f.kind.rawValue)")
            var value = text("figure.notMeasured"), unit = "", targetText = ""
            if let v = f.value {
                switch f.kind {
                case .articulationRate: value = PageText.fixed(v, decimals: 2); unit = text(f.inMorae ? "unit.moraePerSecond" : "unit.sylPerSecond")
                case .speechLevel: value = PageText.fixed(v, decimals: 1); unit = text("unit.dBov")
                case .pitchSpread: value = PageText.fixed(v, decimals: 1); unit = text("unit.st")
                case .interruptions: value = PageText.fixed(v, decimals: 0)
                case .longestWait: value = PageText.fixed(v, decimals: 1); unit = text("unit.s")
                case .fillers: value = PageText.fixed(v, decimals: 1); unit = text("unit.perMinute")
                }
            }
            if !f.thresholds.isEmpty {
                if f.kind == .longestWait {
                    if let w = f.wait { targetText = text("figure.wait.\(w.rawValue)", f.thresholds) }
                } else {
                    let key = f.kind == .articulationRate && f.thresholds["targetPerSecond"] != nil ? "figure.target.articulation-rate.target" : "figure.target.\(f.kind.rawValue)"
                    targetText = text(key, f.thresholds)
                }
            }
            let st = f.status.map { " st-\($0.rawValue)" } ?? ""
            let badge = f.status.map { " " + self.badge($0) } ?? ""
            tiles.append("""
            <div class="figure\(st)" data-figure="\(f.kind.rawValue)"><div class="name">\(E.text(name))\(badge)</div>\
            <div class="value">\(E.text(value))<span class="unit">\(E.text(unit))</span></div>\
            <div class="target">\(E.text(targetText))</div></div>
            """)
        }
        return "<section><h2>\(E.text(text("figures.heading")))</h2><div class=\"figures\">\n\(tiles.joined(separator: "\n"))\n</div></section>\n"
    }

    func moments() -> String {
        var out = "<section><h2>\(E.text(text("moments.heading")))</h2>"
        if summary.moments.isEmpty { return out + "<p class=\"note\">\(E.text(text("moments.none")))</p></section>\n" }
        out += "<div class=\"moments\">\n"
        for (k, m) in summary.moments.enumerated() {
            let g = m.guideline
            var html = "<article class=\"moment \(m.isMiss ? "miss" : "strength")\" data-guideline=\"\(E.attribute(g.id))\">"
            html += "<div class=\"small muted\">\(E.text(text(m.isMiss ? "moments.miss" : "moments.strength")))</div>"
            html += "<h3><span class=\"num\">\(k + 1)</span>\(E.text(title(g))) \(badge(g.verdict))</h3>"
            if let e = m.evidence {
                html += "<p class=\"what\">\(span(e)) \(E.text(evidenceText(e)))</p>"
            }
            if m.isMiss, let tip = tip(g) {
                html += "<p class=\"tip\"><b>\(E.text(text("card.tip")))</b>\(E.text(tip))</p>"
            } else if !m.isMiss {
                html += "<p class=\"small muted\">\(E.text(text("moments.keep")))</p>"
            }
            out += html + "</article>\n"
        }
        return out + "</div></section>\n"
    }

    static let maxEvidenceShown = 12

    func cards() -> String {
        let measurable = (report.guidelines ?? []).filter { GuidelineID(rawValue: $0.id) != nil }
        var out = "<section><h2>\(E.text(text("cards.heading")))</h2><div class=\"cards\">\n"
        for g in measurable {
            var rows: [(String, String)] = []
            if let m = g.measured, !m.isEmpty {
                let shown = Self.measureOrder.filter { m[$0] != nil } + m.keys.filter { !Self.measureOrder.contains($0) }.sorted()
                rows.append((text("card.measured"), shown.map { E.text(measured($0, m[$0]!)) }.joined(separator: "<br>")))
            }
            if let t = target(g) { rows.append((text("card.target"), E.text(t))) }
            if let r = reason(g) { rows.append((text("card.reason"), E.text(r))) }
            if !g.evidence.isEmpty {
                let items = g.evidence.prefix(Self.maxEvidenceShown).map { "<li>\(span($0)) \(E.text(evidenceText($0)))</li>" }.joined()
                let more = g.evidence.count > Self.maxEvidenceShown
                    ? "<li class=\"muted\">\(E.text(text("card.moreEvidence", ["count": Double(g.evidence.count - Self.maxEvidenceShown)])))</li>" : ""
                rows.append((text("card.evidence"), "<ul>\(items)\(more)</ul>"))
            }
            rows.append((text("card.source"), "<blockquote lang=\"\(Self.quoteLanguage(g.source.quote))\">\(E.text(g.source.quote))</blockquote>"))
            let dl = rows.map { "<dt>\(E.text($0.0))</dt><dd>\($0.1)</dd>" }.joined()
            let tipHTML = tip(g).map { "<p class=\"tip\"><b>\(E.text(text("card.tip")))</b>\(E.text($0))</p>" } ?? ""
            let score = g.score.map { "<span class=\"sc\" title=\"\(E.attribute(text("card.score")))\">\(Int($0.rounded()))</span>" } ?? ""
            out += """
            <article class="card \(g.verdict.rawValue)" id="g-\(E.attribute(g.id))" data-guideline="\(E.attribute(g.id))">\
            <header><h3>\(E.text(title(g)))</h3><span>\(badge(g.verdict)) \(score)</span></header>\
            <dl>\(dl)</dl>\(tipHTML)</article>

            """
        }
        return out + "</div></section>\n"
    }

    func notMeasurable() -> String {
        let items = (report.guidelines ?? []).filter { GuidelineID(rawValue: $0.id) == nil }
        guard !items.isEmpty else { return "" }
        let lis = items.map { g in
            "<li data-guideline=\"\(E.attribute(g.id))\"><b>\(E.text(title(g)))</b>: \(E.text(reason(g) ?? ""))</li>"
        }.joined(separator: "\n")
        return "<section><h2>\(E.text(text("notMeasurable.heading")))</h2><ul class=\"nm\">\n\(lis)\n</ul></section>\n"
    }

    func warnings() -> String {
        guard !report.warnings.isEmpty else { return "" }
        let lis = report.warnings.map { "<li>\(E.text(warning($0)))</li>" }.joined()
        return "<section><h2>\(E.text(text("warnings.heading")))</h2><ul class=\"nm\">\(lis)</ul></section>\n"
    }

    /// The analyzer's warnings in the page language (they are English sentences in the JSON).
    func warning(_ w: String) -> String {
        let leadingCount = Double(w.prefix { $0.isNumber }) ?? 0
        if w.hasPrefix("mono recording") { return text("warning.mono") }
        if w.contains("NaN or infinite") { return text("warning.nonFinite", ["count": leadingCount]) }
        if w.contains("were clamped") { return text("warning.clamped", ["count": leadingCount]) }
        if w.hasSuffix("no speech found") {
            let role = w.contains("(customer)") ? "role.customer" : "role.agent"
            return text("warning.noSpeech", [:], ["role": text(role)])
        }
        return w
    }

    func player() -> String {
        var note: String?
        var element = ""
        switch audio {
        case .none: note = text(audioNote == .recordingNotFound ? "audio.notFound" : "audio.none")
        case let .link(url):
            element = "<audio id=\"player\" controls preload=\"metadata\" src=\"\(E.attribute(url))\"></audio>"
            note = text("audio.linked", [:], ["file": fileName])
        case let .embedded(mime, base64):
            element = "<audio id=\"player\" controls preload=\"metadata\" src=\"data:\(E.attribute(mime));base64,\(base64)\"></audio>"
            if case let .embeddedBecauseBrowsersCannotPlay(format) = audioNote {
                note = text("audio.fallback", [:], ["format": format])
            } else {
                note = text("audio.embedded")
            }
        }
        return """
        <div class="player"><b>\(E.text(text("audio.heading")))</b>\(element)<span class="small muted">\(E.text(note ?? ""))</span></div>

        """
    }

    static let measureOrder = ["snrDB", "clippedSampleRatio", "articulationRateMoraePerSecond", "articulationRateSyllablesPerSecond", "rateVsTargetPercent",
                               "stdevSemitones", "rangeSemitones", "riseSemitones", "meanSemitonesReMedian", "activeSpeechLevelDBov",
                               "driftDB", "longestAgentMonologueSeconds", "longUtteranceRatio", "withinTurnPausesPerMinuteOfSpeech",
                               "longestWithinTurnPauseSeconds", "count", "perMinuteOfSpeech",
                               "longCustomerTurnCount", "turnsWithBackchannelRatio", "longestHoldSeconds", "longestDeadAirSeconds",
                               "longestResponseLatencySeconds", "ringCount", "timeToAnswerSeconds", "agentLevelRiseDB",
                               "agentPitchRiseSemitones", "raisedCustomerUnitCount", "promptCount", "firstGapSeconds"]

    /// "label: value unit" for a `measured` entry; the unit follows the key's suffix.
    func measured(_ key: String, _ v: Double) -> String {
        let label = text.has("measure.\(key)") ? text("measure.\(key)") : key
        let signed = key.contains("Rise") || key.contains("ReMedian")
        let value: String, unit: String
        switch key {
        // Clipping passes up to 0.10 % of speech and the target says so in hundredths: the value keeps two decimals too.
        case "clippedSampleRatio": value = PageText.fixed(100 * v, decimals: 2); unit = text("unit.percent")
        case _ where key.hasSuffix("Ratio"): value = PageText.fixed(100 * v, decimals: 1); unit = text("unit.percent")
        case _ where key.hasSuffix("DBov"): value = PageText.fixed(v, decimals: 1); unit = text("unit.dBov")
        case _ where key.hasSuffix("DB"): value = PageText.fixed(v, decimals: 1, signed: signed); unit = text("unit.dB")
        case _ where key.hasSuffix("Semitones") || key.hasSuffix("ReMedian"): value = PageText.fixed(v, decimals: 1, signed: signed); unit = text("unit.st")
        case _ where key.hasSuffix("Seconds"): value = PageText.fixed(v, decimals: 1); unit = text("unit.s")
        case _ where key.hasSuffix("Percent"): value = PageText.fixed(v, decimals: 0, signed: true); unit = text("unit.percent")
        case "articulationRateMoraePerSecond": value = PageText.fixed(v, decimals: 2); unit = text("unit.moraePerSecond")
        case _ where key.hasSuffix("PerSecond"): value = PageText.fixed(v, decimals: 2); unit = text("unit.sylPerSecond")
        case _ where key.hasSuffix("PerMinuteOfSpeech") || key == "perMinuteOfSpeech": value = PageText.fixed(v, decimals: 1); unit = text("unit.perMinute")
        default: value = PageText.fixed(v, decimals: v == v.rounded() ? 0 : 2); unit = ""
        }
        return "\(label): \(value)\(unit.isEmpty ? "" : PageText.numberUnitSpace + unit)"
    }
}

extension CoachingPage {
    /// Whether browsers play a recording of this libsndfile format name ("WAV (Microsoft) / Signed 16 bit PCM"):
    /// PCM or float WAV, FLAC, Ogg Vorbis/Opus and MP3 yes; G.711 µ-law/A-law, GSM 6.10, ADPCM and the
    /// other containers (AIFF, CAF, AU, W64, RF64) no.
    public static func browsersCanPlay(format: String) -> Bool {
        let parts = format.components(separatedBy: " / ")
        let major = parts.first ?? "", sub = parts.count > 1 ? parts[1] : ""
        if major.hasPrefix("WAV") { return sub.contains("PCM") || sub.contains("float") }
        if major.hasPrefix("FLAC") { return true }
        if major.hasPrefix("OGG") { return sub.contains("Vorbis") || sub.contains("Opus") }
        if major.hasPrefix("MPEG") { return true }
        return false
    }
}
