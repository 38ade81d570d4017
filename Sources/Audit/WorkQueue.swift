import CallAnalysis
import Foundation
import PostgresClient
import SpeechAnalysis

/// The shared work queue of an audit in PostgreSQL (docs/scale.md): `enqueue` loads a batch once;
/// any number of workers, on any machines, each claim one call at a time with
/// `SELECT … FOR UPDATE SKIP LOCKED` inside the transaction that also records the call's result.
/// A worker killed mid-call loses its claim with its connection (the server rolls the transaction
/// back), so another worker redoes that call: every call ends recorded exactly once.
public struct WorkQueue {
    public struct Status: Sendable, Equatable {
        /// Waiting for a worker (not claimed).
        public var queued = 0
        /// Claimed by a live worker's open transaction (counted by the advisory locks workers hold).
        public var running = 0
        public var done = 0
        public var failed = 0
    }

    public struct WorkOutcome: Sendable {
        public var analysedCount = 0, alreadyDoneCount = 0, failedCount = 0
        public var audioSeconds = 0.0
        public var failures: [FailureRow] = []
        /// Wall time of the whole run, and the part spent in the database (claims, lookups, writes, commits).
        public var wallSeconds = 0.0
        public var storeSeconds = 0.0
    }

    let store: PostgresAuditStore
    public init(store: PostgresAuditStore) { self.store = store }

    /// Adds the inputs (a path already queued gets its details updated and is queued again: the
    /// workers' keyed check skips what is done, redoes what changed and retries what failed).
    /// Returns how many paths were new.
    public func enqueue(_ inputs: [AuditInput]) throws -> Int {
        try store.write {
            var added = 0
            let now = AuditTime.now()
            for i in inputs {
                let rows = try store.query("""
                    INSERT INTO queue (path, file_path, agent, team, date, tags, language, agent_channel, enqueued_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    ON CONFLICT (path) DO UPDATE SET file_path = excluded.file_path, agent = excluded.agent, team = excluded.team,
                      date = excluded.date, tags = excluded.tags, language = excluded.language, agent_channel = excluded.agent_channel,
                      state = 'queued', enqueued_at = excluded.enqueued_at
                    RETURNING (xmax = 0) AS inserted
                    """, [.text(i.path), .text(i.filePath), .text(i.agent), .text(i.team), .text(i.date),
                          .text(SQLiteAuditStore.tagsJSON(i.tags)), i.language.map { .text($0.rawValue) } ?? .null,
                          .int(i.agentChannel), .text(now)])
                if rows.first?.first?.string == "t" { added += 1 }
            }
            return added
        }
    }

    public func status() throws -> Status {
        var s = Status()
        for row in try store.query("SELECT state, count(*) FROM queue GROUP BY state") {
            let n = row[1].int ?? 0
            switch row[0].string { case "queued": s.queued = n; case "done": s.done = n; case "failed": s.failed = n; default: break }
        }
        // Claims are row locks of open transactions; each worker also holds a two-key advisory lock
        // (class 7411, the call's id) for its claim, which pg_locks shows while the claim lives.
        s.running = try store.query("""
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND granted
            """, [.int(Int(PostgresAuditStore.claimLockClass))]).first?.first?.int ?? 0
        s.queued -= min(s.queued, s.running)
        return s
    }

