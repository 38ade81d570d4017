import CallAnalysis
import Foundation
import SpeechAnalysis

/// The JSON report of one analysis (schema "voiceqa.analysis/1"). Keys are camelCase with
/// units; absent measures are omitted and named in `notMeasurable` with the reason.
/// The key list is documented in docs/schema.md; renaming or dropping one bumps `schema`.
public struct AnalysisReport: Codable, Sendable, Equatable {
    public var schema: String
    public var tool: ToolInfo
    public var file: String
    public var audio: AudioSummary
    public var channels: [ChannelReport]
    public var warnings: [String]
    public var settings: AnalysisOptions

    public struct ToolInfo: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
    }

    public struct ChannelReport: Codable, Sendable, Equatable {
        public var index: Int
        public var role: ChannelRole
        public var speech: SpeechSummary
        /// Absent when the channel has no voiced frame.
        public var pitch: PitchMeasures?
    }

    public init(_ analysis: CallAnalysis) {
        schema = CallAnalysis.schema
        tool = ToolInfo(name: "voiceqa", version: VoiceQAVersion.string)
        file = analysis.file
        audio = analysis.audio
        channels = analysis.channels.map { ChannelReport(index: $0.index, role: $0.role, speech: $0.speech, pitch: $0.pitch) }
        warnings = analysis.warnings
        settings = analysis.options
    }
}

public enum VoiceQAVersion {
    public static let string = "0.1.0"
}

/// Renders reports as text. Pure functions: report value in, string out.
public enum ReportRenderer {
    static func encoder(pretty: Bool) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// One report as JSON (sorted keys). Throws only if a value is not finite, which is a bug.
    public static func json(_ report: AnalysisReport, pretty: Bool = true) throws -> String {
        String(decoding: try encoder(pretty: pretty).encode(report), as: UTF8.self)
    }

    /// Several reports as a JSON array in the order given.
    public static func jsonArray(_ reports: [AnalysisReport]) throws -> String {
        String(decoding: try encoder(pretty: true).encode(reports), as: UTF8.self)
    }

    /// A readable summary for a terminal.
    public static func text(_ r: AnalysisReport) -> String {
        var lines: [String] = []
        lines.append("\(r.file)")
        lines.append(String(format: "  %@, %d Hz, %d channel(s), %.1f s", r.audio.format, r.audio.sampleRateHz,
                            r.audio.channelCount, r.audio.durationSeconds))
        for c in r.channels {
            lines.append("  channel \(c.index) (\(c.role.rawValue)):")
            lines.append(String(format: "    speech %.1f s (%.0f %% of the call) in %d segments",
                                c.speech.speechSeconds, c.speech.speechRatio * 100, c.speech.segments.count))
            let p = c.speech.pauses
            if p.count > 0 {
                lines.append(String(format: "    pauses: %d, mean %.2f s, longest %.2f s, total %.1f s",
                                    p.count, p.meanSeconds ?? 0, p.longestSeconds ?? 0, p.totalSeconds))
            } else {
                lines.append("    pauses: none")
            }
            if let pitch = c.pitch {
                var line = String(format: "    pitch: median %.0f Hz, spread %.1f st (SD), range %.1f st, voiced %.1f s",
                                  pitch.medianHz, pitch.stdevSemitones ?? 0, pitch.rangeSemitones, pitch.voicedSeconds)
                if let rise = pitch.greeting?.riseSemitones { line += String(format: "; greeting %+.1f st", rise) }
                lines.append(line)
            } else {
                lines.append("    pitch: no voiced speech")
            }
        }
        for w in r.warnings { lines.append("  warning: \(w)") }
        return lines.joined(separator: "\n")
    }
}
