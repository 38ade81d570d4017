import ArgumentParser
import CallAnalysis
import Foundation
import Rubric
import SpeechAnalysis

/// The options that change an analysis, shared by `analyze`, `report` and `audit run` so each
/// means the same everywhere.
struct AnalysisArguments: ParsableArguments {
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

    @Option(help: "Files analysed at once (default: one per core).")
    var jobs: Int?

    func validate() throws {
        guard (0...1).contains(agentChannel) else { throw ValidationError("--agent-channel must be 0 or 1") }
        if let channels, Self.parsePair(channels) == nil {
            throw ValidationError("--channels takes two different channel numbers, e.g. 0,1")
        }
        do { _ = try PauseSettings(minimumPauseSeconds: minPause) } catch { throw ValidationError("--min-pause: \(error)") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        guard maxDuration.isFinite, maxDuration > 0 else { throw ValidationError("--max-duration must be a positive number of seconds") }
        guard timeout.isFinite, timeout >= 0 else { throw ValidationError("--timeout must be 0 (none) or a positive number of seconds") }
    }

    static func parsePair(_ s: String) -> [Int]? {
        let parts = s.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let a = parts[0], let b = parts[1], a >= 0, b >= 0, a != b else { return nil }
        return [a, b]
    }

    /// The rubric named by `--rubric`, or the built-in one; an invalid file is a command-line error.
    func loadRubric() throws -> Rubric {
        guard let rubric else { return .builtIn }
        do { return try Rubric.load(path: rubric) } catch let e as RubricError { throw ValidationError(e.description) }
    }

    /// The analysis settings these options give, with the rubric's default language when none is named.
    func analysisOptions(rubric: Rubric, pitchTrack: Bool) throws -> AnalysisOptions {
        AnalysisOptions(
            agentChannel: agentChannel, channelPair: channels.flatMap { Self.parsePair($0) },
            maxDurationSeconds: maxDuration, measureFFTPlans: false,
            pauses: try PauseSettings(minimumPauseSeconds: minPause), language: language ?? rubric.defaultLanguage,
            pitchTrack: pitchTrack)
    }

    var jobCount: Int { jobs ?? ProcessInfo.processInfo.activeProcessorCount }
    var timeLimitSeconds: Double? { timeout > 0 ? timeout : nil }
}