    /// Claims and analyses calls until none is queued and none is claimed by another worker (while
    /// claims remain, a worker waits with back-off and tries again: a claim freed by a dead worker
    /// comes back). `log` gets one line per claim and per result.
    public func work(settings: AuditRunner.Settings, pool: WorkerPool, claimDelaySeconds: Double? = nil,
                     log: (String) -> Void) throws -> WorkOutcome {
        var outcome = WorkOutcome()
        let clock = ContinuousClock(), started = clock.now
        let rubricSHA = AnalysisKey.rubricSHA256(settings.rubric)
        try store.addRubric(RubricEntry(sha256: rubricSHA, version: settings.rubric.rubricVersion,
                                        canonicalJSON: AnalysisKey.canonicalRubric(settings.rubric), addedAt: AuditTime.now()))
        var backoffSeconds = 0.1
        let connection = store.connection
        let storeClock = StoreClock()
        while true {
            do { try storeClock.time { try connection.execute(script: "BEGIN") } } catch let e as PostgresError { throw AuditError.database("\(store.redactedURL): \(e)") }
            store.enterClaim()
            var inClaim = true
            defer { if inClaim { store.leaveClaim(); try? connection.execute(script: "ROLLBACK") } }
            let claimed = try storeClock.time { try store.query("""
                SELECT id, path, file_path, agent, team, date, tags, language, agent_channel FROM queue
                WHERE state = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                """) }
            guard let row = claimed.first, let id = row[0].int else {
                store.leaveClaim(); inClaim = false
                try? connection.execute(script: "ROLLBACK")
                let waiting = try storeClock.time { try store.query("SELECT count(*) FROM queue WHERE state = 'queued'") }.first?.first?.int ?? 0
                if waiting == 0 {
                    pool.shutDown()
                    outcome.wallSeconds = WorkerPool.seconds(started.duration(to: clock.now))
                    outcome.storeSeconds = WorkerPool.seconds(storeClock.total)
                    return outcome
                }
                Thread.sleep(forTimeInterval: backoffSeconds)          // claimed by others: one may die and free it
                backoffSeconds = min(5, backoffSeconds * 2)
                continue
            }
            backoffSeconds = 0.1
            _ = try storeClock.time {
                try store.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", [.int(Int(PostgresAuditStore.claimLockClass)), .int(id % Int(Int32.max))])
            }
            var input = AuditInput(path: row[1].string ?? "", filePath: row[2].string ?? "")
            input.agent = row[3].string ?? ""; input.team = row[4].string ?? ""; input.date = row[5].string ?? ""
            input.tags = (try? JSONDecoder().decode([String: String].self, from: Data((row[6].string ?? "{}").utf8))) ?? [:]
            input.language = row[7].string.flatMap { SpeechLanguage(rawValue: $0) }
            input.agentChannel = row[8].int
            log("claimed \(input.path)")
            if let claimDelaySeconds, claimDelaySeconds > 0 { Thread.sleep(forTimeInterval: claimDelaySeconds) }

            let result = try analyse(input, settings: settings, rubricSHA: rubricSHA, pool: pool, storeClock: storeClock)
            switch result {
            case let .done(audioSeconds, fresh):
                if fresh { outcome.analysedCount += 1; outcome.audioSeconds += audioSeconds } else { outcome.alreadyDoneCount += 1 }
                log("done \(input.path)")
            case let .failed(row):
                outcome.failedCount += 1
                outcome.failures.append(row)
                log("failed \(input.path): \(row.reason)")
            }
            let state = if case .failed = result { "failed" } else { "done" }
            _ = try storeClock.time {
                try store.query("UPDATE queue SET state = $1, attempts = attempts + 1, finished_at = $2 WHERE id = $3",
                                [.text(state), .text(AuditTime.now()), .int(id)])
            }
            store.leaveClaim(); inClaim = false
            do { try storeClock.time { try connection.execute(script: "COMMIT") } } catch let e as PostgresError { throw AuditError.database("\(store.redactedURL): \(e)") }
        }
    }

    private enum Result { case done(audioSeconds: Double, fresh: Bool), failed(FailureRow) }

    /// Time spent in database calls (the store's share of a worker's wall time).
    private final class StoreClock {
        var total = Duration.zero
        func time<T>(_ body: () throws -> T) rethrows -> T {
            let t0 = ContinuousClock.now
            defer { total += t0.duration(to: .now) }
            return try body()
        }
    }

    /// One claimed call, as `AuditRunner` does it: key by the file's bytes and the settings; store
    /// only the recording when the key is known; otherwise analyse in a worker child and store it.
    private func analyse(_ input: AuditInput, settings: AuditRunner.Settings, rubricSHA: String, pool: WorkerPool,
                         storeClock: StoreClock) throws -> Result {
        func fail(_ reason: String, stderr: String = "") throws -> Result {
            let row = FailureRow(path: input.path, filePath: input.filePath, reason: reason, stderr: stderr)
            try storeClock.time { try store.commitFailure(row) }
            return .failed(row)
        }
        var options = settings.options
        if let language = input.language { options.language = language }
        if let channel = input.agentChannel { options.agentChannel = channel; options.channelPair = nil }
        let fileSHA: String
        do { fileSHA = try AuditRunner.hashFile(input.filePath) } catch { return try fail("\(error)") }
        let key = AnalysisKey(fileSHA256: fileSHA, settingsSHA256: AnalysisKey.settingsSHA256(options), rubricSHA256: rubricSHA)
        let recording = RecordingRow(input, fileSHA256: fileSHA)
        if try storeClock.time({ try store.hasAnalysis(key: key.value) }) {
            try storeClock.time { try store.commit(analysis: nil, key: key.value, recordings: [recording]) }
            return .done(audioSeconds: 0, fresh: false)
        }
        do { try pool.submit(job: 0, request: WorkerProtocol.Request(file: input.filePath, options: options).line()) }
        catch { return try fail("\(error)") }
        var finished: [WorkerPool.Finished] = []
        while finished.isEmpty { finished = pool.poll(timeoutMilliseconds: 200) }
        let done = finished[0]
        let stderrText = String(decoding: done.stderr, as: UTF8.self)
        switch AuditRunner.parse(done) {
        case let .success(digest, report):
            let record = AnalysisRecord(key: key, settingsJSON: AnalysisKey.canonicalSettings(options), digest: digest,
                                        reportJSON: report, workerStderr: stderrText)
            try storeClock.time { try store.commit(analysis: record, key: key.value, recordings: [recording]) }
            return .done(audioSeconds: digest.durationSeconds, fresh: true)
        case let .failure(reason):
            return try fail(reason, stderr: stderrText)
        }
    }
}
