import DSP
import SpeechAnalysis

/// The analysis of one recording: what the JSON report shows (see Reports), plus the
/// per-frame contours later analyses read (not encoded).
public struct CallAnalysis: Sendable {
    public static let schema = "voiceqa.analysis/1"
    public var file: String
    public var audio: AudioSummary
    public var channels: [ChannelAnalysis]
    /// Turn-taking between agent and customer (dead air and holds only, for mono).
    public var conversation: Conversation?
    public var warnings: [String]
    public var options: AnalysisOptions
}

public struct AudioSummary: Sendable, Codable, Equatable {
    public var format: String
    public var sampleRateHz: Int
    public var channelCount: Int
    public var durationSeconds: Double
}

public struct ChannelAnalysis: Sendable {
    /// Channel index in the file.
    public var index: Int
    public var role: ChannelRole
    public var speech: SpeechSummary
    public var contours: ChannelContours
    public var activity: SpeechActivity
    /// Speaking rate from syllable nuclei in the speech segments; nil without speech.
    public var rate: RateMeasures?
    /// Loudness, peaks, P.56 level, noise floor and SNR of the channel (see `ChannelLevelMeter`).
    public var loudness: LoudnessMeasures? = nil
    /// Per-frame F0 (same frames as `contours`), for later analyses.
    public var pitchTrack: PitchTrack
    /// Pitch summary (JSON `pitch`); nil when no frame is voiced.
    public var pitch: PitchMeasures?
    /// Frames with a steady spectrum (the agent's, for filled pauses); nil on other channels.
    public var steadySpectrum: SteadySpectrum? = nil
}

public struct SpeechSummary: Sendable, Codable, Equatable {
    public var segments: [Segment]
    public var speechSeconds: Double
    /// Speech time over the recording's duration (0…1).
    public var speechRatio: Double
    /// Every gap between the channel's speech segments, first to last speech (the other
    /// party's turns and holds included).
    public var pauses: PauseSummary
    /// The gaps inside the channel's own turns: no floor-taking speech of the other party in
    /// them (its backchannels do not count) and no hold (`PauseSummary(withinTurnsOf:)`).
    /// Set once turn-taking is known; nil before.
    public var withinTurnPauses: PauseSummary? = nil
}
