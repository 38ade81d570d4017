import Foundation
import Testing
import TestSupport

/// A representative part of the bad-input corpus through the built binary in one run: every file
/// is either one JSON line on stdout or one `voiceqa: <file>: <reason>` line on stderr.
struct HostileInputCLITests {
    @Test func representativeCorpusInOneRun() throws {
        let dir = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cases = try BadInputCorpus.notAudio(in: dir) + BadInputCorpus.specialFiles(in: dir)
        cases += try BadInputCorpus.wavHeaderPatches(in: dir).filter {
            $0.name.contains("sample rate") || $0.name.contains("channels") || $0.name.contains("claims")
        }
        cases += try BadInputCorpus.sampleValueCases(in: dir)
        for format in TestAudioWriter.formats where ["WAV PCM16", "FLAC", "MP3", "Ogg Opus"].contains(format.name) {
            guard let valid = try BadInputCorpus.validFile(format, in: dir) else { continue }
            let cuts = try BadInputCorpus.truncations(of: valid, in: dir)
            cases += stride(from: 0, to: cuts.count, by: 8).map { cuts[$0] }
        }
        let paths = cases.map(\.path)
        let out = try CLIRunner.run(["analyze", "--format", "jsonl", "--timeout", "30"] + paths, timeoutSeconds: 300)
        #expect(out.exitCode == 1)                                  // some files refused, none crashed

        var reported: [String: Int] = [:], refused: [String: Int] = [:]
        for line in out.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let file = try #require(object["file"] as? String)
            reported[file, default: 0] += 1
            #expect(allNumbersFinite(object), "\(file): non-finite number")
        }
        // libmpg123 prints its own "Note: … resync" lines on stderr for broken MP3s; ours start "voiceqa: ".
        for line in out.stderr.split(separator: "\n") where line.hasPrefix("voiceqa: ") {
            let message = line.dropFirst("voiceqa: ".count)
            let file = try #require(paths.first { message.hasPrefix($0 + ": ") }, "unattributed: \(line)")
            refused[file, default: 0] += 1
        }
        for c in cases {
            let n = (reported[c.path] ?? 0) + (refused[c.path] ?? 0)
            #expect(n == 1, "\(c.name): \(n) results")
            if c.expectation == .report { #expect(reported[c.path] == 1, "\(c.name) was not reported") }
            if c.expectation == .refusal { #expect(refused[c.path] == 1, "\(c.name) was not refused") }
        }
    }

    /// A file over the time limit fails with one line; the run does not wait for it.
    @Test func timeLimitFailsTheFileAndMovesOn() throws {
        let call = Fixtures.audioPath("calls", "devcall2_en_00")
        let start = Date()
        let out = try CLIRunner.run(["analyze", "--format", "json", "--timeout", "0.001", call], timeoutSeconds: 60)
        #expect(out.exitCode == 1)
        #expect(out.stderr == "voiceqa: \(call): not analysed within the 0.001 s time limit (raise it with --timeout)\n")
        // A bound for a hang, not a speed test: the limit is 1 ms, the CLI runner's own timeout is 60 s.
        #expect(Date().timeIntervalSince(start) < 50)
    }

    @Test func lengthLimitFailsTheFile() throws {
        let call = Fixtures.audioPath("calls", "devcall2_en_00")
        let out = try CLIRunner.run(["analyze", "--format", "json", "--max-duration", "10", call])
        #expect(out.exitCode == 1)
        #expect(out.stderr.hasPrefix("voiceqa: \(call): declares 35 s of audio, over the 10 s limit"))
    }

    @Test(arguments: [["--max-duration", "nan"], ["--max-duration", "0"], ["--max-duration", "inf"],
                      ["--timeout", "-1"], ["--timeout", "nan"]])
    func absurdLimitsAreUsageErrors(_ option: [String]) throws {
        let out = try CLIRunner.run(["analyze"] + option + [Fixtures.audioPath("calls", "devcall2_en_00")])
        #expect(out.exitCode == 64, "\(option): \(out.stderr)")
    }
}

func allNumbersFinite(_ value: Any) -> Bool {
    switch value {
    case let d as [String: Any]: return d.values.allSatisfy(allNumbersFinite)
    case let a as [Any]: return a.allSatisfy(allNumbersFinite)
    case let n as NSNumber: return n.doubleValue.isFinite
    default: return true
    }
}
