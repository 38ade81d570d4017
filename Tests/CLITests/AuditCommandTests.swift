import DSP
import Foundation
import Glibc
import Testing
import TestSupport

/// `voiceqa audit` through the built binary: worker children, resume after SIGKILL, failures,
/// duplicates, manifests, database errors, rescore without audio, summaries and exports.
@Suite(.serialized)
struct AuditCommandTests {
    /// Short generated two-channel calls (16 kHz WAV), each with its own utterances and noise, so
    /// every file has its own bytes.
    static func writeCalls(_ count: Int, into dir: URL, prefix: String = "call", from first: Int = 0) throws -> [String] {
        let all = CallBuilder.levelledUtterances
        let long = all.filter { $0.lastSpeech - $0.firstSpeech > 4 }
        let short = all.filter { $0.lastSpeech - $0.firstSpeech < 4 }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try (first..<(first + count)).map { i in
            var b = CallBuilder()
            let end = b.place(short[i % short.count], onAgent: true, speechStart: 0.4)
            let customerEnd = b.place(long[i % long.count], onAgent: false, speechStart: end + 0.6)
            b.place(short[(i + 3) % short.count], onAgent: true, speechStart: customerEnd + 0.5)
            let path = dir.appendingPathComponent("\(prefix)\(i).wav").path
            try TestAudioWriter.write(b.buffer(seed: UInt64(1000 + i)), to: path, format: TestAudioWriter.formats[0])
            return path
        }
    }

    static func check(_ db: String) throws -> [String: String] {
        let out = try CLIRunner.run(["audit", "check", "--db", db])
        var fields: [String: String] = [:]
        for line in out.stdout.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }

    static func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func duplicatesCorruptAndNotAudioThenRetry() throws {
        let dir = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let calls = dir.appendingPathComponent("calls")
        let made = try Self.writeCalls(2, into: calls.appendingPathComponent("a"))
        let fm = FileManager.default
        try fm.createDirectory(at: calls.appendingPathComponent("b"), withIntermediateDirectories: true)
        try fm.copyItem(atPath: made[0], toPath: calls.appendingPathComponent("b/copy.wav").path)
        let corrupt = calls.appendingPathComponent("b/corrupt.wav").path
        try Data("this is a note, not a recording\n".utf8).write(to: URL(fileURLWithPath: corrupt))
        try Data("notes".utf8).write(to: calls.appendingPathComponent("notes.txt"))
        try Data("{}".utf8).write(to: calls.appendingPathComponent("a/call0.json"))
        let db = dir.appendingPathComponent("audit.sqlite").path

        let first = try CLIRunner.run(["audit", "run", calls.path, "--db", db, "--jobs", "2"])
        #expect(first.exitCode == 1)
        #expect(first.stdout.hasPrefix("audit: 4 file(s): 2 analysed, 1 already in the database, 1 failed; 2 not audio, skipped"), "\(first.stdout)")
        let errorLines = first.stderr.split(separator: "\n").filter { !$0.hasPrefix("[") }   // progress lines start with the bar
        #expect(errorLines.count == 1 && errorLines[0].hasPrefix("voiceqa: \(corrupt): "), "\(first.stderr)")
        var c = try Self.check(db)
        #expect(c["integrity_check"] == "ok" && c["recordings"] == "3" && c["analyses"] == "2" && c["failures"] == "1")

        // A rerun skips what is done and retries the failure.
        let second = try CLIRunner.run(["audit", "run", calls.path, "--db", db])
        #expect(second.exitCode == 1)
        #expect(second.stdout.hasPrefix("audit: 4 file(s): 0 analysed, 3 already in the database, 1 failed"), "\(second.stdout)")
        let failures = try CLIRunner.run(["audit", "failures", "--db", db])
        #expect(failures.stdout.contains("b/corrupt.wav: ") && failures.stdout.contains("(2 attempts"), "\(failures.stdout)")

        // Fixed file: its success replaces the failure row.
        try fm.removeItem(atPath: corrupt)
        _ = try Self.writeCalls(1, into: calls.appendingPathComponent("b"), prefix: "corrupt", from: 7)
        try fm.moveItem(atPath: calls.appendingPathComponent("b/corrupt7.wav").path, toPath: corrupt)
        let third = try CLIRunner.run(["audit", "run", calls.path, "--db", db])
        #expect(third.exitCode == 0, "\(third.stderr)")
        #expect(third.stdout.hasPrefix("audit: 4 file(s): 1 analysed, 3 already in the database, 0 failed"), "\(third.stdout)")
        c = try Self.check(db)
        #expect(c["recordings"] == "4" && c["analyses"] == "3" && c["failures"] == "0")
        let recordings = Self.jsonLines(try CLIRunner.run(["audit", "export", "--db", db, "--table", "recordings"]).stdout)
        #expect(recordings.compactMap { $0["path"] as? String } == ["a/call0.wav", "a/call1.wav", "b/copy.wav", "b/corrupt.wav"])
        let keys = recordings.compactMap { $0["analysis_key"] as? String }
        #expect(keys[0] == keys[2] && Set(keys).count == 3)       // the same bytes under two paths: one analysis
    }

