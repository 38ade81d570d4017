import CallAnalysis
import Foundation
import Reports
import Rubric
import SpeechAnalysis
import Testing
import TestSupport

/// The coaching page's structure, on the fixture calls: cards, timeline marks at the ground-truth
/// times, no external URL, escaping, and determinism.
struct CoachingPageTests {
    @Test func everyGuidelineHasACardAndEveryItemIsListed() throws {
        let report = try CoachingFixture.report("devcall2_en_00")
        let html = CoachingPage.html(for: report, pageLanguage: .en, audio: .none)
        let guidelines = try #require(report.guidelines)
        #expect(guidelines.count == GuidelineID.allCases.count + Rubric.builtIn.notMeasurable.count)
        for g in guidelines {
            if GuidelineID(rawValue: g.id) != nil {
                #expect(html.contains("<article class=\"card \(g.verdict.rawValue)\" id=\"g-\(g.id)\""), "no card for \(g.id)")
                #expect(html.contains(">\(HTMLEscape.text(PageText(.en)("title.\(g.id)")))</h3>"), "no title for \(g.id)")
            } else {
                #expect(html.contains("<li data-guideline=\"\(g.id)\">"), "\(g.id) not in the not-measurable list")
            }
        }
        // The score in the header is the report's.
        let score = try #require(report.score)
        #expect(html.contains("id=\"score\">\(Int(score.rounded())) / 100<"))
    }

