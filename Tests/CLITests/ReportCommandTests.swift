import DSP
import Foundation
import Testing
import TestSupport

/// `voiceqa report` through the built binary: where pages go, --from-json, errors and exit codes, audio.
struct ReportCommandTests {
    static let demo = Fixtures.audioPath("calls", "devcall2_en_00")

    func page(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func fromJSONGivesTheSameBytesAsTheDirectPath() throws {
        let work = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let json = work.appendingPathComponent("stored.json").path
        let analyze = try CLIRunner.run(["analyze", "--pitch-track", "--series", "--language", "en", Self.demo])
        #expect(analyze.exitCode == 0)
        try Data(analyze.stdout.utf8).write(to: URL(fileURLWithPath: json))
        let direct = try CLIRunner.run(["report", "--language", "en", "-o", work.appendingPathComponent("a").path, Self.demo])
        let stored = try CLIRunner.run(["report", "--from-json", json, "-o", work.appendingPathComponent("b").path])
        #expect(direct.exitCode == 0 && stored.exitCode == 0, "\(direct.stderr)\(stored.stderr)")
        #expect(direct.stdout == work.appendingPathComponent("a").path + "/devcall2_en_00.html\n")   // each page's path on stdout
        #expect(stored.stderr.isEmpty, "\(stored.stderr)")   // the recording is found by its path from the current folder
        let a = try page(work.appendingPathComponent("a/devcall2_en_00.html").path)
        let b = try page(work.appendingPathComponent("b/devcall2_en_00.html").path)
        #expect(a == b)
        #expect(a.contains("<audio id=\"player\""))
        // JSON lines (as `analyze --format jsonl` writes them) give the same page too.
        let lines = try CLIRunner.run(["analyze", "--format", "jsonl", "--pitch-track", "--series", "--language", "en", Self.demo])
        try Data(lines.stdout.utf8).write(to: URL(fileURLWithPath: json))
        #expect(try CLIRunner.run(["report", "--from-json", json, "-o", work.appendingPathComponent("c").path]).exitCode == 0)
        #expect(try page(work.appendingPathComponent("c/devcall2_en_00.html").path) == a)
    }

    @Test func storedAnalysisWithoutSeriesOrRecordingStillGivesAPage() throws {
        let work = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let analyze = try CLIRunner.run(["analyze", "--language", "en", Self.demo])
        let json = analyze.stdout.replacingOccurrences(of: Self.demo, with: "moved/away.wav")
        let path = work.appendingPathComponent("old.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        let run = try CLIRunner.run(["report", "--from-json", path, "-o", work.path])
        #expect(run.exitCode == 0)
        #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.contains("moved/away.wav: recording not found"), "\(run.stderr)")
        let html = try page(work.appendingPathComponent("away.html").path)
        #expect(!html.contains("<audio"))
        #expect(html.contains("--pitch-track") && html.contains("--series"))   // the notes on what is missing
    }

    @Test func outputFileTakesOneCall() throws {
        let work = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let two = try CLIRunner.run(["report", "-o", work.appendingPathComponent("x.html").path, Self.demo, Self.demo])
        #expect(two.exitCode == 64)
        let one = try CLIRunner.run(["report", "--audio", "none", "--page-language", "ja", "-o", work.appendingPathComponent("new/x.html").path, Self.demo])
        #expect(one.exitCode == 0, "\(one.stderr)")
        let html = try page(work.appendingPathComponent("new/x.html").path)
        #expect(html.contains("<html lang=\"ja\">") && !html.contains("<audio"))
        #expect(try CLIRunner.run(["report"]).exitCode == 64)
        #expect(try CLIRunner.run(["report", "--audio", "loud", Self.demo]).exitCode == 64)
    }

    /// Same stems get -2, -3 by input order with a line each; a missing file is one line and exit 1,
    /// and the other calls still get their pages.
    @Test func sameNamesAreNumberedAndAFailedFileIsOneLine() throws {
        let work = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        for folder in ["x", "y"] {
            let dir = work.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Self.demo, toPath: dir.appendingPathComponent("call.wav").path)
        }
        let missing = work.appendingPathComponent("nope.wav").path
        let out = work.appendingPathComponent("pages").path
        let run = try CLIRunner.run(["report", "--jobs", "2", "-o", out, work.appendingPathComponent("x/call.wav").path, missing,
                                     work.appendingPathComponent("y/call.wav").path])
        #expect(run.exitCode == 1)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(run.stderr)")
        #expect(lines.contains { $0.hasPrefix("voiceqa: \(missing)") && $0.contains("no such file") })
        #expect(lines.contains { $0.contains("call-2.html") })
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(names == ["call-2.html", "call.html"])
        // Each page links its own recording, relative to the page's folder.
        #expect(try page(out + "/call.html").contains("src=\"../x/call.wav\""))
        #expect(try page(out + "/call-2.html").contains("src=\"../y/call.wav\""))
    }

    /// Browsers cannot play µ-law WAV: `link` embeds the call instead (one line on stderr), so the
    /// coach never meets a silent player; `embed` makes Ogg inside the page.
    @Test func unplayableRecordingsAreEmbedded() throws {
        let work = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let rate = 8000.0
        var agent = Synth.silence(durationSeconds: 6, sampleRateHz: rate), customer = agent
        Synth.mix(&agent, Synth.sine(frequencyHz: 180, durationSeconds: 2, sampleRateHz: rate, amplitude: 0.2), at: 4000)
        Synth.mix(&customer, Synth.sine(frequencyHz: 230, durationSeconds: 2, sampleRateHz: rate, amplitude: 0.2), at: 28000)
        let ulaw = TestAudioWriter.formats.first { $0.name == "WAV mu-law" }!
        let path = work.appendingPathComponent("phone 1.wav").path
        try TestAudioWriter.write(AudioBuffer(sampleRateHz: rate, channels: [agent, customer]), to: path, format: ulaw)
        let run = try CLIRunner.run(["report", "-o", work.path, path])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.contains("browsers cannot play"), "\(run.stderr)")
        let html = try page(work.appendingPathComponent("phone 1.html").path)
        #expect(html.contains("src=\"data:audio/ogg;base64,T2dnUw"))   // "OggS", the Ogg page magic
        let embedded = try CLIRunner.run(["report", "--audio", "embed", "-o", work.appendingPathComponent("e").path, Self.demo])
        #expect(embedded.exitCode == 0 && embedded.stderr.isEmpty, "\(embedded.stderr)")
        let demoPage = try page(work.appendingPathComponent("e/devcall2_en_00.html").path)
        let base64 = demoPage.components(separatedBy: "base64,").dropFirst().first?.prefix { $0 != "\"" } ?? ""
        let bytes = Data(base64Encoded: String(base64))?.count ?? 0
        print("embedded demo call: \(bytes) bytes of Ogg Opus for 34.8 s (\(bytes * 60 / 35) bytes per minute)")
        #expect(bytes > 1000 && bytes < 200_000)
    }
}
