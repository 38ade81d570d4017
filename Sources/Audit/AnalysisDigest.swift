import CallAnalysis
import Foundation
import Reports
import Rubric
import SpeechAnalysis

/// What the store keeps of one analysis besides its full JSON: the per-call measures the
/// summaries read, the verdicts and the events with their times. A worker child computes it from
/// its report and sends it ahead of the report, so the parent (the single writer) decodes a few
/// hundred bytes per file, not the whole report.
public struct AnalysisDigest: Sendable, Codable, Equatable {
    public struct Verdict: Sendable, Codable, Equatable {
        public var guideline: String
        public var verdict: String
        public var score: Double?
        public var measured: [String: Double]?
    }
    public struct Event: Sendable, Codable, Equatable {
        /// interruption, backchannel, dead-air, hold, filler, ring
        public var kind: String
        /// agent or customer; empty when the event belongs to neither (dead air, a hold)
        public var party: String
        public var startSeconds: Double
        public var endSeconds: Double
        /// hold: music, tone or silence; interruption: the overlap in seconds
        public var detail: String
    }

    public var analysisVersion: Int
    public var toolVersion: String
    public var durationSeconds: Double
    public var sampleRateHz: Int
    public var channelCount: Int
    public var format: String
    public var language: String
    public var rubricVersion: String
    public var score: Double?
    public var verdicts: [Verdict]
    public var events: [Event]
    // The agent's per-call measures (nil when not measurable).
    public var articulationRateSyllablesPerSecond: Double?
    public var activeSpeechLevelDBov: Double?
    public var f0StdevSemitones: Double?
    /// nil for a mono recording (turn-taking needs two channels).
    public var agentInterruptionCount: Int?
    public var agentBackchannelCount: Int?
    public var deadAirCount: Int
    public var deadAirSeconds: Double
    public var holdCount: Int
    public var holdSeconds: Double
    public var filledPausesPerMinute: Double?
    /// The worker's own time for decoding and analysing, seconds (not stored; for the run's timing line).
    public var analysisSeconds: Double?
    /// The same as CPU time (user + system), seconds.
    public var analysisCPUSeconds: Double?

    public init(_ r: AnalysisReport, analysisSeconds: Double? = nil, analysisCPUSeconds: Double? = nil) {
        self.analysisSeconds = analysisSeconds
        self.analysisCPUSeconds = analysisCPUSeconds
        analysisVersion = r.analysisVersion ?? 0
        toolVersion = r.tool.version
        durationSeconds = r.audio.durationSeconds
        sampleRateHz = r.audio.sampleRateHz
        channelCount = r.audio.channelCount
        format = r.audio.format
        language = r.settings.language.rawValue
        rubricVersion = r.rubricVersion ?? ""
        score = r.score
        verdicts = Self.verdicts(r.guidelines ?? [])
        let agent = r.channels.first { $0.role == .agent }
        articulationRateSyllablesPerSecond = agent?.rate?.articulationRateSyllablesPerSecond
        activeSpeechLevelDBov = agent?.loudness?.activeSpeechLevelDBov
        f0StdevSemitones = agent?.pitch?.stdevSemitones
        let c = r.conversation
        agentInterruptionCount = c?.interruptions.map { $0.filter { $0.by == .agent }.count }
        agentBackchannelCount = c?.backchannels.map { $0.filter { $0.by == .agent }.count }
        deadAirCount = c?.deadAir.count ?? 0
        deadAirSeconds = c?.deadAir.reduce(0) { $0 + $1.end - $1.start } ?? 0
        holdCount = c?.holds.count ?? 0
        holdSeconds = c?.holds.reduce(0) { $0 + $1.end - $1.start } ?? 0
        filledPausesPerMinute = c?.filledPauses?.perMinuteOfSpeech
        var events: [Event] = []
        for i in c?.interruptions ?? [] {
            events.append(Event(kind: "interruption", party: i.by.rawValue, startSeconds: i.time,
                                endSeconds: i.time + i.interruptedStoppedAfterSeconds, detail: String(format: "%.3f", i.overlapSeconds)))
        }
        for b in c?.backchannels ?? [] {
            events.append(Event(kind: "backchannel", party: b.by.rawValue, startSeconds: b.time, endSeconds: b.time + b.durationSeconds, detail: ""))
        }
        for d in c?.deadAir ?? [] { events.append(Event(kind: "dead-air", party: "", startSeconds: d.start, endSeconds: d.end, detail: "")) }
        for h in c?.holds ?? [] { events.append(Event(kind: "hold", party: "", startSeconds: h.start, endSeconds: h.end, detail: h.kind.rawValue)) }
        for f in c?.filledPauses?.items ?? [] {
            events.append(Event(kind: "filler", party: "agent", startSeconds: f.start, endSeconds: f.end, detail: ""))
        }
        for ring in c?.rings ?? [] {
            events.append(Event(kind: "ring", party: ring.channel.rawValue, startSeconds: ring.start, endSeconds: ring.end, detail: ""))
        }
        self.events = events.sorted { ($0.startSeconds, $0.kind) < ($1.startSeconds, $1.kind) }
    }

    static func verdicts(_ guidelines: [GuidelineResult]) -> [Verdict] {
        guidelines.map { Verdict(guideline: $0.id, verdict: $0.verdict.rawValue, score: $0.score, measured: $0.measured) }
    }

    /// The sorted-keys JSON line a worker writes ahead of its report.
    public func jsonLine() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(self), as: UTF8.self)
    }
}

extension RubricInput {
    /// The measures of a stored report, as the rubric reads them: rescoring needs no audio.
    public init(report r: AnalysisReport) {
        func party(_ c: AnalysisReport.ChannelReport) -> Party {
            Party(segments: c.speech.segments, loudness: c.loudness, pitch: c.pitch, rate: c.rate,
                  withinTurnPauses: c.speech.withinTurnPauses)
        }
        let agent = r.channels.first { $0.role == .agent }
        let customer = r.channels.first { $0.role == .customer }
        self.init(language: r.settings.language, durationSeconds: r.audio.durationSeconds,
                  agent: agent.map(party) ?? Party(segments: []), customer: customer.map(party),
                  conversation: r.conversation)
        minimumPauseSeconds = r.settings.pauses.minimumPauseSeconds
    }
}
