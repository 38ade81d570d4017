@testable import Audit
import CallAnalysis
import Foundation
import Glibc
import Testing

/// The worker pool's contract with stand-in workers (/bin/sh scripts speaking the same protocol):
/// one child serves many files; each answer carries the stderr printed while it was worked on; a
/// child that dies mid-file fails that file only and is replaced; one over the time limit is stopped.
struct WorkerPoolTests {
    /// Answers each request line with a frame whose payload is the line; prints "note N" on stderr first.
    static let echoWorker = """
        n=0; while IFS= read -r line; do n=$((n+1)); echo "note $n" >&2
        printf 'voiceqa-worker-result 0 %d\\n%s' "${#line}" "$line"; done
        """

    static func runUntilDone(_ pool: WorkerPool, count: Int) -> [WorkerPool.Finished] {
        var done: [WorkerPool.Finished] = []
        let deadline = Date().addingTimeInterval(30)
        while done.count < count && Date() < deadline { done += pool.poll(timeoutMilliseconds: 50) }
        return done
    }

    @Test func oneChildServesManyFilesAndEachGetsItsOwnNotes() throws {
        let pool = WorkerPool(executable: "/bin/sh", arguments: ["-c", Self.echoWorker], timeLimitSeconds: nil)
        var answers: [WorkerPool.Finished] = []
        for job in 0..<5 {
            try pool.submit(job: job, request: "file-\(job)")
            answers += Self.runUntilDone(pool, count: 1)
        }
        #expect(answers.map(\.job) == [0, 1, 2, 3, 4])
        #expect(answers.map { String(decoding: $0.stdout, as: UTF8.self) } == (0..<5).map { "file-\($0)" })
        #expect(answers.map { String(decoding: $0.stderr, as: UTF8.self) } == (1...5).map { "note \($0)\n" })
        #expect(answers.allSatisfy { $0.exitStatus == 0 && $0.signal == nil && !$0.timedOut })
        pool.shutDown()
        #expect(pool.childrenStarted == 1)
    }

    @Test func aChildIsReplacedAfterItsShareOfFiles() throws {
        let pool = WorkerPool(executable: "/bin/sh", arguments: ["-c", Self.echoWorker], timeLimitSeconds: nil, filesPerWorker: 2)
        for job in 0..<5 {
            try pool.submit(job: job, request: "f\(job)")
            #expect(Self.runUntilDone(pool, count: 1).first?.exitStatus == 0)
        }
        pool.shutDown()
        #expect(pool.childrenStarted == 3)
    }

    /// The second request kills the child with SIGSEGV (as a crashing decoder would): that file fails
    /// naming the signal, with what was printed before; the next file gets a new child.
    @Test func aCrashFailsOneFileAndANewChildTakesTheNext() throws {
        let script = """
            while IFS= read -r line; do
              if [ "$line" = crash ]; then echo "about to crash" >&2; kill -SEGV $$; fi
              printf 'voiceqa-worker-result 0 2\\nok'; done
            """
        let pool = WorkerPool(executable: "/bin/sh", arguments: ["-c", script], timeLimitSeconds: nil)
        var results: [WorkerPool.Finished] = []
        for (job, request) in ["a", "crash", "b"].enumerated() {
            try pool.submit(job: job, request: request)
            results += Self.runUntilDone(pool, count: 1)
        }
        try #require(results.count == 3)
        #expect(results[0].exitStatus == 0 && results[2].exitStatus == 0)
        #expect(results[1].signal == SIGSEGV && results[1].exitStatus == nil)
        #expect(String(decoding: results[1].stderr, as: UTF8.self) == "about to crash\n")
        pool.shutDown()
        #expect(pool.childrenStarted == 2)
    }

    @Test func aChildOverTheTimeLimitIsStopped() throws {
        let pool = WorkerPool(executable: "/bin/sh", arguments: ["-c", "read -r line; sleep 30"], timeLimitSeconds: 0.3)
        let started = Date()
        try pool.submit(job: 7, request: "slow")
        let done = Self.runUntilDone(pool, count: 1)
        try #require(done.count == 1)
        #expect(done[0].job == 7 && done[0].timedOut && done[0].signal == SIGKILL)
        #expect(Date().timeIntervalSince(started) < 10)
        if case let .failure(reason) = AuditRunner.parse(done[0]) { #expect(reason.hasPrefix("timed out")) } else { Issue.record("not a failure") }
    }

    /// Frames split across reads, two in one read, and a header that is not one.
    @Test func framesAreCutFromTheStream() {
        var buffer = Array("voiceqa-worker-result 0 3\nab".utf8)
        #expect(WorkerProtocol.takeFrame(&buffer) == nil)
        buffer += Array("cvoiceqa-worker-result 1 4\nwhy!".utf8)
        let first = WorkerProtocol.takeFrame(&buffer), second = WorkerProtocol.takeFrame(&buffer)
        #expect(first?.status == 0 && first.map { String(decoding: $0.payload, as: UTF8.self) } == "abc")
        #expect(second?.status == 1 && second.map { String(decoding: $0.payload, as: UTF8.self) } == "why!")
        #expect(buffer.isEmpty)
        var junk = Array("Note: something\n".utf8)
        #expect(WorkerProtocol.takeFrame(&junk)?.status == 1)
        #expect(junk.isEmpty)
    }

    @Test func requestsAreOneLine() throws {
        var options = AnalysisOptions()
        options.language = .ja
        let line = WorkerProtocol.Request(file: "calls/a\nb.wav", options: options).line()
        #expect(!line.contains("\n"))
        let back = try JSONDecoder().decode(WorkerProtocol.Request.self, from: Data(line.utf8))
        #expect(back.file == "calls/a\nb.wav" && back.options.language == .ja)
    }
}
