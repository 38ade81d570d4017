import CallAnalysis
import Foundation
import Reports
import Rubric
import Testing
import TestSupport
@testable import Audit

struct StoreTests {
    static let v1Fixture = Fixtures.root.appendingPathComponent("audit/v1.sqlite")

    /// The committed database written by migration v1 (before rubrics and runs existed) opens
    /// under the current migrator with its rows intact.
    @Test func v1DatabaseOpensUnderCurrentMigrator() throws {
        let (dir, path) = try AuditBatch.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: Self.v1Fixture.path, toPath: path)
        let store = try SQLiteAuditStore(path: path)
        let (tables, migrations) = try store.counts()
        #expect(migrations == ["v1", "v2"])
        let counts = Dictionary(uniqueKeysWithValues: tables)
        #expect(counts["recordings"] == 3 && counts["analyses"] == 2 && counts["failures"] == 1 && counts["scores"] == 2)
        #expect(counts["rubrics"] == 1)                   // v2 backfills the rubric the v1 rows were judged with
        #expect(try store.integrityCheck() == "ok")
        let rubric = try #require(try store.rubrics().first)
        let calls = try store.summaryCalls(rubricSHA256: rubric.sha256)
        #expect(calls.map(\.agent).sorted() == ["kim", "li"])   // two keys; the duplicate path shares one
        #expect(calls.allSatisfy { $0.team == "North" && $0.score != nil })
        for call in calls {
            let json = try #require(try store.reportJSON(key: call.key))
            let report = try JSONDecoder().decode(AnalysisReport.self, from: json)
            #expect(report.audio.channelCount == 2)
        }
        #expect(try store.failures().map(\.path) == ["broken.wav"])
    }

    @Test func newerDatabaseIsRefused() throws {
        let (dir, path) = try AuditBatch.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        try SQLiteAuditStore(path: path).executeForTesting("INSERT INTO grdb_migrations (identifier) VALUES ('v9')")
        #expect(throws: AuditError.newerDatabase(path: path, unknownMigrations: ["v9"])) { try SQLiteAuditStore(path: path) }
    }

    @Test func unusablePathsAreOneClearError() throws {
        let (dir, path) = try AuditBatch.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missingFolder = dir.appendingPathComponent("no/such/folder/a.sqlite").path
        do { _ = try SQLiteAuditStore(path: missingFolder); Issue.record("opened \(missingFolder)") } catch let e as AuditError {
            guard case let .cannotOpenDatabase(p, reason) = e else { Issue.record("\(e)"); return }
            #expect(p == missingFolder && reason.contains("unable to open database file"))
        }
        try Data((0..<4096).map { UInt8($0 % 251) }).write(to: URL(fileURLWithPath: path))
        do { _ = try SQLiteAuditStore(path: path); Issue.record("opened a corrupt file") } catch let e as AuditError {
            guard case let .cannotOpenDatabase(_, reason) = e else { Issue.record("\(e)"); return }
            #expect(reason.contains("not a database"))
        }
        let other = dir.appendingPathComponent("other.sqlite").path
        try SQLiteAuditStore(path: other).executeForTesting("DROP TABLE grdb_migrations")
        #expect(throws: AuditError.notAnAuditDatabase(path: other)) { try SQLiteAuditStore(path: other) }
        #expect(throws: AuditError.self) { try SQLiteAuditStore(path: dir.appendingPathComponent("absent.sqlite").path, create: false) }
    }

    /// Committing a key twice keeps one analysis; a failure then a success for a path leaves the success.
    @Test func keysAndFailuresReplaceEachOther() throws {
        let (dir, path) = try AuditBatch.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteAuditStore(path: path)
        try store.commitFailure(FailureRow(path: "ann/call0.wav", filePath: "ann/call0.wav", reason: "boom", stderr: "note"))
        try store.commitFailure(FailureRow(path: "ann/call0.wav", filePath: "ann/call0.wav", reason: "boom again", stderr: ""))
        #expect(try store.failures().map(\.attempts) == [2])
        try AuditBatch.fill(store, agents: [AuditBatch.Agent(name: "ann")], callsPerAgent: 1)
        try AuditBatch.fill(store, agents: [AuditBatch.Agent(name: "ann")], callsPerAgent: 1)
        #expect(try store.failures().isEmpty)
        #expect(try store.countForTesting("SELECT count(*) FROM analyses") == 1)
        #expect(try store.countForTesting("SELECT count(*) FROM scores") == 1)
        let guidelineCount = try store.countForTesting("SELECT count(DISTINCT guideline) FROM verdicts")
        #expect(try store.countForTesting("SELECT count(*) FROM verdicts") == guidelineCount)
    }

    /// Writes Fixtures/audit/v1.sqlite (run once, with VOICEQA_WRITE_AUDIT_FIXTURE=1): two analyses of
    /// fixture calls, three recordings (one a second path to the same bytes), one failure, through
    /// migration v1 only.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["VOICEQA_WRITE_AUDIT_FIXTURE"] == "1"))
    func writeV1Fixture() throws {
        let path = Self.v1Fixture.path
        try? FileManager.default.createDirectory(at: Self.v1Fixture.deletingLastPathComponent(), withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        do {
            let store = try SQLiteAuditStore(path: path, migrateUpTo: "v1")
            var options = AuditBatch.options
            options.pitchTrack = false
            let rubricSHA = AnalysisKey.rubricSHA256(.builtIn)
            for (stem, agent, paths) in [("devcall2_en_00", "li", ["li/a.wav", "li/copy-of-a.wav"]), ("devcall2_en_01", "kim", ["kim/b.wav"])] {
                let file = Fixtures.audioPath("calls", stem)
                let analysis = try CallAnalyzer.analyze(path: file, options: options)
                let report = AnalysisReport(analysis, includeSeries: false, rubric: .builtIn)
                let fileSHA = try SHA256.hex(ofFileAt: file)
                let key = AnalysisKey(fileSHA256: fileSHA, settingsSHA256: AnalysisKey.settingsSHA256(options), rubricSHA256: rubricSHA)
                let rows = paths.map { p -> RecordingRow in
                    var input = AuditInput(path: p, filePath: p)
                    input.agent = agent; input.team = "North"; input.date = "2026-11-30"; input.tags = ["campaign": "winter"]
                    return RecordingRow(input, fileSHA256: fileSHA)
                }
                // The report names the file it read; relative to the package, so the fixture holds no
                // path of the machine that wrote it.
                let json = try ReportRenderer.json(report, pretty: false)
                    .replacingOccurrences(of: Fixtures.root.deletingLastPathComponent().path + "/", with: "")
                try store.commit(analysis: AnalysisRecord(key: key, settingsJSON: AnalysisKey.canonicalSettings(options),
                                                          digest: AnalysisDigest(report), reportJSON: Data(json.utf8),
                                                          workerStderr: ""), key: key.value, recordings: rows)
            }
            try store.commitFailure(FailureRow(path: "broken.wav", filePath: "broken.wav", reason: "Format not recognised", stderr: ""))
        }
    }
}
