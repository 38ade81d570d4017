import Foundation
import PostgresClient

/// The audit store in a shared PostgreSQL database, for audits that many machines fill together
/// (docs/scale.md): the same logical tables as `SQLiteAuditStore` (docs/audit.md, "Schema"), with
/// the same migration names, plus the work queue (`queue`, see `WorkQueue`). Each write is one
/// transaction, or part of the caller's open one (a queue worker records a call's result in the
/// transaction that holds its claim).
public final class PostgresAuditStore: AuditStore {
    public let connection: PostgresConnection
    public var redactedURL: String { connection.redactedURL }
    private var transactionDepth = 0

    /// Migrations by name, in order; the first two are SQLite's v1 and v2 in PostgreSQL's dialect.
    static let migrations: [(String, String)] = [
        ("v1", """
        CREATE TABLE analyses (
          key TEXT PRIMARY KEY NOT NULL,
          file_sha256 TEXT NOT NULL,
          analysis_version INTEGER NOT NULL,
          settings_sha256 TEXT NOT NULL,
          settings_json TEXT NOT NULL,
          rubric_sha256 TEXT NOT NULL,
          rubric_version TEXT NOT NULL,
          tool_version TEXT NOT NULL,
          duration_seconds DOUBLE PRECISION NOT NULL,
          sample_rate_hz INTEGER NOT NULL,
          channel_count INTEGER NOT NULL,
          format TEXT NOT NULL,
          language TEXT NOT NULL,
          score DOUBLE PRECISION,
          articulation_rate_syllables_per_second DOUBLE PRECISION,
          active_speech_level_dbov DOUBLE PRECISION,
          f0_stdev_semitones DOUBLE PRECISION,
          agent_interruption_count INTEGER,
          agent_backchannel_count INTEGER,
          dead_air_count INTEGER NOT NULL,
          dead_air_seconds DOUBLE PRECISION NOT NULL,
          hold_count INTEGER NOT NULL,
          hold_seconds DOUBLE PRECISION NOT NULL,
          filled_pauses_per_minute DOUBLE PRECISION,
          json_lz4 BYTEA NOT NULL,
          json_bytes INTEGER NOT NULL,
          worker_stderr TEXT NOT NULL DEFAULT '',
          analysed_at TEXT NOT NULL
        );
        CREATE TABLE recordings (
          path TEXT PRIMARY KEY NOT NULL,
          file_path TEXT NOT NULL,
          agent TEXT NOT NULL DEFAULT '',
          team TEXT NOT NULL DEFAULT '',
          date TEXT NOT NULL DEFAULT '',
          week TEXT NOT NULL DEFAULT '',
          tags TEXT NOT NULL DEFAULT '{}',
          file_sha256 TEXT NOT NULL,
          analysis_key TEXT NOT NULL REFERENCES analyses(key),
          updated_at TEXT NOT NULL
        );
        CREATE INDEX recordings_by_key ON recordings(analysis_key);
        CREATE INDEX recordings_by_agent ON recordings(agent, date);
        CREATE TABLE scores (
          analysis_key TEXT NOT NULL REFERENCES analyses(key),
          rubric_sha256 TEXT NOT NULL,
          rubric_version TEXT NOT NULL,
          score DOUBLE PRECISION,
          judged_at TEXT NOT NULL,
          PRIMARY KEY (analysis_key, rubric_sha256)
        );
        CREATE TABLE verdicts (
          analysis_key TEXT NOT NULL REFERENCES analyses(key),
          rubric_sha256 TEXT NOT NULL,
          guideline TEXT NOT NULL,
          verdict TEXT NOT NULL,
          score DOUBLE PRECISION,
          measured TEXT,
          position SERIAL,
          PRIMARY KEY (analysis_key, rubric_sha256, guideline)
        );
        CREATE TABLE events (
          analysis_key TEXT NOT NULL REFERENCES analyses(key),
          kind TEXT NOT NULL,
          party TEXT NOT NULL,
          start_seconds DOUBLE PRECISION NOT NULL,
          end_seconds DOUBLE PRECISION NOT NULL,
          detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX events_by_key ON events(analysis_key, kind);
        CREATE TABLE failures (
          path TEXT PRIMARY KEY NOT NULL,
          file_path TEXT NOT NULL,
          reason TEXT NOT NULL,
          stderr TEXT NOT NULL DEFAULT '',
          attempts INTEGER NOT NULL DEFAULT 1,
          failed_at TEXT NOT NULL
        );
        """),
        ("v2", """
        CREATE TABLE rubrics (
          sha256 TEXT PRIMARY KEY NOT NULL,
          rubric_version TEXT NOT NULL,
          json TEXT NOT NULL,
          added_at TEXT NOT NULL
        );
        CREATE TABLE runs (
          id BIGSERIAL PRIMARY KEY,
          started_at TEXT NOT NULL,
          finished_at TEXT NOT NULL,
          tool_version TEXT NOT NULL,
          arguments TEXT NOT NULL,
          analysed_count INTEGER NOT NULL,
          skipped_count INTEGER NOT NULL,
          failed_count INTEGER NOT NULL,
          not_audio_count INTEGER NOT NULL
        );
        CREATE INDEX scores_by_rubric ON scores(rubric_sha256, judged_at);
        """),
        ("queue-v1", """
        CREATE TABLE queue (
          id BIGSERIAL UNIQUE,
          path TEXT PRIMARY KEY NOT NULL,
          file_path TEXT NOT NULL,
          agent TEXT NOT NULL DEFAULT '',
          team TEXT NOT NULL DEFAULT '',
          date TEXT NOT NULL DEFAULT '',
          tags TEXT NOT NULL DEFAULT '{}',
          language TEXT,
          agent_channel INTEGER,
          state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          enqueued_at TEXT NOT NULL,
          finished_at TEXT
        );
        CREATE INDEX queue_waiting ON queue(id) WHERE state = 'queued';
        """),
    ]