    /// Each event of the ground truth is on the timeline, at its time: rings (±0.15 s: tone onsets are
    /// found per 10 ms frame within a burst's ramp), interruptions and backchannels (±0.15 s, the
    /// activity detector's onset), dead air (±0.3 s, both channels' offsets) and holds (±0.5 s:
    /// music is told from speech over half a second). Each mark's x lies where its time says.
    @Test(arguments: ["devcall2_en_00", "devcall_mixed_03"])
    func timelineHoldsTheCallsEvents(stem: String) throws {
        let report = try CoachingFixture.report(stem)
        let html = CoachingPage.html(for: report, pageLanguage: .en, audio: .none)
        let truth = try Fixtures.truth("calls", stem)
        let events = try #require(truth["events"] as? [[String: Any]])
        let expectations: [(type: String, kind: String, tolerance: Double)] = [
            ("ring", "ring", 0.15), ("agent_interruption", "interruption-agent", 0.15),
            ("customer_interruption", "interruption-customer", 0.15), ("backchannel", "backchannel-agent", 0.15),
            ("dead_air", "dead-air", 0.3), ("hold", "hold-music", 0.5),
        ]
        // Events the analysis itself does not find (the page draws the report, so they cannot be on it):
        // a 0.46 s agent backchannel under the customer's speech, and a customer interruption the agent
        // talks through for 0.64 s. Listed so the check stays exact for everything else.
        let analyzerMisses: Set<String> = ["devcall_mixed_03 backchannel 11.52", "devcall_mixed_03 customer_interruption 20.789"]
        var checked = 0
        for e in events {
            guard let type = e["type"] as? String, let rule = expectations.first(where: { $0.type == type }),
                  let start = e["start"] as? Double else { continue }
            if analyzerMisses.contains("\(stem) \(type) \(start)") { continue }
            let marks = CoachingFixture.marks(html, kind: rule.kind)
            #expect(marks.contains { abs($0.t - start) <= rule.tolerance },
                    "\(stem): \(type) at \(start) s not on the timeline (\(rule.kind) marks at \(marks.map(\.t)))")
            checked += 1
        }
        #expect(checked >= 3, "the fixture should hold events to check")
        // x positions: one row for a short call, 896 units for its whole duration from x = 96.
        let span = report.audio.durationSeconds
        for kind in ["ring", "dead-air", "hold-music"] {
            for m in CoachingFixture.marks(html, kind: kind) {
                let x = try #require(m.x)
                #expect(abs(x - (96 + m.t / span * 896)) < 0.11, "\(kind) mark at \(m.t) s drawn at x = \(x)")  // 0.1 unit rounding
            }
        }
    }

    /// The speech lanes show the ground-truth speech segments: each truth segment longer than 0.3 s has
    /// its middle inside a drawn segment, and each drawn segment starts inside a truth segment or within
    /// 0.2 s before one (the activity detector's onset tolerance plus rounding).
    @Test func speechLanesFollowTheGroundTruth() throws {
        let stem = "devcall2_en_00"
        let report = try CoachingFixture.report(stem)
        let html = CoachingPage.html(for: report, pageLanguage: .en, audio: .none)
        let truth = Fixtures.speechSegments(try Fixtures.truth("calls", stem))
        let span = report.audio.durationSeconds
        for (channel, kind) in [(0, "speech-agent"), (1, "speech-customer")] {
            let drawn = CoachingFixture.rectangles(html, kind: kind).map { (($0.x - 96) / 896 * span, ($0.x + $0.width - 96) / 896 * span) }
            #expect(!drawn.isEmpty)
            for (start, end) in truth[channel] where end - start > 0.3 {
                let middle = (start + end) / 2
                #expect(drawn.contains { $0.0 <= middle && middle <= $0.1 }, "\(kind): truth segment \(start)–\(end) s not drawn (\(drawn))")
            }
            for (start, _) in drawn {  // inside a truth segment: a pause within it that the truth's segmentation joins
                #expect(truth[channel].contains { $0.0 - 0.2 < start && start < $0.1 }, "\(kind): drawn segment at \(start) s outside the truth's speech")
            }
        }
    }

    @Test func noExternalURLAnywhere() throws {
        let report = try CoachingFixture.report("devcall_mixed_03")
        for audio in [CoachingPage.Audio.none, .link(relativePath: "../calls/devcall_mixed_03.wav"),
                      .embedded(mimeType: "audio/ogg", base64: "T2dnUw==")] {
            let html = CoachingPage.html(for: report, pageLanguage: .zh, audio: audio)
            for needle in ["http:", "https:", "ftp:", "//", "@import", "<link", "<iframe", "<img", "<object", "<embed"] {
                // "//" only ever inside the CSP's comment-free text would be a protocol-relative URL.
                let hits = html.components(separatedBy: needle).count - 1
                #expect(hits == 0, "\(needle) appears \(hits) times")
            }
            for attribute in ["src=\"", "href=\""] {
                for part in html.components(separatedBy: attribute).dropFirst() {
                    let value = part.prefix { $0 != "\"" }
                    #expect(value.hasPrefix("#") || value.hasPrefix("data:") || value.hasPrefix("../calls/"), "\(attribute)\(value)")
                }
            }
            #expect(!html.contains("url(") || !html.replacingOccurrences(of: "url(#", with: "").contains("url("))
            #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; script-src &#39;sha256-"))
            #expect(html.components(separatedBy: "<script").count == 2, "one script only")
        }
    }

    /// The CSP hashes match the inline script and style (else the browser would block them).
    @Test func contentSecurityPolicyHashesMatch() throws {
        // sha256 of "abc" (FIPS 180-2, Appendix B.1), base64.
        #expect(PageStyle.cspHash("abc") == "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='")
        let policy = PageStyle.contentSecurityPolicy()
        #expect(policy.contains("script-src \(PageStyle.cspHash(PageStyle.script))"))
        #expect(policy.contains("style-src \(PageStyle.cspHash(PageStyle.css))"))
    }

    @Test func theSameCallHasTheSameScoreInEveryPageLanguage() throws {
        let report = try CoachingFixture.report("devcall2_en_00")
        let scores = SpeechLanguage.allCases.map { language -> String in
            let html = CoachingPage.html(for: report, pageLanguage: language, audio: .none)
            return html.components(separatedBy: "id=\"score\">").dropFirst().first?.prefix { $0 != "<" }.description ?? "?"
        }
        #expect(Set(scores).count == 1 && scores[0].hasSuffix("/ 100"), "\(scores)")
    }

    @Test func renderingIsAPureFunctionOfTheReport() throws {
        let report = try CoachingFixture.report("devcall_mixed_03")
        let a = CoachingPage.html(for: report, pageLanguage: .ja, audio: .link(relativePath: "x.wav"))
        let b = CoachingPage.html(for: report, pageLanguage: .ja, audio: .link(relativePath: "x.wav"))
        #expect(a == b)
        // Through JSON and back (as --from-json reads it): the same bytes.
        let decoded = try JSONDecoder().decode(AnalysisReport.self, from: Data(try ReportRenderer.json(report).utf8))
        #expect(decoded == report)
        #expect(CoachingPage.html(for: decoded, pageLanguage: .ja, audio: .link(relativePath: "x.wav")) == a)
    }

    /// A report stored before the structured keys existed still gets targets in the page's language
    /// (from the built-in rubric it was judged with).
    @Test func olderReportsStillGetTargetsInThePageLanguage() throws {
        let current = try CoachingFixture.report("devcall2_en_00")
        var old = current
        for k in old.guidelines!.indices { old.guidelines![k].thresholds = nil }
        for language in SpeechLanguage.allCases {
            #expect(CoachingPage.html(for: old, pageLanguage: language, audio: .none)
                    == CoachingPage.html(for: current, pageLanguage: language, audio: .none))
        }
    }

    /// The same for a report judged with the previous built-in rubric (voiceqa-rubric/1.0.0, the rate band):
    /// its rate card states the band, as it did then, not today's target.
    @Test func reportsOfTheOneRubricKeepTheirRateBand() throws {
        let rubricOne = try Rubric.load(path: Fixtures.root.appendingPathComponent("rubrics/voiceqa-rubric-1.0.0.json").path)
        let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", "devcall2_en_00"), options: AnalysisOptions(language: .en))
        let judged = AnalysisReport(analysis, rubric: rubricOne)
        var stored = judged
        for k in stored.guidelines!.indices { stored.guidelines![k].thresholds = nil }
        for language in SpeechLanguage.allCases {
            let page = CoachingPage.html(for: stored, pageLanguage: language, audio: .none)
            #expect(page == CoachingPage.html(for: judged, pageLanguage: language, audio: .none))
            #expect(page.contains("3.71–5.57"), "\(language)")     // en band of rubric 1.0
        }
    }

    @Test func storedAnalysisWithoutSeriesSaysWhatIsMissing() throws {
        var report = try CoachingFixture.report("devcall2_en_00")
        for k in report.channels.indices {
            report.channels[k].pitch?.track = nil
            report.channels[k].loudness?.shortTermLoudnessLUFS = nil
        }
        let html = CoachingPage.html(for: report, pageLanguage: .en, audio: .none)
        #expect(html.contains(HTMLEscape.text(PageText(.en)("note.noPitchTrack"))))
        #expect(html.contains(HTMLEscape.text(PageText(.en)("note.noSeries"))))
        #expect(!html.contains("class=\"mk-pitch\""))
        #expect(!html.contains("class=\"mk-loudness-agent\""))
        #expect(html.contains("class=\"mk-speech-agent\""))   // what the report has is still drawn
    }

    @Test(arguments: [("calls/2026-11-27_agent7.wav", "2026-11-27"), ("20261127-0930.wav", "2026-11-27"), ("x_2026_02_03.flac", "2026-02-03"),
                      ("120261127.wav", nil), ("2026-1127.wav", nil), ("2026-13-01.wav", nil), ("call.wav", nil)])
    func theDateIsTakenFromTheFileName(file: String, date: String?) throws {
        var report = try CoachingFixture.report("devcall2_en_00")
        report.file = file
        let html = CoachingPage.html(for: report, pageLanguage: .en, audio: .none)
        if let date { #expect(html.contains("<dt>Date</dt><dd>\(date)</dd>")) } else { #expect(!html.contains("<dt>Date</dt>")) }
    }

    @Test(arguments: [(0.0, "0:00"), (59.99, "0:59"), (61, "1:01"), (3599.5, "59:59"), (3600, "1:00:00"), (7384, "2:03:04")])
    func timesAreMinutesAndSecondsThenHours(seconds: Double, shown: String) {
        #expect(PageText.clock(seconds) == shown)
    }

    @Test func momentsAreTheHeaviestMissesThenTheHeaviestStrength() throws {
        let report = try CoachingFixture.report("devcall2_en_00")
        let summary = CoachingSummary(report)
        let guidelines = try #require(report.guidelines)
        let misses = guidelines.filter { $0.verdict == .warn || $0.verdict == .fail }
        let key = { (g: GuidelineResult) in (g.weight ?? 1) * (100 - (g.score ?? 0)) }
        let expected = misses.sorted { key($0) > key($1) }.prefix(2).map(\.id)
        #expect(summary.moments.filter(\.isMiss).map(\.guideline.id) == Array(expected))
        let strengths = summary.moments.filter { !$0.isMiss }
        #expect(strengths.count == 1)
        let heaviestPass = guidelines.filter { $0.verdict == .pass && !$0.evidence.isEmpty }.map { $0.weight ?? 1 }.max()
        #expect(strengths.first?.guideline.weight == heaviestPass)
        // The text summary prints the same moments.
        let text = ReportRenderer.text(report)
        for m in summary.moments { #expect(text.contains(": \(m.guideline.id) (\(m.guideline.verdict.rawValue)")) }
        #expect(text.contains("the agent at a glance:"))
    }
}
