import Foundation
import Testing
import TestSupport

/// Every result reaches standard output before the process exits, and a failed write is a failure.
/// (A job used to count as finished before its JSONL line was written, so the process could exit
/// while a worker was still printing: lines were lost with exit code 0.)
struct OutputHandOverTests {
    /// Under `make sanitize` (binary 3–10× slower) one run of each: the sanitizers watch the
    /// threads' accesses directly there, which one run shows; the plain `make test` run repeats as
    /// often as the bug needs to show by its timing.
    static func repetitions(_ plain: Int) -> Int { Sanitizer.isActive ? 1 : plain }

    static let twoCalls = [Fixtures.audioPath("calls", "devcall_en_00"), Fixtures.audioPath("calls", "devcall2_en_00")]

    /// The lines of a JSONL run, each parsed; nil entries are lines that are not JSON objects.
    static func parsedFiles(_ stdout: String) -> [String?] {
        stdout.split(separator: "\n").map {
            ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?["file"] as? String
        }
    }

    @Test func jsonLinesWithPitchTrackAreNeverLost() throws {
        for run in 0..<Self.repetitions(50) {
            let out = try CLIRunner.run(["analyze", "--format", "jsonl", "--pitch-track"] + Self.twoCalls)
            #expect(out.exitCode == 0, "run \(run): \(out.stderr)")
            let files = Self.parsedFiles(out.stdout)
            #expect(files.count == 2 && Set(files.compactMap { $0 }) == Set(Self.twoCalls), "run \(run): \(files)")
            if files.count != 2 { break }
        }
    }

    @Test func everyFixtureCallAtTwoJobs() throws {
        let all = Fixtures.stems(in: "calls").map { Fixtures.audioPath("calls", $0) }
        #expect(all.count >= 7)
        // Under a sanitizer 4 calls: two workers still hand over lines at once.
        let calls = Sanitizer.few(all, 4)
        for run in 0..<Self.repetitions(10) {
            let out = try CLIRunner.run(["analyze", "--format", "jsonl", "--jobs", "2"] + calls)
            #expect(out.exitCode == 0, "run \(run): \(out.stderr)")
            let files = Self.parsedFiles(out.stdout)
            #expect(files.count == calls.count && Set(files.compactMap { $0 }) == Set(calls), "run \(run): \(files.count) lines")
            if files.count != calls.count { break }
        }
    }

    /// Standard output is a pipe whose reader has gone: exit 1, one line on stderr, no crash or signal.
    @Test(arguments: ["jsonl", "json", "text"]) func closedStandardOutputIsAFailure(format: String) throws {
        let binary = try #require(CLIRunner.binaryURL)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["analyze", "--format", format] + Self.twoCalls
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try out.fileHandleForReading.close()          // the reader goes away before anything is written
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "ended by a signal")
        #expect(process.terminationStatus == 1)
        let stderr = String(decoding: errData, as: UTF8.self)
        #expect(stderr == "voiceqa: standard output: write failed: Broken pipe\n", "\(stderr)")
    }

    /// Standard output on a full device (Linux `/dev/full`): exit 1 and the reason, as for a closed pipe.
    @Test func fullDiskIsAFailure() throws {
        let binary = try #require(CLIRunner.binaryURL)
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let process = Process()
        process.executableURL = binary
        process.arguments = ["analyze", "--format", "jsonl", Self.twoCalls[0]]
        let err = Pipe()
        process.standardOutput = full
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(String(decoding: errData, as: UTF8.self) == "voiceqa: standard output: write failed: No space left on device\n")
    }
}