    /// Key of the advisory lock that serialises migrations across processes starting together.
    static let migrationLockKey = 7_411_000
    /// First key of the two-key advisory locks a worker holds on the call it claimed (`status` counts them).
    static let claimLockClass: Int32 = 7411

    /// Connects and migrates. Every way this can fail is one `AuditError` line.
    public init(url: String) throws {
        do {
            connection = try PostgresConnection(url: url)
            // A long analysis runs inside the claim's transaction: the server must not end it as idle.
            try connection.execute(script: "SET idle_in_transaction_session_timeout = 0; SET client_min_messages = warning")
            try migrate()
        } catch let e as PostgresError {
            throw AuditError.cannotOpenDatabase(path: PostgresConnection.redact(url), reason: e.description)
        }
    }

    private func migrate() throws {
        try connection.transaction {
            try connection.query("SELECT pg_advisory_xact_lock($1)", [.text(String(Self.migrationLockKey))])
            try connection.execute(script: "CREATE TABLE IF NOT EXISTS voiceqa_migrations (identifier TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            let applied = Set(try connection.query("SELECT identifier FROM voiceqa_migrations").compactMap { $0.first?.string })
            let known = Set(Self.migrations.map(\.0))
            let unknown = applied.subtracting(known)
            if !unknown.isEmpty { throw AuditError.newerDatabase(path: redactedURL, unknownMigrations: unknown.sorted()) }
            for (name, sql) in Self.migrations where !applied.contains(name) {
                try connection.execute(script: sql)
                try connection.query("INSERT INTO voiceqa_migrations (identifier) VALUES ($1)", [.text(name)])
            }
        }
    }

    /// Runs `body` in a transaction, or inside the caller's (a queue worker's claim).
    @discardableResult
    public func write<T>(_ body: () throws -> T) throws -> T {
        do {
            if transactionDepth > 0 { return try body() }
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try connection.transaction(body)
        } catch let e as PostgresError {
            throw AuditError.database("audit database \(redactedURL): \(e.description)")
        }
    }

    @discardableResult
    func query(_ sql: String, _ parameters: [PostgresValue] = []) throws -> [[PostgresValue]] {
        do { return try connection.query(sql, parameters) } catch let e as PostgresError {
            throw AuditError.database("audit database \(redactedURL): \(e.description)")
        }
    }

    /// Marks the start of a transaction opened by a queue worker's claim; writes join it.
    func enterClaim() { transactionDepth += 1 }
    func leaveClaim() { transactionDepth -= 1 }

    // MARK: - AuditStore

    public func analysisKeys() throws -> Set<String> {
        Set(try query("SELECT key FROM analyses").compactMap { $0.first?.string })
    }

    public func hasAnalysis(key: String) throws -> Bool {
        try !query("SELECT 1 FROM analyses WHERE key = $1", [.text(key)]).isEmpty
    }

    public func addRubric(_ r: RubricEntry) throws {
        try write {
            try query("""
                INSERT INTO rubrics (sha256, rubric_version, json, added_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (sha256) DO UPDATE SET json = excluded.json WHERE rubrics.json = ''
                """, [.text(r.sha256), .text(r.version), .text(r.canonicalJSON), .text(r.addedAt)])
        }
    }

    public func commit(analysis: AnalysisRecord?, key: String, recordings: [RecordingRow]) throws {
        let now = AuditTime.now()
        try write {
            if let a = analysis {
                let d = a.digest
                let inserted = try query("""
                    INSERT INTO analyses (key, file_sha256, analysis_version, settings_sha256, settings_json, rubric_sha256,
                      rubric_version, tool_version, duration_seconds, sample_rate_hz, channel_count, format, language, score,
                      articulation_rate_syllables_per_second, active_speech_level_dbov, f0_stdev_semitones,
                      agent_interruption_count, agent_backchannel_count, dead_air_count, dead_air_seconds, hold_count,
                      hold_seconds, filled_pauses_per_minute, json_lz4, json_bytes, worker_stderr, analysed_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
                            $23, $24, $25, $26, $27, $28)
                    ON CONFLICT (key) DO NOTHING RETURNING key
                    """, [.text(key), .text(a.key.fileSHA256), .int(a.key.analysisVersion), .text(a.key.settingsSHA256), .text(a.settingsJSON),
                          .text(a.key.rubricSHA256), .text(d.rubricVersion), .text(d.toolVersion), .double(d.durationSeconds),
                          .int(d.sampleRateHz), .int(d.channelCount), .text(d.format), .text(d.language), .double(d.score),
                          .double(d.articulationRateSyllablesPerSecond), .double(d.activeSpeechLevelDBov), .double(d.f0StdevSemitones),
                          .int(d.agentInterruptionCount), .int(d.agentBackchannelCount), .int(d.deadAirCount), .double(d.deadAirSeconds),
                          .int(d.holdCount), .double(d.holdSeconds), .double(d.filledPausesPerMinute),
                          .bytes(LZ4Block.compress([UInt8](a.reportJSON))), .int(a.reportJSON.count), .text(a.workerStderr), .text(now)])
                if !inserted.isEmpty {
                    try insertJudgement(key: key, rubricSHA256: a.key.rubricSHA256, rubricVersion: d.rubricVersion,
                                        score: d.score, verdicts: d.verdicts, at: now)
                    for e in d.events {
                        try query("INSERT INTO events (analysis_key, kind, party, start_seconds, end_seconds, detail) VALUES ($1, $2, $3, $4, $5, $6)",
                                  [.text(key), .text(e.kind), .text(e.party), .double(e.startSeconds), .double(e.endSeconds), .text(e.detail)])
                    }
                }
            }
            for r in recordings {
                try query("""
                    INSERT INTO recordings (path, file_path, agent, team, date, week, tags, file_sha256, analysis_key, updated_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                    ON CONFLICT (path) DO UPDATE SET file_path = excluded.file_path, agent = excluded.agent, team = excluded.team,
                      date = excluded.date, week = excluded.week, tags = excluded.tags, file_sha256 = excluded.file_sha256,
                      analysis_key = excluded.analysis_key, updated_at = excluded.updated_at
                    """, [.text(r.path), .text(r.filePath), .text(r.agent), .text(r.team), .text(r.date),
                          .text(DateKeys.isoWeek(r.date) ?? ""), .text(SQLiteAuditStore.tagsJSON(r.tags)), .text(r.fileSHA256),
                          .text(key), .text(now)])
                try query("DELETE FROM failures WHERE path = $1", [.text(r.path)])
            }
        }
    }

    private func insertJudgement(key: String, rubricSHA256: String, rubricVersion: String, score: Double?,
                                 verdicts: [AnalysisDigest.Verdict], at now: String) throws {
        let inserted = try query("""
            INSERT INTO scores (analysis_key, rubric_sha256, rubric_version, score, judged_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT DO NOTHING RETURNING analysis_key
            """, [.text(key), .text(rubricSHA256), .text(rubricVersion), .double(score), .text(now)])
        guard !inserted.isEmpty else { return }
        for v in verdicts {
            try query("INSERT INTO verdicts (analysis_key, rubric_sha256, guideline, verdict, score, measured) VALUES ($1, $2, $3, $4, $5, $6)",
                      [.text(key), .text(rubricSHA256), .text(v.guideline), .text(v.verdict), .double(v.score),
                       v.measured.map { .text(SQLiteAuditStore.measuredJSON($0)) } ?? .null])
        }
    }

    public func commitFailure(_ f: FailureRow) throws {
        try write {
            try query("""
                INSERT INTO failures (path, file_path, reason, stderr, attempts, failed_at) VALUES ($1, $2, $3, $4, 1, $5)
                ON CONFLICT (path) DO UPDATE SET file_path = excluded.file_path, reason = excluded.reason, stderr = excluded.stderr,
                  attempts = failures.attempts + 1, failed_at = excluded.failed_at
                """, [.text(f.path), .text(f.filePath), .text(f.reason), .text(f.stderr), .text(AuditTime.now())])
            try query("DELETE FROM recordings WHERE path = $1", [.text(f.path)])
        }
    }

    public func commitJudgement(key: String, rubric: RubricEntry, score: Double?, verdicts: [AnalysisDigest.Verdict]) throws {
        try write { try insertJudgement(key: key, rubricSHA256: rubric.sha256, rubricVersion: rubric.version, score: score, verdicts: verdicts, at: AuditTime.now()) }
    }

    public func forEachAnalysis(notJudgedUnder rubricSHA256: String, _ body: (String, Data) throws -> Void) throws {
        let keys = try query("""
            SELECT key FROM analyses WHERE key NOT IN (SELECT analysis_key FROM scores WHERE rubric_sha256 = $1) ORDER BY key
            """, [.text(rubricSHA256)]).compactMap { $0.first?.string }
        for key in keys {
            guard let json = try reportJSON(key: key) else { continue }
            try body(key, json)
        }
    }

    public func reportJSON(key: String) throws -> Data? {
        guard let row = try query("SELECT json_lz4, json_bytes FROM analyses WHERE key = $1", [.text(key)]).first,
              case let .bytes(blob) = row[0], let size = row[1].int else { return nil }
        do { return Data(try LZ4Block.decompress(blob, originalCount: size)) } catch {
            throw AuditError.database("audit database \(redactedURL): analysis \(key): \(error)")
        }
    }

    public func rubrics() throws -> [RubricEntry] {
        try query("""
            SELECT r.sha256, r.rubric_version, r.json, r.added_at, MAX(s.judged_at) AS last
            FROM rubrics r LEFT JOIN scores s ON s.rubric_sha256 = r.sha256 GROUP BY r.sha256 ORDER BY last NULLS FIRST, r.added_at
            """).map { RubricEntry(sha256: $0[0].string ?? "", version: $0[1].string ?? "", canonicalJSON: $0[2].string ?? "", addedAt: $0[3].string ?? "") }
    }

    public func summaryCalls(rubricSHA256: String) throws -> [SummaryCall] {
        var verdicts: [String: [String: String]] = [:]
        for row in try query("SELECT analysis_key, guideline, verdict FROM verdicts WHERE rubric_sha256 = $1", [.text(rubricSHA256)]) {
            verdicts[row[0].string ?? "", default: [:]][row[1].string ?? ""] = row[2].string
        }
        return try query("""
            SELECT a.key, r.path, r.agent, r.team, r.date, a.language, a.duration_seconds, s.score,
              a.articulation_rate_syllables_per_second, a.active_speech_level_dbov, a.f0_stdev_semitones,
              a.agent_interruption_count, a.agent_backchannel_count, a.dead_air_count, a.hold_count, a.filled_pauses_per_minute
            FROM analyses a
            JOIN scores s ON s.analysis_key = a.key AND s.rubric_sha256 = $1
            JOIN recordings r ON r.path = (SELECT MIN(path) FROM recordings WHERE analysis_key = a.key)
            ORDER BY r.path
            """, [.text(rubricSHA256)]).map { c in
            let key = c[0].string ?? ""
            return SummaryCall(key: key, path: c[1].string ?? "", agent: c[2].string ?? "", team: c[3].string ?? "", date: c[4].string ?? "",
                               language: c[5].string ?? "", durationSeconds: c[6].double ?? 0, score: c[7].double, verdicts: verdicts[key] ?? [:],
                               articulationRateSyllablesPerSecond: c[8].double, activeSpeechLevelDBov: c[9].double, f0StdevSemitones: c[10].double,
                               agentInterruptionCount: c[11].int, agentBackchannelCount: c[12].int, deadAirCount: c[13].int ?? 0,
                               holdCount: c[14].int ?? 0, filledPausesPerMinute: c[15].double)
        }
    }

    public func failures() throws -> [FailureRow] {
        try query("SELECT path, file_path, reason, stderr, attempts, failed_at FROM failures ORDER BY path").map { row in
            var f = FailureRow(path: row[0].string ?? "", filePath: row[1].string ?? "", reason: row[2].string ?? "", stderr: row[3].string ?? "")
            f.attempts = row[4].int ?? 1; f.failedAt = row[5].string ?? ""
            return f
        }
    }

    public func table(_ name: ExportTable, rubricSHA256: String?, _ body: ([String], [[ExportValue]]) throws -> Void) throws {
        let sql: String
        var parameters: [PostgresValue] = []
        switch name {
        case .calls:
            sql = """
                SELECT r.path, r.agent, r.team, r.date, r.week, r.tags, r.analysis_key AS key, a.duration_seconds, a.language,
                  s.score, s.rubric_version, a.json_lz4, a.json_bytes
                FROM recordings r JOIN analyses a ON a.key = r.analysis_key
                LEFT JOIN scores s ON s.analysis_key = a.key AND s.rubric_sha256 = $1
                ORDER BY r.path
                """
            parameters = [.text(rubricSHA256 ?? "")]
        case .recordings: sql = "SELECT path, file_path, agent, team, date, week, tags, file_sha256, analysis_key, updated_at FROM recordings ORDER BY path"
        case .analyses:
            sql = """
                SELECT key, file_sha256, analysis_version, settings_sha256, settings_json, rubric_sha256, rubric_version, tool_version,
                  duration_seconds, sample_rate_hz, channel_count, format, language, score, articulation_rate_syllables_per_second,
                  active_speech_level_dbov, f0_stdev_semitones, agent_interruption_count, agent_backchannel_count, dead_air_count,
                  dead_air_seconds, hold_count, hold_seconds, filled_pauses_per_minute, json_lz4, json_bytes, worker_stderr, analysed_at
                FROM analyses ORDER BY key
                """
        case .verdicts:
            if let rubricSHA256 {
                sql = "SELECT analysis_key, rubric_sha256, guideline, verdict, score, measured FROM verdicts WHERE rubric_sha256 = $1 ORDER BY analysis_key, rubric_sha256, position"
                parameters = [.text(rubricSHA256)]
            } else {
                sql = "SELECT analysis_key, rubric_sha256, guideline, verdict, score, measured FROM verdicts ORDER BY analysis_key, rubric_sha256, position"
            }
        case .events: sql = "SELECT analysis_key, kind, party, start_seconds, end_seconds, detail FROM events ORDER BY analysis_key, start_seconds, kind"
        case .failures: sql = "SELECT path, file_path, reason, stderr, attempts, failed_at FROM failures ORDER BY path"
        }
        let (columns, types, rows) = try queryWithColumns(sql, parameters)
        var names: [String] = [], batch: [[ExportValue]] = []
        for (i, c) in columns.enumerated() where c != "json_lz4" && c != "json_bytes" { names.append(c); _ = i }
        if columns.contains("json_lz4") { names.append("analysis") }
        for row in rows {
            var values: [ExportValue] = []
            var lz4: [UInt8]? = nil, size = 0
            for (i, c) in columns.enumerated() {
                if c == "json_lz4" { if case let .bytes(b) = row[i] { lz4 = b }; continue }
                if c == "json_bytes" { size = row[i].int ?? 0; continue }
                values.append(Self.exportValue(row[i], type: types[i]))
            }
            if columns.contains("json_lz4") {
                let json = lz4.flatMap { try? LZ4Block.decompress($0, originalCount: size) }.map { String(decoding: $0, as: UTF8.self) }
                values.append(json.map(ExportValue.text) ?? .null)
            }
            batch.append(values)
            if batch.count == 256 { try body(names, batch); batch = [] }
        }
        try body(names, batch)
    }

    private func queryWithColumns(_ sql: String, _ parameters: [PostgresValue]) throws -> ([String], [PostgresConnection.ColumnType], [[PostgresValue]]) {
        do { return try connection.queryWithColumns(sql, parameters) } catch let e as PostgresError {
            throw AuditError.database("audit database \(redactedURL): \(e.description)")
        }
    }

    static func exportValue(_ v: PostgresValue, type: PostgresConnection.ColumnType) -> ExportValue {
        switch v {
        case .null: return .null
        case .bytes: return .null
        case let .text(s):
            switch type {
            case .integer: return Int64(s).map(ExportValue.integer) ?? .text(s)
            case .real: return Double(s).map(ExportValue.real) ?? .text(s)
            default: return .text(s)
            }
        }
    }

    public func logRun(_ r: RunRow) throws {
        try write {
            try query("""
                INSERT INTO runs (started_at, finished_at, tool_version, arguments, analysed_count, skipped_count, failed_count, not_audio_count)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """, [.text(r.startedAt), .text(r.finishedAt), .text(r.toolVersion), .text(r.arguments), .int(r.analysedCount),
                      .int(r.skippedCount), .int(r.failedCount), .int(r.notAudioCount)])
        }
    }
}

extension PostgresValue {
    static func int(_ v: Int?) -> PostgresValue { v.map { .text(String($0)) } ?? .null }
    /// Doubles in their shortest round-trip form; a non-finite value (never expected) is stored as NULL.
    static func double(_ v: Double?) -> PostgresValue {
        guard let v, v.isFinite else { return .null }
        return .text("\(v)")
    }
    var string: String? { if case let .text(s) = self { return s }; return nil }
    var int: Int? { string.flatMap { Int($0) } }
    var double: Double? { string.flatMap { Double($0) } }
}
