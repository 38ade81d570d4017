import CallAnalysis
import Foundation
import Reports
import Rubric
import SpeechAnalysis
import Testing
import TestSupport
@testable import Audit

struct SummaryTests {
    /// Four agents, three calls each: one agent's speech time-stretched 35 % faster, one who
    /// interrupts the customer in every call. Both must be flagged on that measure, and nobody
    /// else on those measures.
    @Test func generatedBatchFlagsTheFastAgentAndTheInterrupter() throws {
        let (dir, path) = try AuditBatch.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteAuditStore(path: path)
        let agents = [AuditBatch.Agent(name: "ann"), AuditBatch.Agent(name: "bo"),
                      AuditBatch.Agent(name: "fay", speed: 1.35), AuditBatch.Agent(name: "ivo", interrupts: true)]
        try AuditBatch.fill(store, agents: agents, callsPerAgent: 3)
        let rubricSHA = AnalysisKey.rubricSHA256(.builtIn)
        let calls = try store.summaryCalls(rubricSHA256: rubricSHA)
        #expect(calls.count == 12)
        let summary = AuditSummary(calls: calls, grouping: .agent, rubric: .builtIn, rubricSHA256: rubricSHA,
                                   settings: .init(minimumCallsPerAgent: 3, minimumAgentsPerTeam: 3))
        print(SummaryRenderer.text(summary))
        let rate = summary.outliers.filter { $0.measure == "articulation rate" }
        #expect(rate.map(\.agent) == ["fay"])
        if let fay = rate.first {
            #expect(fay.modifiedZ >= 3.5)
            // 35 % faster speech measures clearly faster (1.2× on this batch: the syllable-nucleus
            // detector merges some nuclei of stretched speech, so the ratio is below 1.35).
            #expect(fay.value > 1.1 * fay.peerMedian)
            #expect(fay.worstCalls.count == 3 && fay.worstCalls.allSatisfy { $0.path.hasPrefix("fay/") })
        }
        let interrupting = summary.outliers.filter { $0.measure == "interruptions per call" }
        #expect(interrupting.map(\.agent) == ["ivo"])
        if let ivo = interrupting.first {
            #expect(ivo.value >= 0.66 && ivo.modifiedZ >= 3.5)   // at least 2 of the 3 built interruptions found
        }
        let byAgent = Dictionary(uniqueKeysWithValues: summary.groups.map { ($0.name, $0) })
        #expect(byAgent["ann"]?.callCount == 3 && byAgent["ann"]?.team == "North")
        #expect((byAgent["ivo"]?.interruptionsPerCall ?? 0) > (byAgent["ann"]?.interruptionsPerCall ?? 1))

        // Below the minimum calls per agent nobody is compared.
        let strict = AuditSummary(calls: calls, grouping: .agent, rubric: .builtIn, rubricSHA256: rubricSHA)
        #expect(strict.outliers.isEmpty)

        // By week: all in ISO week 2026-W48 or W49 (23–29 November 2026 is W48).
        let weekly = AuditSummary(calls: calls, grouping: .week, rubric: .builtIn, rubricSHA256: rubricSHA)
        #expect(weekly.groups.map(\.name) == ["2026-W48"])
        #expect(SummaryRenderer.csv(weekly).hasPrefix("week,calls,audio_hours,"))

        // The page: the outliers' worst calls get coaching pages in calls/, linked relatively.
        let folder = dir.appendingPathComponent("page").path
        try SummaryPageWriter.write(summary: summary, store: store, folder: folder, language: .ja, recordingPaths: [:])
        let page = try String(contentsOfFile: folder + "/index.html", encoding: .utf8)
        let pages = try FileManager.default.contentsOfDirectory(atPath: folder + "/calls")
        #expect(pages.count == Set(summary.outliers.flatMap { $0.worstCalls.map(\.key) }).count && pages.count >= 3)
        for name in pages {
            #expect(page.contains("href=\"calls/\(name)\""))
            #expect(try String(contentsOfFile: folder + "/calls/" + name, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
        }
        #expect(page.contains("<html lang=\"ja\">") && page.contains("同僚から大きく離れたオペレーター"))

        // Rescore: judging from the stored report gives the verdicts the analysis gave.
        let strictRubric = Self.strictAnswerRubric()
        let outcome = try Rescore.run(store: store, rubric: .builtIn)
        #expect(outcome.judgedCount == 0)                          // already judged under it
        let rescored = try Rescore.run(store: store, rubric: strictRubric)
        #expect(rescored.judgedCount == 12 && rescored.failedKeys.isEmpty)
        let strictSHA = AnalysisKey.rubricSHA256(strictRubric)
        let before = AuditSummary(calls: calls, grouping: .agent, rubric: .builtIn, rubricSHA256: rubricSHA)
        let after = AuditSummary(calls: try store.summaryCalls(rubricSHA256: strictSHA), grouping: .agent, rubric: strictRubric, rubricSHA256: strictSHA)
        #expect(before.total.passRate["answer-promptly"] == 1)     // every agent starts 0.5 s in
        #expect(after.total.passRate["answer-promptly"] == 0)
        #expect(after.total.callCount == 12)
        #expect(try store.rubrics().last?.sha256 == strictSHA)     // the latest judged is the default
    }

