import SpeechAnalysis

/// Who speaks on a channel.
public enum ChannelRole: String, Sendable, Codable, Equatable {
    case agent, customer
}

/// Everything that shapes one analysis; recorded in every report.
public struct AnalysisOptions: Sendable, Codable, Equatable {
    /// Index of the agent's channel in a two-channel recording (0 or 1; default 0).
    public var agentChannel: Int
    /// For recordings with more than two channels: the agent's and the customer's channel.
    public var channelPair: [Int]?
    /// Longest recording accepted, seconds (default 8 h): refuses absurd declared lengths up front,
    /// and stops decoding once exceeded (headers can lie). This is the memory budget: per-file memory
    /// grows only with duration (the per-frame results of at most two analysed channels, about
    /// 0.5 kB per second per channel measured, whatever the rate or channel count), plus fixed buffers.
    public var maxDurationSeconds: Double
    /// Use FFTW_MEASURE plans (for long files; tests use instant ESTIMATE plans).
    public var measureFFTPlans: Bool
    public var frontEnd: FrontEndSettings
    public var activity: SpeechActivitySettings
    public var pauses: PauseSettings
    public var turnTaking: TurnTakingSettings = .standard
    public var level: LevelSettings = .standard
    /// Filled-pause detector (guideline no-fillers).
    public var filledPauses: FilledPauseSettings = .standard
    /// Arousal-mirroring measure (guideline calm).
    public var calm: CalmSettings = .standard
    /// The agent's language (zh | ja | en; default zh): with `ja` the agent's rate adds morae.
    /// Customer-side measures do not depend on it.
    public var language: SpeechLanguage
    public var pitch: PitchSettings
    /// Include the per-frame F0 track in the report (`--pitch-track`).
    public var pitchTrack: Bool

    public static let standard = AnalysisOptions()

    public init(agentChannel: Int = 0, channelPair: [Int]? = nil, maxDurationSeconds: Double = 8 * 3600,
                measureFFTPlans: Bool = false, frontEnd: FrontEndSettings = .standard,
                activity: SpeechActivitySettings = .standard, pauses: PauseSettings = .standard,
                language: SpeechLanguage = .zh,
                pitch: PitchSettings = .standard, pitchTrack: Bool = false) {
        self.agentChannel = agentChannel
        self.channelPair = channelPair
        self.maxDurationSeconds = maxDurationSeconds
        self.measureFFTPlans = measureFFTPlans
        self.frontEnd = frontEnd
        self.activity = activity
        self.pauses = pauses
        self.language = language
        self.pitch = pitch
        self.pitchTrack = pitchTrack
    }
}

/// Why an analysis could not run, beyond decoding errors (those are `AudioIOError`).
public enum AnalysisError: Error, CustomStringConvertible, Equatable, Sendable {
    case needChannelChoice(path: String, channelCount: Int)
    case channelOutOfRange(path: String, channel: Int, channelCount: Int)
    case tooShort(path: String, durationSeconds: Double)
    /// The per-file time limit (`--timeout`) ran out.
    case timedOut(path: String, limitSeconds: Double)

    public var description: String {
        switch self {
        case let .needChannelChoice(path, n):
            "\(path): has \(n) channels; pick the agent and customer channels with --channels A,C"
        case let .channelOutOfRange(path, c, n):
            "\(path): channel \(c) does not exist (the file has \(n) channel\(n == 1 ? "" : "s"), numbered from 0)"
        case let .tooShort(path, d):
            "\(path): only \(String(format: "%.3f", d)) s of audio, shorter than one 40 ms analysis frame"
        case let .timedOut(path, limit):
            "\(path): not analysed within the \(String(format: "%g", limit)) s time limit (raise it with --timeout)"
        }
    }
}

import Foundation
