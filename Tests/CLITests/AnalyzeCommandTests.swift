import Foundation
import Testing
import TestSupport

/// The built binary: JSON shape, exit codes, one-line errors, several files.
struct AnalyzeCommandTests {
    @Test func demoCallGivesSchemaJSON() throws {
        let call = Fixtures.audioPath("calls", "devcall2_en_00")
        let out = try CLIRunner.run(["analyze", "--format", "json", call])
        #expect(out.exitCode == 0, "\(out.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        #expect(json["schema"] as? String == "voiceqa.analysis/1")
        #expect(json["file"] as? String == call)
        let audio = try #require(json["audio"] as? [String: Any])
        #expect(audio["sampleRateHz"] as? Int == 8000)
        #expect(audio["channelCount"] as? Int == 2)
        // Duration from the ground truth: 34.821 s (to the millisecond).
        #expect(abs((audio["durationSeconds"] as? Double ?? 0) - 34.821) < 0.001)
        let channels = try #require(json["channels"] as? [[String: Any]])
        #expect(channels.map { $0["role"] as? String } == ["agent", "customer"])
        for c in channels {
            let speech = try #require(c["speech"] as? [String: Any])
            for key in ["segments", "speechSeconds", "speechRatio", "pauses"] { #expect(speech[key] != nil, "missing \(key)") }
            let pauses = try #require(speech["pauses"] as? [String: Any])
            for key in ["count", "totalSeconds"] { #expect(pauses[key] != nil, "missing pauses.\(key)") }
        }
        #expect(json["warnings"] is [Any])
    }

    #if os(Linux)
    /// libpq (with OpenSSL, GnuTLS, Kerberos, OpenLDAP… behind it, ≈ 5 MB resident) is loaded by
    /// the PostgreSQL store's first connection only: the dynamic loader's own log (glibc's
    /// `LD_DEBUG=libs`) of an `analyze` run names libsndfile, which analysis links, and never libpq.
    @Test func analyzeDoesNotLoadLibPQ() throws {
        let call = Fixtures.audioPath("speech", "en_arctic_slt_a0009")
        let out = try CLIRunner.run(["analyze", "--jobs", "1", call], environment: ["LD_DEBUG": "libs"])
        #expect(out.exitCode == 0)
        #expect(out.stderr.contains("libsndfile"), "LD_DEBUG gave no loader log")
        #expect(!out.stderr.contains("libpq"))
    }
    #endif

    @Test func agentChannelSwapsRoles() throws {
        let call = Fixtures.audioPath("calls", "devcall2_en_00")
        let out = try CLIRunner.run(["analyze", "--format", "json", "--agent-channel", "1", call])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let channels = try #require(json["channels"] as? [[String: Any]])
        #expect(channels.map { $0["role"] as? String } == ["customer", "agent"])
    }

    @Test func severalFilesKeepOrderAndReportFailures() throws {
        let a = Fixtures.audioPath("speech", "en_arctic_slt_a0009")
        let b = Fixtures.audioPath("speech", "en_ljspeech_LJ001_0002")
        let missing = "/nonexistent/voiceqa/missing.wav"
        let out = try CLIRunner.run(["analyze", "--format", "json", a, missing, b])
        #expect(out.exitCode == 1)                                 // some files failed
        #expect(out.stderr == "voiceqa: \(missing): no such file\n")   // one line naming the file and why
        let array = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]])
        #expect(array.map { $0["file"] as? String } == [a, b])
    }

    @Test func jsonLinesOnePerFile() throws {
        let a = Fixtures.audioPath("speech", "en_arctic_slt_a0009")
        let b = Fixtures.audioPath("speech", "en_ljspeech_LJ001_0002")
        let out = try CLIRunner.run(["analyze", "--format", "jsonl", a, b])
        #expect(out.exitCode == 0)
        let lines = out.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let files = Set(lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            .compactMap { $0["file"] as? String })
        #expect(files == [a, b])
    }

    @Test func textFormatIsReadable() throws {
        let out = try CLIRunner.run(["analyze", "--format", "text", Fixtures.audioPath("calls", "devcall2_en_00")])
        #expect(out.exitCode == 0)
        #expect(out.stdout.contains("channel 0 (agent)"))
        #expect(out.stdout.contains("channel 1 (customer)"))
    }

    @Test func badArgumentsExitWithUsageCode() throws {
        let out = try CLIRunner.run(["analyze", "--agent-channel", "3", Fixtures.audioPath("calls", "devcall2_en_00")])
        #expect(out.exitCode == 64)
    }

    @Test func silentRecordingIsValidWithWarning() throws {
        let dir = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("silent.wav").path
        let silence = Synth.silence(durationSeconds: 2, sampleRateHz: 8000)
        try TestAudioWriter.write(.init(sampleRateHz: 8000, channels: [silence, silence]), to: p, format: TestAudioWriter.formats[0])
        let out = try CLIRunner.run(["analyze", "--format", "json", p])
        #expect(out.exitCode == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let warnings = try #require(json["warnings"] as? [String])
        #expect(warnings.contains { $0.contains("no speech") })
    }

    @Test func fourChannelsNeedAChoice() throws {
        let dir = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("four.wav").path
        let tone = Synth.sine(frequencyHz: 300, durationSeconds: 1, sampleRateHz: 8000)
        try TestAudioWriter.write(.init(sampleRateHz: 8000, channels: [tone, tone, tone, tone]), to: p, format: TestAudioWriter.formats[0])
        let refused = try CLIRunner.run(["analyze", "--format", "json", p])
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("--channels"))
        let picked = try CLIRunner.run(["analyze", "--format", "json", "--channels", "2,0", p])
        #expect(picked.exitCode == 0, "\(picked.stderr)")
    }

    @Test func nanSamplesGiveWarningNotCrash() throws {
        let dir = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("broken-float.wav").path
        var x = Synth.sine(frequencyHz: 200, durationSeconds: 1, sampleRateHz: 8000)
        for i in stride(from: 0, to: x.count, by: 97) { x[i] = .nan }
        try TestAudioWriter.write(.init(sampleRateHz: 8000, mono: x), to: p,
                                  format: TestAudioWriter.formats.first { $0.name == "WAV float" }!)
        let out = try CLIRunner.run(["analyze", "--format", "json", p])
        #expect(out.exitCode == 0)
        #expect(!out.stdout.lowercased().contains("nan,") && !out.stdout.contains(": nan") && !out.stdout.contains("inf,"))
        #expect((try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8))) != nil)   // valid JSON has no NaN
        #expect(out.stdout.contains("NaN or infinite samples"))
    }
}