    /// The built-in rubric with an answer time no call meets (fail beyond 0.1 s; the built-in passes up to 2 s).
    static func strictAnswerRubric() -> Rubric {
        var r = Rubric.builtIn
        r.rubricVersion = "strict-answer-test"
        let i = r.guidelines.firstIndex { $0.id == .answerPromptly }!
        r.guidelines[i].thresholds["default"]?["answerPassSeconds"] = 0.05
        r.guidelines[i].thresholds["default"]?["answerFailSeconds"] = 0.1
        return r
    }

    /// Stored reports re-judged without audio give the worker's verdicts and score.
    @Test func judgingAStoredReportMatchesTheAnalysis() throws {
        let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", "devcall2_en_00"), options: AuditBatch.options)
        let report = AnalysisReport(analysis, includeSeries: true, rubric: .builtIn)
        let decoded = try JSONDecoder().decode(AnalysisReport.self, from: Data(try ReportRenderer.json(report, pretty: false).utf8))
        let again = RubricEvaluator.evaluate(RubricInput(report: decoded), rubric: .builtIn)
        #expect(again.score == report.score)
        #expect(again.guidelines.map(\.verdict) == report.guidelines?.map(\.verdict))
        #expect(AnalysisDigest.verdicts(again.guidelines) == AnalysisDigest(report).verdicts)
    }

    /// The page is self-contained and escapes what comes from files and manifests.
    @Test func pageIsSelfContainedAndEscaped() {
        let evil = "<script>alert(1)</script>"
        var calls: [SummaryCall] = []
        for i in 0..<12 {
            let agent: String = i < 4 ? evil : "agent\(i % 3)"
            let rate: Double = 4 + Double(i % 3) * 0.1
            let verdict: String = i % 2 == 0 ? "pass" : "fail"
            calls.append(SummaryCall(key: "k\(i)", path: "\(evil)/\(i).wav", agent: agent, team: "t\"'&", date: "2026-12-0\(1 + i % 7)",
                                     language: "zh", durationSeconds: 240, score: Double(60 + i), verdicts: ["clear": verdict],
                                     articulationRateSyllablesPerSecond: rate, activeSpeechLevelDBov: -26, f0StdevSemitones: 3,
                                     agentInterruptionCount: i < 4 ? 3 : 0, agentBackchannelCount: 1, deadAirCount: 0, holdCount: 0,
                                     filledPausesPerMinute: 1))
        }
        let s = AuditSummary(calls: calls, grouping: .agent, rubric: .builtIn, rubricSHA256: "ab",
                             settings: .init(minimumCallsPerAgent: 2, minimumAgentsPerTeam: 3))
        #expect(!s.outliers.isEmpty)
        for language in [SpeechLanguage.zh, .ja, .en] {
            let html = SummaryPage.html(s, language: language, callPages: ["k0": "calls/k0.html"])
            #expect(!html.contains(evil) && html.contains("&lt;script&gt;"))
            #expect(html.contains("Content-Security-Policy") && html.contains("default-src &#39;none&#39;"))
            #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))
            #expect(html.contains("<html lang=\"\(language.rawValue)\">"))
            #expect(html == SummaryPage.html(s, language: language, callPages: ["k0": "calls/k0.html"]))   // deterministic
        }
        #expect(SummaryPage.html(s, language: .zh).contains("通话质检汇总"))
    }

    /// Modified z-scores on values with known answers: peers at 4.0, 4.1, 4.2, 4.3 and one at 6.0.
    @Test func modifiedZOnKnownValues() {
        let values: [(String, Double)] = [("a", 4.0), ("b", 4.1), ("c", 4.2), ("d", 4.3), ("e", 6.0)]
        var calls: [SummaryCall] = []
        for (agent, rate) in values {
            for i in 0..<10 {
                calls.append(SummaryCall(key: "\(agent)\(i)", path: "\(agent)/\(i).wav", agent: agent, team: "", date: "", language: "en",
                                         durationSeconds: 300, score: 80, verdicts: [:], articulationRateSyllablesPerSecond: rate,
                                         activeSpeechLevelDBov: -26, f0StdevSemitones: 3, agentInterruptionCount: 0,
                                         agentBackchannelCount: 1, deadAirCount: 0, holdCount: 0, filledPausesPerMinute: 1))
            }
        }
        let s = AuditSummary(calls: calls, grouping: .agent, rubric: .builtIn, rubricSHA256: "x")
        // median 4.2, deviations 0.2 0.1 0 0.1 1.8 → MAD 0.1; e: 0.6745·1.8/0.1 = 12.141
        #expect(s.outliers.count == 1)
        let e = s.outliers[0]
        #expect(e.agent == "e" && e.measure == "articulation rate")
        #expect(abs(e.peerMedian - 4.2) < 1e-9 && abs(e.mad - 0.1) < 1e-9 && abs(e.modifiedZ - 12.141) < 1e-6)
        // a at 4.0: 0.6745·(−0.2)/0.1 = −1.35, not flagged; the score (all 80) has MAD 0, floored at 0.1: nobody flagged.
        #expect(s.total.callCount == 50 && abs(s.total.averageHandlingMinutes - 5) < 1e-9)
    }
}
