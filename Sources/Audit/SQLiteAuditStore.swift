import Foundation
import GRDB

/// The audit store in one SQLite file through GRDB: WAL (readers never block the writer),
/// `synchronous = FULL` (a committed file's rows survive a power cut), one transaction per file,
/// schema versions by `DatabaseMigrator` (docs/audit.md, "Schema").
public final class SQLiteAuditStore: AuditStore {
    public let path: String
    let pool: DatabasePool

    /// The migrations, in order. A migration once released is never edited: add a new one.
    public static func migrator() -> DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
            CREATE TABLE analyses (
              key TEXT PRIMARY KEY NOT NULL,
              file_sha256 TEXT NOT NULL,
              analysis_version INTEGER NOT NULL,
              settings_sha256 TEXT NOT NULL,
              settings_json TEXT NOT NULL,
              rubric_sha256 TEXT NOT NULL,
              rubric_version TEXT NOT NULL,
              tool_version TEXT NOT NULL,
              duration_seconds REAL NOT NULL,
              sample_rate_hz INTEGER NOT NULL,
              channel_count INTEGER NOT NULL,
              format TEXT NOT NULL,
              language TEXT NOT NULL,
              score REAL,
              articulation_rate_syllables_per_second REAL,
              active_speech_level_dbov REAL,
              f0_stdev_semitones REAL,
              agent_interruption_count INTEGER,
              agent_backchannel_count INTEGER,
              dead_air_count INTEGER NOT NULL,
              dead_air_seconds REAL NOT NULL,
              hold_count INTEGER NOT NULL,
              hold_seconds REAL NOT NULL,
              filled_pauses_per_minute REAL,
              json_lz4 BLOB NOT NULL,
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
              score REAL,
              judged_at TEXT NOT NULL,
              PRIMARY KEY (analysis_key, rubric_sha256)
            );
            CREATE TABLE verdicts (
              analysis_key TEXT NOT NULL REFERENCES analyses(key),
              rubric_sha256 TEXT NOT NULL,
              guideline TEXT NOT NULL,
              verdict TEXT NOT NULL,
              score REAL,
              measured TEXT,
              PRIMARY KEY (analysis_key, rubric_sha256, guideline)
            );
            CREATE TABLE events (
              analysis_key TEXT NOT NULL REFERENCES analyses(key),
              kind TEXT NOT NULL,
              party TEXT NOT NULL,
              start_seconds REAL NOT NULL,
              end_seconds REAL NOT NULL,
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
            """)
        }
        m.registerMigration("v2") { db in
            // Rubrics by hash (for rescore and `summary --rubric`), and a log of runs.
            try db.execute(sql: """
            CREATE TABLE rubrics (
              sha256 TEXT PRIMARY KEY NOT NULL,
              rubric_version TEXT NOT NULL,
              json TEXT NOT NULL,
              added_at TEXT NOT NULL
            );
            INSERT INTO rubrics (sha256, rubric_version, json, added_at)
              SELECT rubric_sha256, rubric_version, '', MIN(judged_at) FROM scores GROUP BY rubric_sha256;
            CREATE TABLE runs (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
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
            """)
        }
        return m
    }

    /// Opens (creating when `create`) and migrates the database at `path`. Every way this can
    /// fail is one `AuditError` line: unwritable, not SQLite, another program's database, newer.
    public init(path: String, create: Bool = true, migrateUpTo: String? = nil) throws {
        self.path = path
        if !create, !FileManager.default.fileExists(atPath: path) {
            throw AuditError.cannotOpenDatabase(path: path, reason: "no such file; `voiceqa audit run --db \(path) …` creates it")
        }
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch let e as DatabaseError {
            throw AuditError.cannotOpenDatabase(path: path, reason: Self.reason(e))
        }
        let migrator = Self.migrator()
        do {
            let (applied, tableCount) = try pool.read { db -> (Set<String>, Int) in
                let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") ?? 0
                let hasLog = try db.tableExists("grdb_migrations")
                return (hasLog ? try migrator.appliedIdentifiers(db) : [], tables)
            }
            if applied.isEmpty && tableCount > 0 { throw AuditError.notAnAuditDatabase(path: path) }
            let unknown = applied.subtracting(migrator.migrations)
            if !unknown.isEmpty { throw AuditError.newerDatabase(path: path, unknownMigrations: unknown.sorted()) }
            if let target = migrateUpTo { try migrator.migrate(pool, upTo: target) } else { try migrator.migrate(pool) }
        } catch let e as DatabaseError {
            throw AuditError.cannotOpenDatabase(path: path, reason: Self.reason(e))
        }
    }

    static func reason(_ e: DatabaseError) -> String {
        let message = e.message ?? "\(e.resultCode)"
        switch e.resultCode {
        case .SQLITE_CANTOPEN: return "\(message) (check that the folder exists and is writable)"
        case .SQLITE_NOTADB: return "\(message) (not an SQLite database; give another --db path)"
        case .SQLITE_CORRUPT: return "\(message) (the file is damaged)"
        case .SQLITE_READONLY: return "\(message) (read-only; check the file's and folder's permissions)"
        default: return message
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let e as DatabaseError {
            throw AuditError.database("audit database \(path): \(Self.reason(e))")
        }
    }
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let e as DatabaseError {
            throw AuditError.database("audit database \(path): \(Self.reason(e))")
        }
    }

    /// `PRAGMA integrity_check`: "ok" for a sound file.
    public func integrityCheck() throws -> String {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    /// Rows per table and the migrations applied, for `audit check`.
    public func counts() throws -> (tables: [(String, Int)], migrations: [String]) {
        try read { db in
            var tables: [(String, Int)] = []
            for t in ["recordings", "analyses", "scores", "verdicts", "events", "failures", "rubrics", "runs"] where try db.tableExists(t) {
                tables.append((t, try Int.fetchOne(db, sql: "SELECT count(*) FROM \(t)") ?? 0))
            }
            return (tables, try Self.migrator().appliedMigrations(db))
        }
    }

    /// Tests: run a statement, count a query's rows.
    func executeForTesting(_ sql: String) throws { try write { db in try db.execute(sql: sql) } }
    func countForTesting(_ sql: String) throws -> Int { try read { db in try Int.fetchOne(db, sql: sql) ?? -1 } }

    public func analysisKeys() throws -> Set<String> {
        try read { db in Set(try String.fetchAll(db, sql: "SELECT key FROM analyses")) }
    }

    public func addRubric(_ r: RubricEntry) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO rubrics (sha256, rubric_version, json, added_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(sha256) DO UPDATE SET json = excluded.json WHERE rubrics.json = ''
                """, arguments: [r.sha256, r.version, r.canonicalJSON, r.addedAt])
        }
    }

    public func commit(analysis: AnalysisRecord?, key: String, recordings: [RecordingRow]) throws {
        let now = AuditTime.now()
        let compressed = analysis.map { Data(LZ4Block.compress([UInt8]($0.reportJSON))) }
        try write { db in
            if let a = analysis, let compressed {
                let d = a.digest
                try db.execute(sql: """
                    INSERT INTO analyses (key, file_sha256, analysis_version, settings_sha256, settings_json, rubric_sha256,
                      rubric_version, tool_version, duration_seconds, sample_rate_hz, channel_count, format, language, score,
                      articulation_rate_syllables_per_second, active_speech_level_dbov, f0_stdev_semitones,
                      agent_interruption_count, agent_backchannel_count, dead_air_count, dead_air_seconds, hold_count,
                      hold_seconds, filled_pauses_per_minute, json_lz4, json_bytes, worker_stderr, analysed_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(key) DO NOTHING
                    """, arguments: [key, a.key.fileSHA256, a.key.analysisVersion, a.key.settingsSHA256, a.settingsJSON,
                                     a.key.rubricSHA256, d.rubricVersion, d.toolVersion, d.durationSeconds, d.sampleRateHz,
                                     d.channelCount, d.format, d.language, d.score, d.articulationRateSyllablesPerSecond,
                                     d.activeSpeechLevelDBov, d.f0StdevSemitones, d.agentInterruptionCount, d.agentBackchannelCount,
                                     d.deadAirCount, d.deadAirSeconds, d.holdCount, d.holdSeconds, d.filledPausesPerMinute,
                                     compressed, a.reportJSON.count, a.workerStderr, now])
                if db.changesCount > 0 {
                    try Self.insertJudgement(db, key: key, rubricSHA256: a.key.rubricSHA256, rubricVersion: d.rubricVersion,
                                             score: d.score, verdicts: d.verdicts, at: now)
                    for e in d.events {
                        try db.execute(sql: "INSERT INTO events (analysis_key, kind, party, start_seconds, end_seconds, detail) VALUES (?, ?, ?, ?, ?, ?)",
                                       arguments: [key, e.kind, e.party, e.startSeconds, e.endSeconds, e.detail])
                    }
                }
            }
            for r in recordings {
                try db.execute(sql: """
                    INSERT INTO recordings (path, file_path, agent, team, date, week, tags, file_sha256, analysis_key, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(path) DO UPDATE SET file_path = excluded.file_path, agent = excluded.agent, team = excluded.team,
                      date = excluded.date, week = excluded.week, tags = excluded.tags, file_sha256 = excluded.file_sha256,
                      analysis_key = excluded.analysis_key, updated_at = excluded.updated_at
                    """, arguments: [r.path, r.filePath, r.agent, r.team, r.date, DateKeys.isoWeek(r.date) ?? "",
                                     Self.tagsJSON(r.tags), r.fileSHA256, key, now])
                try db.execute(sql: "DELETE FROM failures WHERE path = ?", arguments: [r.path])
            }
        }
    }

    static func insertJudgement(_ db: Database, key: String, rubricSHA256: String, rubricVersion: String, score: Double?,
                                verdicts: [AnalysisDigest.Verdict], at now: String) throws {
        try db.execute(sql: """
            INSERT INTO scores (analysis_key, rubric_sha256, rubric_version, score, judged_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """, arguments: [key, rubricSHA256, rubricVersion, score, now])
        guard db.changesCount > 0 else { return }
        for v in verdicts {
            try db.execute(sql: "INSERT INTO verdicts (analysis_key, rubric_sha256, guideline, verdict, score, measured) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [key, rubricSHA256, v.guideline, v.verdict, v.score, v.measured.map(Self.measuredJSON)])
        }
    }

    static func tagsJSON(_ tags: [String: String]) -> String {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(tags)) ?? Data("{}".utf8), as: UTF8.self)
    }
    static func measuredJSON(_ m: [String: Double]) -> String {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        return String(decoding: (try? e.encode(m)) ?? Data("{}".utf8), as: UTF8.self)
    }

    public func commitFailure(_ f: FailureRow) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO failures (path, file_path, reason, stderr, attempts, failed_at) VALUES (?, ?, ?, ?, 1, ?)
                ON CONFLICT(path) DO UPDATE SET file_path = excluded.file_path, reason = excluded.reason, stderr = excluded.stderr,
                  attempts = failures.attempts + 1, failed_at = excluded.failed_at
                """, arguments: [f.path, f.filePath, f.reason, f.stderr, AuditTime.now()])
            try db.execute(sql: "DELETE FROM recordings WHERE path = ?", arguments: [f.path])
        }
    }

    public func commitJudgement(key: String, rubric: RubricEntry, score: Double?, verdicts: [AnalysisDigest.Verdict]) throws {
        try write { db in
            try Self.insertJudgement(db, key: key, rubricSHA256: rubric.sha256, rubricVersion: rubric.version, score: score,
                                     verdicts: verdicts, at: AuditTime.now())
        }
    }

    public func forEachAnalysis(notJudgedUnder rubricSHA256: String, _ body: (String, Data) throws -> Void) throws {
        let keys = try read { db in
            try String.fetchAll(db, sql: """
                SELECT key FROM analyses WHERE key NOT IN (SELECT analysis_key FROM scores WHERE rubric_sha256 = ?) ORDER BY key
                """, arguments: [rubricSHA256])
        }
        for key in keys {
            guard let json = try reportJSON(key: key) else { continue }
            try body(key, json)
        }
    }

    public func reportJSON(key: String) throws -> Data? {
        guard let row = try read({ db in try Row.fetchOne(db, sql: "SELECT json_lz4, json_bytes FROM analyses WHERE key = ?", arguments: [key]) }) else { return nil }
        let blob: Data = row["json_lz4"]
        let size: Int = row["json_bytes"]
        do { return Data(try LZ4Block.decompress([UInt8](blob), originalCount: size)) } catch {
            throw AuditError.database("audit database \(path): analysis \(key): \(error)")
        }
    }

    public func rubrics() throws -> [RubricEntry] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.sha256, r.rubric_version, r.json, r.added_at, MAX(s.judged_at) AS last
                FROM rubrics r LEFT JOIN scores s ON s.rubric_sha256 = r.sha256 GROUP BY r.sha256 ORDER BY last, r.added_at
                """).map { RubricEntry(sha256: $0["sha256"], version: $0["rubric_version"], canonicalJSON: $0["json"], addedAt: $0["added_at"]) }
        }
    }

    public func summaryCalls(rubricSHA256: String) throws -> [SummaryCall] {
        try read { db in
            var verdicts: [String: [String: String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT analysis_key, guideline, verdict FROM verdicts WHERE rubric_sha256 = ?", arguments: [rubricSHA256]) {
                verdicts[row["analysis_key"], default: [:]][row["guideline"]] = row["verdict"]
            }
            // One row per key: the first path (by name) names the agent, team and date.
            return try Row.fetchAll(db, sql: """
                SELECT a.*, r.path, r.agent, r.team, r.date, s.score AS judged_score
                FROM analyses a
                JOIN scores s ON s.analysis_key = a.key AND s.rubric_sha256 = ?
                JOIN recordings r ON r.path = (SELECT MIN(path) FROM recordings WHERE analysis_key = a.key)
                ORDER BY r.path
                """, arguments: [rubricSHA256]).map { row in
                let key: String = row["key"]
                return SummaryCall(
                    key: key, path: row["path"], agent: row["agent"], team: row["team"], date: row["date"], language: row["language"],
                    durationSeconds: row["duration_seconds"], score: row["judged_score"], verdicts: verdicts[key] ?? [:],
                    articulationRateSyllablesPerSecond: row["articulation_rate_syllables_per_second"],
                    activeSpeechLevelDBov: row["active_speech_level_dbov"], f0StdevSemitones: row["f0_stdev_semitones"],
                    agentInterruptionCount: row["agent_interruption_count"], agentBackchannelCount: row["agent_backchannel_count"],
                    deadAirCount: row["dead_air_count"], holdCount: row["hold_count"], filledPausesPerMinute: row["filled_pauses_per_minute"])
            }
        }
    }

    /// Analysis key → the file path of its first recording (as given to `audit run`).
    public func recordingFilePaths() throws -> [String: String] {
        try read { db in
            var out: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT analysis_key, MIN(file_path) AS file_path FROM recordings GROUP BY analysis_key") {
                out[row["analysis_key"]] = row["file_path"]
            }
            return out
        }
    }

    public func failures() throws -> [FailureRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM failures ORDER BY path").map { row in
                var f = FailureRow(path: row["path"], filePath: row["file_path"], reason: row["reason"], stderr: row["stderr"])
                f.attempts = row["attempts"]; f.failedAt = row["failed_at"]
                return f
            }
        }
    }

    public func table(_ name: ExportTable, rubricSHA256: String?, _ body: ([String], [[ExportValue]]) throws -> Void) throws {
        let rubricFilter = rubricSHA256 ?? ""
        let sql: String
        switch name {
        case .calls:
            sql = """
                SELECT r.path, r.agent, r.team, r.date, r.week, r.tags, r.analysis_key AS key, a.duration_seconds, a.language,
                  s.score, s.rubric_version, a.json_lz4, a.json_bytes
                FROM recordings r JOIN analyses a ON a.key = r.analysis_key
                LEFT JOIN scores s ON s.analysis_key = a.key AND s.rubric_sha256 = '\(rubricFilter)'
                ORDER BY r.path
                """
        case .recordings: sql = "SELECT path, file_path, agent, team, date, week, tags, file_sha256, analysis_key, updated_at FROM recordings ORDER BY path"
        case .analyses: sql = "SELECT * FROM analyses ORDER BY key"
        case .verdicts:
            sql = "SELECT analysis_key, rubric_sha256, guideline, verdict, score, measured FROM verdicts"
                + (rubricSHA256 == nil ? "" : " WHERE rubric_sha256 = '\(rubricFilter)'") + " ORDER BY analysis_key, rubric_sha256, rowid"
        case .events: sql = "SELECT analysis_key, kind, party, start_seconds, end_seconds, detail FROM events ORDER BY analysis_key, start_seconds, kind"
        case .failures: sql = "SELECT path, file_path, reason, stderr, attempts, failed_at FROM failures ORDER BY path"
        }
        try read { db in
            let statement = try db.makeStatement(sql: sql)
            var columns: [String]? = statement.columnNames.filter { $0 != "json_lz4" && $0 != "json_bytes" }
                + (statement.columnNames.contains("json_lz4") ? ["analysis"] : [])
            let cursor = try Row.fetchCursor(statement)
            var batch: [[ExportValue]] = []
            while let row = try cursor.next() {
                var names: [String] = [], values: [ExportValue] = []
                var lz4: Data? = nil, size = 0
                for (column, value) in row {
                    if column == "json_lz4" { lz4 = Data.fromDatabaseValue(value); continue }
                    if column == "json_bytes" { size = Int.fromDatabaseValue(value) ?? 0; continue }
                    names.append(column)
                    switch value.storage {
                    case .null: values.append(.null)
                    case let .int64(i): values.append(.integer(i))
                    case let .double(d): values.append(.real(d))
                    case let .string(s): values.append(.text(s))
                    case .blob: values.append(.null)
                    }
                }
                if let lz4 {
                    names.append("analysis")
                    let json = (try? LZ4Block.decompress([UInt8](lz4), originalCount: size)).map { String(decoding: $0, as: UTF8.self) }
                    values.append(json.map(ExportValue.text) ?? .null)
                }
                columns = names
                batch.append(values)
                if batch.count == 256 { try body(columns!, batch); batch = [] }
            }
            try body(columns ?? [], batch)
        }
    }

    public func logRun(_ r: RunRow) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO runs (started_at, finished_at, tool_version, arguments, analysed_count, skipped_count, failed_count, not_audio_count)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [r.startedAt, r.finishedAt, r.toolVersion, r.arguments, r.analysedCount, r.skippedCount, r.failedCount, r.notAudioCount])
        }
    }
}
