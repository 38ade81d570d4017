import AudioIO
import CallAnalysis
import Foundation
import Reports
import Testing
import TestSupport

/// What VoiceQA gave for one input.
enum Outcome {
    case report(json: String)
    case refusal(message: String)
}

/// Runs one case through `CallAnalyzer.analyze(path:)` and the JSON renderer.
func analyse(_ path: String, options: AnalysisOptions = .standard) -> Outcome {
    let analysis: CallAnalysis
    do {
        // 60 s is far beyond any case here (each is ≤ 1 s of audio): only a runaway decode hits it.
        analysis = try CallAnalyzer.analyze(path: path, options: options, timeLimitSeconds: 60)
    } catch {
        return .refusal(message: "\(error)")
    }
    do {
        return .report(json: try ReportRenderer.json(AnalysisReport(analysis, includeSeries: true), pretty: false))
    } catch {
        // JSONEncoder refuses NaN and ±Inf: record it as a failed case with the value's path.
        return .report(json: "UNRENDERABLE: \(error)")
    }
}

/// Checks the contract: a report is valid JSON with only finite numbers and names the file; a
/// refusal is one line that starts with the file's path and gives a reason.
func check(_ c: BadInputCorpus.Case, _ outcome: Outcome, sourceLocation: SourceLocation = #_sourceLocation) {
    switch outcome {
    case let .report(json):
        #expect(c.expectation != .refusal, "\(c.name): expected a refusal, got a report", sourceLocation: sourceLocation)
        #expect(!json.hasPrefix("UNRENDERABLE"), "\(c.name): \(json)", sourceLocation: sourceLocation)
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            Issue.record("\(c.name): report is not a JSON object", sourceLocation: sourceLocation); return
        }
        #expect(object["file"] as? String == c.path, sourceLocation: sourceLocation)
        #expect(allNumbersFinite(object), "\(c.name): non-finite number in report", sourceLocation: sourceLocation)
        // No bare NaN/Infinity token in a value position (warnings may mention "NaN" in text).
        #expect(json.range(of: #"[:\[,]\s*-?(NaN|nan|Infinity|inf)\b"#, options: .regularExpression) == nil,
                "\(c.name): non-finite token", sourceLocation: sourceLocation)
        let audio = object["audio"] as? [String: Any]
        let duration = audio?["durationSeconds"] as? Double ?? -1
        #expect(duration > 0 && duration < 3600, "\(c.name): duration \(duration)", sourceLocation: sourceLocation)
    case let .refusal(message):
        #expect(c.expectation != .report, "\(c.name): expected a report, got: \(message)", sourceLocation: sourceLocation)
        #expect(message.hasPrefix(c.path + ":"), "\(c.name): error does not start with the file: \(message)",
                sourceLocation: sourceLocation)
        #expect(!message.contains("\n"), "\(c.name): error is not one line", sourceLocation: sourceLocation)
        #expect(message.count > c.path.count + 5, "\(c.name): no reason given", sourceLocation: sourceLocation)
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

/// The generated bad-input corpus through decode, analysis and JSON, in process.
final class BadInputCorpusTests {
    let dir: URL
    init() throws { dir = try TestAudioWriter.temporaryDirectory() }
    deinit { try? FileManager.default.removeItem(at: dir) }

    /// Every supported container and encoding, cut at ~80 offsets and with 8 random header bytes
    /// changed. A cut inside the samples must still give a report of what is there.
    @Test(arguments: TestAudioWriter.formats)
    func truncatedAndFlipped(_ format: TestAudioWriter.Format) throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        guard let valid = try BadInputCorpus.validFile(format, in: dir) else { return }
        if case let .refusal(message) = analyse(valid) { Issue.record("valid \(format.name) refused: \(message)") }
        let cases = try BadInputCorpus.truncations(of: valid, in: dir)
            + BadInputCorpus.headerFlips(of: valid, in: dir, count: 8, seed: UInt64(format.sfFormat))
        for c in cases {
            let o = analyse(c.path)
            if ProcessInfo.processInfo.environment["CORPUS_LOG"] != nil {
                switch o { case .report(let j): print("OUT REPORT \(c.name) \(j.count)"); case .refusal(let m): print("OUT REFUSE \(c.name) :: \(m)") }
            }
            check(c, o)
        }
    }

    @Test func wavHeaderPatches() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        for c in try BadInputCorpus.wavHeaderPatches(in: dir) { check(c, analyse(c.path)) }
    }

    @Test func absurdRatesAndChannelCountsNameTheProblem() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases = try BadInputCorpus.wavHeaderPatches(in: dir)
        for c in cases where c.name.contains("sample rate") || c.name.contains("channels") {
            guard case let .refusal(message) = analyse(c.path) else { Issue.record("\(c.name) accepted"); continue }
            // libsndfile refuses some itself ("cannot be decoded"); the rest are refused by our range checks.
            #expect(message.contains("sample rate") || message.contains("channel") || message.contains("cannot be decoded"),
                    "\(c.name): \(message)")
        }
    }

    /// A data chunk claiming gigabytes in a 32 kB file: libsndfile trusts the file size, so the
    /// report covers the one second that is there (nothing invented, nothing lost).
    @Test func dataChunkClaimingGigabytesReportsWhatIsThere() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases = try BadInputCorpus.wavHeaderPatches(in: dir).filter { $0.name.contains("data chunk claims") }
        #expect(cases.count == 2)
        for c in cases {
            guard case let .report(json) = analyse(c.path),
                  let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
                  let audio = object["audio"] as? [String: Any] else { Issue.record("\(c.name) refused"); continue }
            // The file holds exactly 1 s (8000 stereo frames); the report must say so to the millisecond.
            #expect(abs((audio["durationSeconds"] as? Double ?? 0) - 1.0) < 0.001, "\(c.name)")
        }
    }

    @Test func pathologicalSampleValues() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        for c in try BadInputCorpus.sampleValueCases(in: dir) { check(c, analyse(c.path)) }
    }

    /// NaN and infinite float samples are replaced by silence and named in a warning.
    @Test func nonFiniteSamplesAreCountedInAWarning() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases = try BadInputCorpus.sampleValueCases(in: dir)
        for c in cases where c.name.contains("NaN") || c.name.contains("Inf") {
            guard case let .report(json) = analyse(c.path) else { Issue.record("\(c.name) refused"); continue }
            #expect(json.contains("NaN or infinite samples were replaced by silence"), "\(c.name)")
        }
    }

    @Test func notAudioAndSpecialFilesAreRefused() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        for c in try BadInputCorpus.notAudio(in: dir) + BadInputCorpus.specialFiles(in: dir) { check(c, analyse(c.path)) }
    }

    /// Inputs the fuzzer found (Fuzz/regressions/): each must now give a report or a clean refusal.
    /// Under `swift test --sanitize=address` (CI) this also catches the memory errors they caused.
    @Test func fuzzerRegressions() throws {
        let folder = Fixtures.root.deletingLastPathComponent().appendingPathComponent("Fuzz/regressions")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let path = folder.appendingPathComponent(name).path
            check(BadInputCorpus.Case(name: "fuzz regression \(name)", path: path, expectation: .either), analyse(path))
        }
    }
}