    @Test func manifestWithTagsAndAMissingFile() throws {
        let dir = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Self.writeCalls(2, into: dir.appendingPathComponent("calls"))
        let manifest = dir.appendingPathComponent("manifest.csv")
        try Data("""
            path,agent,team,date,language,agent_channel,campaign
            calls/call0.wav,li,North,2026-11-30,en,0,"winter, north"
            calls/call1.wav,kim,South,2026-12-01,,,
            calls/missing.wav,li,North,2026-11-30,,,

            """.utf8).write(to: manifest)
        let db = dir.appendingPathComponent("audit.sqlite").path
        let run = try CLIRunner.run(["audit", "run", "--manifest", manifest.path, "--db", db, "--language", "zh"])
        #expect(run.exitCode == 1)
        let missing = dir.appendingPathComponent("calls/missing.wav").path
        #expect(run.stderr.split(separator: "\n").filter { !$0.hasPrefix("[") } == ["voiceqa: \(missing): cannot read: no such file"], "\(run.stderr)")
        let calls = Self.jsonLines(try CLIRunner.run(["audit", "export", "--db", db]).stdout)
        #expect(calls.count == 2)
        let li = try #require(calls.first { $0["agent"] as? String == "li" })
        #expect(li["team"] as? String == "North" && li["date"] as? String == "2026-11-30" && li["week"] as? String == "2026-W49")
        #expect((li["tags"] as? [String: String]) == ["campaign": "winter, north"])
        #expect(li["language"] as? String == "en")                                    // the manifest's column wins
        #expect(calls.first { $0["agent"] as? String == "kim" }?["language"] as? String == "zh")
        #expect(((li["analysis"] as? [String: Any])?["schema"] as? String) == "voiceqa.analysis/1")
        let summary = try CLIRunner.run(["audit", "summary", "--db", db, "--by", "team", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])
        let groups = try #require(json["groups"] as? [[String: Any]])
        #expect(groups.compactMap { $0["name"] as? String } == ["North", "South"])
        let csv = try CLIRunner.run(["audit", "summary", "--db", db, "--by", "date", "--format", "csv"])
        #expect(csv.stdout.split(separator: "\n").map { $0.split(separator: ",").first.map(String.init) ?? "" } == ["date", "2026-11-30", "2026-12-01", "all"])
    }

