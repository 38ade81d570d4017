import Foundation
import PostgresClient
import Testing
import TestSupport

/// The shared queue on a real PostgreSQL server (started by Tests/Services/with-services.sh):
/// three workers over one queue, one of them SIGKILLed while it holds a claim; the other two
/// finish the batch, every call recorded exactly once, and the summary equals a SQLite run's.
@Suite(.enabled(if: !Deploy.servicesDeliberatelyAbsent, "VOICEQA_NO_SERVICES=1"), .serialized)
struct PostgresQueueTests {
    /// A fresh database on the test server, dropped afterwards by the caller.
    static func freshDatabase() throws -> (url: String, drop: () -> Void) {
        let base = try #require(Deploy.environment["VOICEQA_TEST_PG"], "VOICEQA_TEST_PG is not set: run the tests through Tests/Services/with-services.sh (make test does)")
        let admin = try PostgresConnection(url: base)
        let name = "vq_\(UInt32.random(in: 0...UInt32.max))"
        try admin.execute(script: "CREATE DATABASE \(name)")
        let url = base.replacingOccurrences(of: #"/[^/?]+(\?|$)"#, with: "/\(name)$1", options: .regularExpression)
        return (url, { try? admin.execute(script: "DROP DATABASE \(name) WITH (FORCE)") })
    }

    /// A worker process whose stderr is read line by line as it comes.
    final class Worker: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var text = ""
        var stderr: String { lock.lock(); defer { lock.unlock() }; return text }

        init(_ binary: String, _ arguments: [String], environment: [String: String]) throws {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            process.environment = Deploy.environment.merging(environment) { $1 }
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            err.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                guard let self, !data.isEmpty else { return }
                self.lock.lock(); self.text += String(decoding: data, as: UTF8.self); self.lock.unlock()
            }
            try process.run()
        }

        func waitFor(_ needle: String, seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline { if stderr.contains(needle) { return true }; usleep(20_000) }
            return false
        }
    }

    /// A password in the URL connects (trust auth ignores it) but is never stored or printed.
    @Test func passwordInTheURLIsNeverStoredOrPrinted() throws {
        let binary = try #require(CLIRunner.binaryURL).path
        let (url, drop) = try Self.freshDatabase()
        defer { drop() }
        let secretURL = url.replacingOccurrences(of: "://postgres@", with: "://postgres:s3cret-word@")
        #expect(secretURL.contains("s3cret-word"))
        let work = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let calls = work.appendingPathComponent("calls")
        _ = try Deploy.writeBatch(count: 2, in: calls)
        let run = try Deploy.run(binary, ["audit", "run", calls.path, "--db", secretURL, "--language", "en"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(!(run.stdout + run.stderr).contains("s3cret-word"))
        let wrongPort = secretURL.replacingOccurrences(of: #":\d+/"#, with: ":1/", options: .regularExpression)
        let refused = try Deploy.run(binary, ["audit", "summary", "--db", wrongPort, "--by", "agent"])
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("postgres:***@") && !refused.stderr.contains("s3cret-word"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        // Nothing in the database holds it either.
        let db = try PostgresConnection(url: url)
        let dump = try db.query("SELECT string_agg(arguments, ' ') FROM runs")
        #expect(!"\(dump)".contains("s3cret-word"))
        #expect("\(dump)".contains("postgres:***@"))
    }

    @Test func threeWorkersOneKilledWhileClaimingEveryCallOnce() throws {
        let binary = try #require(CLIRunner.binaryURL).path
        let (url, drop) = try Self.freshDatabase()
        defer { drop() }
        let work = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let calls = work.appendingPathComponent("calls")
        let paths = try Deploy.writeBatch(count: 12, in: calls)

        let enqueue = try Deploy.run(binary, ["audit", "enqueue", "--db", url, calls.path])
        #expect(enqueue.exitCode == 0, "\(enqueue.stderr)")
        #expect(enqueue.stdout.contains("\(paths.count) new"), "\(enqueue.stdout)")

        let args = ["audit", "work", "--db", url, "--language", "en"]
        let doomed = try Worker(binary, args, environment: ["VOICEQA_TEST_CLAIM_DELAY_SECONDS": "60"])
        #expect(doomed.waitFor("claimed", seconds: 60), "the delayed worker never claimed: \(doomed.stderr)")
        let workers = try (0..<2).map { _ in try Worker(binary, args, environment: [:]) }
        // While the doomed worker holds its claim, status shows it running.
        let status = try Deploy.run(binary, ["audit", "status", "--db", url, "--format", "json"])
        #expect(status.stdout.contains("\"running\":1") || status.stdout.contains("\"running\":2") || status.stdout.contains("\"running\":3"), "\(status.stdout)")
        kill(doomed.process.processIdentifier, SIGKILL)
        doomed.process.waitUntilExit()
        #expect(doomed.process.terminationReason == .uncaughtSignal)
        for w in workers {
            let deadline = Date().addingTimeInterval(300)
            while w.process.isRunning && Date() < deadline { usleep(50_000) }
            #expect(!w.process.isRunning, "a worker did not finish: \(w.stderr)")
            if w.process.isRunning { w.process.terminate() }
            w.process.waitUntilExit()
            #expect(w.process.terminationStatus == 0, "\(w.stderr)")
        }
        // The killed worker's call was claimed again and done by another: every call exactly once.
        let claimedByDoomed = try #require(doomed.stderr.split(separator: "\n").first { $0.contains("claimed") })
        let killedPath = String(claimedByDoomed.split(separator: " ").last ?? "")
        let doneLines = workers.flatMap { $0.stderr.split(separator: "\n").filter { $0.contains(": done ") } }
        #expect(doneLines.count == paths.count, "\(doneLines)")
        #expect(doneLines.contains { $0.hasSuffix(" \(killedPath)") })
        let final = try Deploy.run(binary, ["audit", "status", "--db", url, "--format", "json"])
        #expect(final.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "{\"queued\":0,\"running\":0,\"done\":\(paths.count),\"failed\":0}")

        // The same batch through SQLite in one process gives the same rows and the same summary.
        let sqlite = work.appendingPathComponent("single.sqlite").path
        let single = try Deploy.run(binary, ["audit", "run", calls.path, "--db", sqlite, "--language", "en"])
        #expect(single.exitCode == 0, "\(single.stderr)")
        for (what, args) in [("export", ["audit", "export", "--format", "csv", "--table", "recordings"]),
                             ("summary", ["audit", "summary", "--by", "agent", "--format", "json"])] {
            let pg = try Deploy.run(binary, args + ["--db", url]), lite = try Deploy.run(binary, args + ["--db", sqlite])
            #expect(pg.exitCode == 0 && lite.exitCode == 0, "\(what): \(pg.stderr) \(lite.stderr)")
            if what == "export" {
                // updated_at differs by construction; compare every other column.
                func stripTime(_ csv: String) -> [String] { csv.split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") } }
                #expect(stripTime(pg.stdout) == stripTime(lite.stdout))
            } else {
                #expect(pg.stdout == lite.stdout, "summary differs")
            }
        }
    }
}
