import ArgumentParser
import CallAnalysis
import Foundation
import Glibc
import Reports
import Rubric
import SpeechAnalysis

/// Exit codes: 0 every file analysed; 1 at least one file failed or ran over `--timeout` (each
/// failure printed as one line on stderr, the others still reported), or standard output could not
/// be written; 64 bad command line.
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

    @OptionGroup var analysis: AnalysisArguments

    @Flag(help: "Include each channel's per-frame F0 track (10 ms) in the JSON.")
    var pitchTrack = false

    @Flag(help: "Include per-second series (short-term loudness) in the JSON.")
    var series = false

    func run() throws {
        StandardOutput.ignoreBrokenPipeSignal()
        let rubric = try analysis.loadRubric()
        let options = try analysis.analysisOptions(rubric: rubric, pitchTrack: pitchTrack)
        let defaultFormat: OutputFormat = isatty(STDOUT_FILENO) != 0 ? .text : .json
        let outputFormat: OutputFormat = format ?? defaultFormat
        var streamLine: (@Sendable (Int, FileResult) throws -> Void)? = nil
        if outputFormat == .jsonl {
            streamLine = { _, result in
                guard case let .success(report, rendered) = result else { return }
                let line = try rendered ?? ReportRenderer.json(report, pretty: false)
                do { try StandardOutput.write(line) } catch { throw FatalHandOverError(description: "\(error)") }
            }
        }
        // The JSON printed per report is rendered once, by the runner (which needs an encoding anyway
        // to check the report): one line each for jsonl, the pretty object for a single file.
        let render: (@Sendable (AnalysisReport) throws -> String)? = switch outputFormat {
        case .jsonl: { try ReportRenderer.json($0, pretty: false) }
        case .json where files.count == 1: { try ReportRenderer.json($0) }
        default: nil
        }
        let outcome = AnalysisRunner.run(files: files, options: options, jobs: analysis.jobCount, includeSeries: series,
                                         rubric: rubric, timeLimitSeconds: analysis.timeLimitSeconds, render: render,
                                         onEach: streamLine)
        if let fatal = outcome.fatalError {
            StandardOutput.error("voiceqa: \(fatal)")
            throw ExitCode(ExitCodes.someFilesFailed)
        }
        var failed = 0
        var reports: [AnalysisReport] = []
        for result in outcome.results {
            switch result {
            case let .success(report, _): reports.append(report)
            case let .failure(message):
                failed += 1
                StandardOutput.error("voiceqa: \(message)")
            }
        }
        do {
            switch outputFormat {
            case .jsonl: break
            case .json:
                if files.count > 1 {
                    try StandardOutput.write(try ReportRenderer.jsonArray(reports))
                } else if let first = outcome.results.first, case let .success(only, rendered) = first {  // one file: rendered by the runner
                    try StandardOutput.write(try rendered ?? ReportRenderer.json(only))
                }
            case .text:
                try StandardOutput.write(reports.map(ReportRenderer.text).joined(separator: "\n\n"))
            }
        } catch let error as StandardOutput.WriteError {
            StandardOutput.error("voiceqa: \(error)")
            throw ExitCode(ExitCodes.someFilesFailed)
        }
        if failed > 0 { throw ExitCode(ExitCodes.someFilesFailed) }
    }
}

extension SpeechLanguage: ExpressibleByArgument {}
