import ArgumentParser
import CallAnalysis
import Dispatch
import Foundation
import Glibc
import Reports
import Rubric
import SpeechAnalysis

/// Exit codes: 0 every file analysed; 1 at least one file failed or ran over `--timeout` (each
/// failure printed as one line on stderr, the others still reported); 64 bad command line.
enum ExitCodes {
    static let someFilesFailed: Int32 = 1
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case json, jsonl, text
}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyse recordings and print a JSON report (or a text summary).")

    @Argument(help: "Recordings to analyse (any format libsndfile reads).")
    var files: [String]

    @Option(help: "Output: json (default when stdout is not a terminal), jsonl (one object per line as each file finishes), text.")
    var format: OutputFormat?

    @Option(help: "Agent channel of a two-channel recording: 0 or 1.")
    var agentChannel: Int = 0

    @Option(help: "For recordings with more than two channels: agent and customer channel, e.g. 0,3.")
    var channels: String?

    @Option(help: "The agent's language, for rate norms and the rubric's thresholds and tips: zh (syllables = characters), ja (also morae), en. Default: the rubric's defaultLanguage (zh).")
    var language: SpeechLanguage?

    @Option(help: "Rubric file (JSON) replacing the built-in one; see `voiceqa rubric show`.")
    var rubric: String?

    @Option(help: "Shortest silence counted as a pause, seconds (0.05…2).")
    var minPause: Double = 0.25

    @Option(help: "Longest recording accepted, seconds (declared or decoded; bounds memory per file).")
    var maxDuration: Double = 8 * 3600

    @Option(help: "Wall-time limit per file, seconds (0: none). A file over it fails; the others go on.")
    var timeout: Double = 600

    @Flag(help: "Include each channel's per-frame F0 track (10 ms) in the JSON.")
    var pitchTrack = false

    @Flag(help: "Include per-second series (short-term loudness) in the JSON.")
    var series = false

    @Option(help: "Files analysed at once (default: one per core).")
    var jobs: Int?

    func validate() throws {
        guard (0...1).contains(agentChannel) else { throw ValidationError("--agent-channel must be 0 or 1") }
        if let channels, parsePair(channels) == nil {
            throw ValidationError("--channels takes two different channel numbers, e.g. 0,1")
        }
        do { _ = try PauseSettings(minimumPauseSeconds: minPause) } catch { throw ValidationError("--min-pause: \(error)") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        guard maxDuration.isFinite, maxDuration > 0 else { throw ValidationError("--max-duration must be a positive number of seconds") }
        guard timeout.isFinite, timeout >= 0 else { throw ValidationError("--timeout must be 0 (none) or a positive number of seconds") }
    }

    func parsePair(_ s: String) -> [Int]? {
        let parts = s.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let a = parts[0], let b = parts[1], a >= 0, b >= 0, a != b else { return nil }
        return [a, b]
    }

    func run() throws {
        let rubricValue: Rubric
        if let rubric {
            do { rubricValue = try Rubric.load(path: rubric) } catch let e as RubricError { throw ValidationError(e.description) }
        } else {
            rubricValue = .builtIn
        }
        let language = language ?? rubricValue.defaultLanguage
        let options = AnalysisOptions(
            agentChannel: agentChannel, channelPair: channels.flatMap { parsePair($0) },
            maxDurationSeconds: maxDuration, measureFFTPlans: false,
            pauses: try PauseSettings(minimumPauseSeconds: minPause), language: language,
            pitchTrack: pitchTrack)
        let defaultFormat: OutputFormat = isatty(STDOUT_FILENO) != 0 ? .text : .json
        let outputFormat: OutputFormat = format ?? defaultFormat
        var streamLine: (@Sendable (FileResult) -> Void)? = nil
        if outputFormat == .jsonl {
            streamLine = { result in
                if case let .success(report) = result, let line = try? ReportRenderer.json(report, pretty: false) {
                    print(line)
                    fflush(nil)
                }
            }
        }
        let jobCount = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let (results, _) = AnalysisRunner.run(files: files, options: options, jobs: jobCount, includeSeries: series,
                                              rubric: rubricValue, timeLimitSeconds: timeout > 0 ? timeout : nil,
                                              onEach: streamLine)
        var failed = 0
        var reports: [AnalysisReport] = []
        for result in results {
            switch result {
            case let .success(report): reports.append(report)
            case let .failure(message):
                failed += 1
                FileHandle.standardError.write(Data("voiceqa: \(message)\n".utf8))
            }
        }
        switch outputFormat {
        case .jsonl: break
        case .json:
            if files.count == 1, let only = reports.first { print(try ReportRenderer.json(only)) }
            else if files.count > 1 { print(try ReportRenderer.jsonArray(reports)) }
        case .text:
            print(reports.map(ReportRenderer.text).joined(separator: "\n\n"))
        }
        if failed > 0 { throw ExitCode(ExitCodes.someFilesFailed) }
    }
}

extension SpeechLanguage: ExpressibleByArgument {}