    @Test func unusableDatabaseIsOneLine() throws {
        let dir = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let call = Fixtures.audioPath("calls", "devcall2_en_00")
        let unwritable = dir.appendingPathComponent("no/such/folder/audit.sqlite").path
        let a = try CLIRunner.run(["audit", "run", call, "--db", unwritable])
        #expect(a.exitCode == 1 && a.stdout.isEmpty)
        #expect(a.stderr == "voiceqa: cannot open the audit database \(unwritable): unable to open database file (check that the folder exists and is writable)\n", "\(a.stderr)")
        let corrupt = dir.appendingPathComponent("corrupt.sqlite").path
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: corrupt))
        let b = try CLIRunner.run(["audit", "run", call, "--db", corrupt])
        #expect(b.exitCode == 1 && b.stderr.split(separator: "\n").count == 1 && b.stderr.contains("not a database"), "\(b.stderr)")
        let c = try CLIRunner.run(["audit", "summary", "--db", dir.appendingPathComponent("absent.sqlite").path])
        #expect(c.exitCode == 1 && c.stderr.contains("no such file"))
        let d = try CLIRunner.run(["audit", "run", "--db", corrupt])
        #expect(d.exitCode == 64)                         // neither PATHs nor --manifest
    }

    /// A file over --timeout fails with the limit named; the rerun retries it.
    @Test func fileOverTheTimeLimitFails() throws {
        let dir = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let call = Fixtures.audioPath("calls", "devcall2_en_00")
        let db = dir.appendingPathComponent("audit.sqlite").path
        let run = try CLIRunner.run(["audit", "run", call, "--db", db, "--timeout", "0.001"])
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("\(call): not analysed within the 0.001 s time limit (raise it with --timeout)"), "\(run.stderr)")
        let rerun = try CLIRunner.run(["audit", "run", call, "--db", db])
        #expect(rerun.exitCode == 0 && rerun.stdout.hasPrefix("audit: 1 file(s): 1 analysed"), "\(rerun.stdout)")
        #expect(try Self.check(db)["failures"] == "0")
    }

    /// Rescore reads only the database: the recordings are deleted before it runs.
    @Test func rescoreWithoutAudioChangesVerdicts() throws {
        let dir = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let calls = dir.appendingPathComponent("calls")
        _ = try Self.writeCalls(2, into: calls)
        let db = dir.appendingPathComponent("audit.sqlite").path
        #expect(try CLIRunner.run(["audit", "run", calls.path, "--db", db, "--language", "en"]).exitCode == 0)
        try FileManager.default.removeItem(at: calls)

        var rubric = try #require(try JSONSerialization.jsonObject(with: Data(try CLIRunner.run(["rubric", "show"]).stdout.utf8)) as? [String: Any])
        let builtInVersion = try #require(rubric["rubricVersion"] as? String)
        rubric["rubricVersion"] = "strict-answer"
        var guidelines = try #require(rubric["guidelines"] as? [[String: Any]])
        // The generated calls' agent speaks 0.4 s in: within the built-in 2 s, beyond a 0.1 s fail line.
        let i = try #require(guidelines.firstIndex { $0["id"] as? String == "answer-promptly" })
        var thresholds = try #require(guidelines[i]["thresholds"] as? [String: [String: Double]])
        thresholds["default"]?["answerPassSeconds"] = 0.05
        thresholds["default"]?["answerFailSeconds"] = 0.1
        guidelines[i]["thresholds"] = thresholds
        rubric["guidelines"] = guidelines
        let strict = dir.appendingPathComponent("strict.json")
        try JSONSerialization.data(withJSONObject: rubric).write(to: strict)

        let before = Self.jsonLines(try CLIRunner.run(["audit", "export", "--db", db, "--table", "verdicts"]).stdout)
        let rescore = try CLIRunner.run(["audit", "rescore", "--db", db, "--rubric", strict.path])
        #expect(rescore.exitCode == 0, "\(rescore.stderr)")
        #expect(rescore.stdout.hasPrefix("rescore: 2 analyses judged under rubric strict-answer"), "\(rescore.stdout)")
        let after = Self.jsonLines(try CLIRunner.run(["audit", "export", "--db", db, "--table", "verdicts", "--rubric", "strict-answer"]).stdout)
        let answerBefore = before.filter { $0["guideline"] as? String == "answer-promptly" }.compactMap { $0["verdict"] as? String }
        let answerAfter = after.filter { $0["guideline"] as? String == "answer-promptly" }.compactMap { $0["verdict"] as? String }
        #expect(answerBefore == ["pass", "pass"])
        #expect(answerAfter == ["fail", "fail"])
        // The summary reads the latest rubric by default, the older one on request.
        #expect(try CLIRunner.run(["audit", "summary", "--db", db]).stdout.contains("rubric strict-answer"))
        #expect(try CLIRunner.run(["audit", "summary", "--db", db, "--rubric", builtInVersion]).stdout.contains("rubric \(builtInVersion)"))
        let again = try CLIRunner.run(["audit", "rescore", "--db", db, "--rubric", strict.path])
        #expect(again.stdout.hasPrefix("rescore: 0 analyses judged"))
    }

    // MARK: workers

    /// Workers live for many files; what a library prints on stderr while a worker analyses a
    /// file (libmpg123's "Note: ... resync" lines for the fuzzer's damaged MP3) is stored with
    /// that file's analysis, never on the terminal, and never with another file's.
    @Test func workersServeManyFilesAndKeepEachFilesLibraryNotes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("voiceqa-audit-workers-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let calls = dir.appendingPathComponent("calls")
        _ = try Self.writeCalls(5, into: calls)
        let mp3 = Fixtures.root.deletingLastPathComponent().appendingPathComponent("Fuzz/regressions/truepeak-tail-overread.mp3")
        try FileManager.default.copyItem(at: mp3, to: calls.appendingPathComponent("damaged.mp3"))
        let db = dir.appendingPathComponent("a.sqlite").path
        let run = try CLIRunner.run(["audit", "run", calls.path, "--db", db, "--jobs", "2", "--timing"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("Note:"), "\(run.stderr)")
        #expect(run.stdout.hasPrefix("audit: 6 file(s): 6 analysed"), "\(run.stdout)")
        // Two jobs: two workers for six files (one more only if one had died).
        #expect(run.stdout.contains("workers: 2 started for 6 file(s)"), "\(run.stdout)")
        let rows = Self.jsonLines(try CLIRunner.run(["audit", "export", "--db", db, "--table", "analyses"]).stdout)
        let recordings = Self.jsonLines(try CLIRunner.run(["audit", "export", "--db", db, "--table", "recordings"]).stdout)
        let mp3Key = try #require(recordings.first { ($0["path"] as? String) == "damaged.mp3" }?["analysis_key"] as? String)
        #expect(rows.count == 6)
        for row in rows {
            let notes = row["worker_stderr"] as? String ?? ""
            if row["key"] as? String == mp3Key { #expect(notes.contains("resync"), "\(notes)") } else { #expect(notes.isEmpty, "\(notes)") }
        }
    }

    /// On a terminal the run draws a progress bar in place (carriage return, erase line) with
    /// done / total, files per second, × realtime, failures and the ETA.
    @Test func progressBarOnATerminal() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("voiceqa-audit-tty-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let calls = dir.appendingPathComponent("calls")
        // Under a sanitizer 3 files: the bar is redrawn every 0.2 s whatever the count.
        let count = Sanitizer.isActive ? 3 : 8
        _ = try Self.writeCalls(count, into: calls)
        let binary = try #require(CLIRunner.binaryURL).path
        let db = dir.appendingPathComponent("a.sqlite").path
        // script(1) gives the run a pseudo-terminal as stdout and stderr.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qefc", "'\(binary)' audit run '\(calls.path)' --db '\(db)' --jobs 1", "/dev/null"]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        let frames = text.components(separatedBy: "\r\u{1B}[K").filter { $0.hasPrefix("[") }
        #expect(!frames.isEmpty, "\(text.debugDescription)")
        let pattern = /^\[[#.]{24}\] \d+\/(\d+) files, \d+\.\d files\/s, \d+× realtime, 0 failed(, ETA \d+:\d\d)?$/
        for frame in frames { #expect(frame.wholeMatch(of: pattern).map { String($0.1) } == String(count), "\(frame.debugDescription)") }
        #expect(text.contains("audit: \(count) file(s): \(count) analysed"))
    }

    // MARK: crashes

    /// Starts `voiceqa args` as the leader of a new process group, output to files.
    static func spawnGroup(_ args: [String], output: URL) throws -> pid_t {
        let binary = try #require(CLIRunner.binaryURL).path
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, output.path + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([binary] + args).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        var cArgv = argv + [nil]
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, binary, &actions, &attributes, &cArgv, environ)
        #expect(rc == 0)
        return pid
    }

    static func waitExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    static func recordingCount(_ db: String) -> Int {
        Int((try? check(db))?["recordings"] ?? "") ?? 0
    }

    /// SIGKILL of the whole `audit run` process group (parent and workers) once at least 5 results
    /// are committed; the rerun completes the batch: one row per path and key, integrity ok.
    /// Skipped under the sanitizers: its 30 files are there for timing (the run must outlast the
    /// polls), and its paths run there in `killedWorkerIsAFailureThenRetried` (a killed run, the
    /// rerun skipping what is stored) and `workersServeManyFilesAndKeepEachFilesLibraryNotes`
    /// (two workers on many files).
    @Test(.disabled(if: Sanitizer.isActive, "timing volume: paths run in lighter tests"))
    func resumeAfterKillingTheProcessGroup() throws {
        let dir = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let calls = dir.appendingPathComponent("calls")
        // Enough files that the run is still going when a poll (a whole `audit check` process, slow
        // under the sanitizers) has seen 5: workers serve many files, so the run outpaces the polls.
        let count = 30
        _ = try Self.writeCalls(count, into: calls)
        let db = dir.appendingPathComponent("audit.sqlite").path
        let pid = try Self.spawnGroup(["audit", "run", calls.path, "--db", db, "--jobs", "2"], output: dir.appendingPathComponent("run1"))
        let deadline = Date().addingTimeInterval(120)
        var seen = 0
        while Date() < deadline {
            seen = FileManager.default.fileExists(atPath: db) ? Self.recordingCount(db) : 0
            if seen >= 5 { break }
            usleep(50_000)
        }
        kill(-pid, SIGKILL)                                // the parent and its workers at once
        let status = Self.waitExit(pid)
        #expect(status & 0x7f == SIGKILL, "the run ended by itself before it was killed (\(seen) rows)")
        let before = Self.recordingCount(db)
        #expect(before >= 5 && before < count, "\(before) rows when killed")
        let rerun = try CLIRunner.run(["audit", "run", calls.path, "--db", db, "--jobs", "2"])
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        let c = try Self.check(db)
        #expect(c["integrity_check"] == "ok")
        #expect(c["recordings"] == "\(count)" && c["analyses"] == "\(count)" && c["scores"] == "\(count)" && c["failures"] == "0", "\(c)")
        let rows = Self.jsonLines(try CLIRunner.run(["audit", "export", "--db", db, "--table", "recordings"]).stdout)
        #expect(Set(rows.compactMap { $0["path"] as? String }).count == count)
        #expect(Set(rows.compactMap { $0["analysis_key"] as? String }).count == count)
        #expect(rerun.stdout.contains("already in the database"))
    }

    /// A worker child killed mid-analysis: its file becomes a failure naming the signal, the other
    /// files finish, and the rerun analyses it.
    @Test func killedWorkerIsAFailureThenRetried() throws {
        let dir = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let calls = dir.appendingPathComponent("calls")
        _ = try Self.writeCalls(4, into: calls)
        let db = dir.appendingPathComponent("audit.sqlite").path
        let pid = try Self.spawnGroup(["audit", "run", calls.path, "--db", db, "--jobs", "1"], output: dir.appendingPathComponent("run"))
        var victim: pid_t = 0
        let deadline = Date().addingTimeInterval(60)
        while victim == 0 && Date() < deadline {
            victim = Self.workerChild(of: pid) ?? 0
            if victim == 0 { usleep(2_000) }
        }
        #expect(victim > 0)
        kill(victim, SIGKILL)
        let status = Self.waitExit(pid)
        #expect((status >> 8) & 0xff == 1)                  // exit status 1: a file failed
        let failures = try CLIRunner.run(["audit", "failures", "--db", db])
        #expect(failures.stdout.contains("killed by SIGKILL (signal 9)"), "\(failures.stdout)")
        var c = try Self.check(db)
        #expect(c["failures"] == "1" && c["recordings"] == "3", "\(c)")
        let rerun = try CLIRunner.run(["audit", "run", calls.path, "--db", db])
        #expect(rerun.exitCode == 0 && rerun.stdout.hasPrefix("audit: 4 file(s): 1 analysed, 3 already"), "\(rerun.stdout)")
        c = try Self.check(db)
        #expect(c["failures"] == "0" && c["recordings"] == "4")
    }

    /// A child of `parent` running `audit worker`, from /proc.
    static func workerChild(of parent: pid_t) -> pid_t? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == parent,
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  String(decoding: cmdline, as: UTF8.self).contains("audit\u{0}worker") else { continue }
            return pid
        }
        return nil
    }
}
