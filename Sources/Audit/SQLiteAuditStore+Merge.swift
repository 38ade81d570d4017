import Foundation
import GRDB

/// What one `merge(from:)` added.
public struct MergeCounts: Sendable, Equatable {
    public var recordings = 0, analyses = 0, failures = 0
    public init() {}
}

extension SQLiteAuditStore {
    /// Adds the rows of another audit database (a shard's) to this one, in one transaction:
    /// recordings by path and analyses by key, each once (a recording seen in both keeps the newer
    /// row); verdicts, scores and rubrics by their keys; events with their analysis; failures kept
    /// unless a recording with a result exists for the path, here or in the input (a success
    /// replaces a failure); runs appended once. Merging the same input again changes nothing.
    /// The input must have exactly this tool's migrations applied (same schema version).
    public func merge(from inputPath: String) throws -> MergeCounts {
        guard FileManager.default.isReadableFile(atPath: inputPath) else {
            throw AuditError.cannotOpenDatabase(path: inputPath, reason: "no such file or not readable")
        }
        // Opening it through the migrator checks it is an audit database and not newer; it must
        // also not be older (merging would mix schemas), so it is opened without migrating.
        let expected = Self.migrator().migrations
        let applied: [String]
        do {
            let input = try DatabaseQueue(path: inputPath, configuration: { var c = Configuration(); c.readonly = true; return c }())
            applied = try input.read { db in
                guard try db.tableExists("grdb_migrations") else { throw AuditError.notAnAuditDatabase(path: inputPath) }
                return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
            }
        } catch let e as DatabaseError {
            throw AuditError.cannotOpenDatabase(path: inputPath, reason: Self.reason(e))
        }
        guard applied == expected.sorted() else {
            throw AuditError.database("\(inputPath): schema \(applied.last ?? "none") differs from this voiceqa's \(expected.last ?? "none"); merge databases written by the same version (or run `voiceqa audit check --db \(inputPath)` with that version first)")
        }
        var counts = MergeCounts()
        do {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS shard", arguments: [inputPath])
                defer { try? db.execute(sql: "DETACH DATABASE shard") }
                try db.inTransaction {
                    func changes(_ sql: String) throws -> Int { try db.execute(sql: sql); return db.changesCount }
                    _ = try changes("INSERT OR IGNORE INTO rubrics SELECT * FROM shard.rubrics")
                    try db.execute(sql: """
                        CREATE TEMP TABLE new_keys AS
                          SELECT key FROM shard.analyses WHERE key NOT IN (SELECT key FROM main.analyses)
                        """)
                    counts.analyses = try changes("INSERT INTO analyses SELECT * FROM shard.analyses WHERE key IN (SELECT key FROM temp.new_keys)")
                    _ = try changes("INSERT INTO events SELECT * FROM shard.events WHERE analysis_key IN (SELECT key FROM temp.new_keys)")
                    _ = try changes("INSERT OR IGNORE INTO scores SELECT * FROM shard.scores")
                    _ = try changes("INSERT OR IGNORE INTO verdicts SELECT * FROM shard.verdicts")
                    try db.execute(sql: "DROP TABLE temp.new_keys")
                    counts.recordings = try changes("""
                        INSERT INTO recordings SELECT * FROM shard.recordings WHERE true
                        ON CONFLICT(path) DO UPDATE SET
                          file_path = excluded.file_path, agent = excluded.agent, team = excluded.team, date = excluded.date,
                          week = excluded.week, tags = excluded.tags, file_sha256 = excluded.file_sha256,
                          analysis_key = excluded.analysis_key, updated_at = excluded.updated_at
                        WHERE excluded.updated_at > recordings.updated_at
                        """)
                    counts.failures = try changes("""
                        INSERT INTO failures SELECT * FROM shard.failures WHERE path NOT IN (SELECT path FROM main.recordings)
                        ON CONFLICT(path) DO UPDATE SET
                          file_path = excluded.file_path, reason = excluded.reason, stderr = excluded.stderr,
                          attempts = excluded.attempts, failed_at = excluded.failed_at
                        WHERE excluded.failed_at > failures.failed_at
                        """)
                    _ = try changes("DELETE FROM failures WHERE path IN (SELECT path FROM main.recordings)")
                    _ = try changes("""
                        INSERT INTO runs (started_at, finished_at, tool_version, arguments, analysed_count, skipped_count, failed_count, not_audio_count)
                          SELECT started_at, finished_at, tool_version, arguments, analysed_count, skipped_count, failed_count, not_audio_count
                          FROM shard.runs s WHERE NOT EXISTS (
                            SELECT 1 FROM main.runs m WHERE m.started_at = s.started_at AND m.arguments = s.arguments)
                        """)
                    return .commit
                }
            }
        } catch let e as DatabaseError {
            throw AuditError.database("merging \(inputPath) into \(path): \(Self.reason(e))")
        }
        return counts
    }
}
