import CallAnalysis
import Foundation
import Rubric
import SpeechAnalysis

/// The JSON report of one analysis (schema "voiceqa.analysis/1"). Keys are camelCase with
/// units; absent measures are omitted and named in `notMeasurable` with the reason.
/// The key list is documented in docs/schema.md; renaming or dropping one bumps `schema`.
public struct AnalysisReport: Codable, Sendable, Equatable {
    public var schema: String
    /// `AnalysisVersion.current` of the tool that measured (absent in reports written before it existed).
    public var analysisVersion: Int?
    public var tool: ToolInfo
    public var file: String
    public var audio: AudioSummary
    public var channels: [ChannelReport]
    public var conversation: Conversation?
    public var warnings: [String]
    public var settings: AnalysisOptions
    /// Version of the rubric the guidelines were judged with.
    public var rubricVersion: String?
    /// One verdict per guideline of the rubric (see docs/schema.md).
    public var guidelines: [GuidelineResult]?
    /// Weighted call score over the measurable guidelines, 0–100.
    public var score: Double?

    public struct ToolInfo: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
    }

    public struct ChannelReport: Codable, Sendable, Equatable {
        public var index: Int
        public var role: ChannelRole
        public var speech: SpeechSummary
        public var loudness: LoudnessMeasures?
        /// Speaking rate (syllable nuclei); absent without speech.
        public var rate: RateMeasures?
        /// Absent when the channel has no voiced frame.
        public var pitch: PitchMeasures?
    }

    /// - Parameter includeSeries: keep per-second series (short-term loudness) in the report
    ///   (`--series`); off by default to keep reports small.
    public init(_ analysis: CallAnalysis, includeSeries: Bool = false, rubric: Rubric = .builtIn) {
        schema = CallAnalysis.schema
        analysisVersion = AnalysisVersion.current
        tool = ToolInfo(name: "voiceqa", version: VoiceQAVersion.string)
        file = analysis.file
        audio = analysis.audio
        channels = analysis.channels.map {
            ChannelReport(index: $0.index, role: $0.role, speech: $0.speech,
                          loudness: includeSeries ? $0.loudness : $0.loudness?.withoutSeries, rate: $0.rate,
                          pitch: $0.pitch)
        }
        conversation = analysis.conversation
        warnings = analysis.warnings
        settings = analysis.options
        let evaluation = RubricEvaluator.evaluate(RubricInput(analysis), rubric: rubric)
        rubricVersion = evaluation.rubricVersion
        guidelines = evaluation.guidelines
        score = evaluation.score
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
        lines += coachingLines(r)
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
            if let l = c.loudness {
                func f(_ x: Double?, _ unit: String) -> String { x.map { String(format: "%.1f %@", $0, unit) } ?? "n/a" }
                lines.append("    level: \(f(l.integratedLUFS, "LUFS")), active speech \(f(l.activeSpeechLevelDBov, "dBov"))"
                             + String(format: " (activity %.0f %%)", l.activityFactor * 100)
                             + ", true peak \(f(l.truePeakDBTP, "dBTP")), noise \(f(l.noiseFloorDBFS, "dBFS")), SNR \(f(l.snrDB, "dB"))")
            }
            if let rate = c.rate {
                var line = String(format: "    rate: %d syllables, articulation %.2f syl/s, speech %.2f syl/s",
                                  rate.syllableCount, rate.articulationRateSyllablesPerSecond,
                                  rate.speechRateSyllablesPerSecond)
                if let morae = rate.moraCount, let moraRate = rate.articulationRateMoraePerSecond {
                    line += String(format: "; %d morae, %.2f morae/s", morae, moraRate)
                }
                lines.append(line)
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
        if let c = r.conversation { lines += conversationLines(c) }
        lines += guidelineLines(r)
        for w in r.warnings { lines.append("  warning: \(w)") }
        return lines.joined(separator: "\n")
    }

    static func conversationLines(_ c: Conversation) -> [String] {
        var lines = ["  conversation:"]
        if let t = c.timeToAnswerSeconds {
            lines.append(String(format: "    agent first speaks at %.1f s", t) + (c.ringCount.map { " after \($0) ring(s)" } ?? ""))
        }
        if let i = c.interruptions {
            let byAgent = i.filter { $0.by == .agent }
            lines.append("    interruptions: \(byAgent.count) by the agent" + byAgent.map { String(format: " at %.1f s", $0.time) }.joined(separator: ",")
                         + ", \(i.count - byAgent.count) by the customer")
        }
        if let b = c.backchannels { lines.append("    backchannels: \(b.filter { $0.by == .agent }.count) by the agent") }
        if let o = c.overlapSeconds { lines.append(String(format: "    talk-over %.1f s", o)) }
        if let r = c.agentTalkRatio { lines.append(String(format: "    agent talk share %.0f %%", r * 100)) }
        if let m = c.longestAgentMonologueSeconds { lines.append(String(format: "    longest agent monologue %.1f s", m)) }
        if let l = c.responseLatency, let mean = l.meanSeconds {
            lines.append(String(format: "    response latency: %d, mean %.2f s, longest %.2f s", l.count, mean, l.longestSeconds ?? 0))
        }
        lines.append("    dead air: " + (c.deadAir.isEmpty ? "none" : c.deadAir.map { String(format: "%.1f–%.1f s", $0.start, $0.end) }.joined(separator: ", ")))
        lines.append("    holds: " + (c.holds.isEmpty ? "none" : c.holds.map { String(format: "%.1f–%.1f s (%@)", $0.start, $0.end, $0.kind.rawValue) }.joined(separator: ", ")))
        if let s = c.silentCall { lines.append("    silent call: customer never speaks; \(s.prompts.count) agent prompt(s)") }
        return lines
    }
}
