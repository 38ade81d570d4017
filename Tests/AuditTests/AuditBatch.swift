import AudioIO
import CallAnalysis
import DSP
import Foundation
import Reports
import Rubric
import TestSupport
@testable import Audit

/// Generated two-channel calls whose per-agent truth is known by construction: an agent's calls
/// can be time-stretched faster (pitch kept, WSOLA) and an agent can interrupt the customer.
enum AuditBatch {
    struct Agent {
        var name: String
        var speed = 1.0
        var interrupts = false
    }

    static func scaled(_ u: CallBuilder.Utterance, _ speed: Double) -> CallBuilder.Utterance {
        guard speed != 1 else { return u }
        var v = u
        v.samples = TimeScaling.timeScaled(u.samples, sampleRateHz: Int(CallBuilder.rateHz), speed: speed)
        v.segments = u.segments.map { ($0.0 / speed, $0.1 / speed) }
        return v
    }

    /// Call `index` of `agent`: greeting, a long customer turn (interrupted 1.5 s in by an
    /// interrupting agent, who the customer yields to 0.6 s later), the agent's answer, a short
    /// customer reply and the agent's close. The same utterances for every agent at one index.
    static func call(_ agent: Agent, index: Int) -> AudioBuffer {
        let all = CallBuilder.levelledUtterances
        let long = all.filter { $0.lastSpeech - $0.firstSpeech > 4 }
        let short = all.filter { $0.lastSpeech - $0.firstSpeech < 4 }
        func agentUtterance(_ k: Int) -> CallBuilder.Utterance { scaled(short[(index * 3 + k) % short.count], agent.speed) }
        var b = CallBuilder()
        var end = b.place(agentUtterance(0), onAgent: true, speechStart: 0.5)
        let customerStart = end + 0.7
        let customer = long[index % long.count]
        if agent.interrupts {
            let at = customerStart + 1.5
            b.place(customer, onAgent: false, speechStart: customerStart, cutAt: at + 0.6)
            end = b.place(agentUtterance(1), onAgent: true, speechStart: at)
        } else {
            let customerEnd = b.place(customer, onAgent: false, speechStart: customerStart)
            end = b.place(agentUtterance(1), onAgent: true, speechStart: customerEnd + 0.6)
        }
        let replyEnd = b.place(short[(index + 5) % short.count], onAgent: false, speechStart: end + 0.7)
        b.place(agentUtterance(2), onAgent: true, speechStart: replyEnd + 0.6)
        return b.buffer(seed: UInt64(index + 1))
    }

    static var options: AnalysisOptions {
        var o = AnalysisOptions.standard
        o.language = .en
        return o
    }

    /// Analyses each agent's calls in process and stores them as `audit run` would (no workers:
    /// the store and summary are under test here, the workers in CLITests).
    static func fill(_ store: SQLiteAuditStore, agents: [Agent], callsPerAgent: Int, team: String = "North",
                     rubric: Rubric = .builtIn) throws {
        let rubricSHA = AnalysisKey.rubricSHA256(rubric)
        try store.addRubric(RubricEntry(sha256: rubricSHA, version: rubric.rubricVersion,
                                        canonicalJSON: AnalysisKey.canonicalRubric(rubric), addedAt: AuditTime.now()))
        for agent in agents {
            for i in 0..<callsPerAgent {
                let name = "\(agent.name)/call\(i).wav"
                let analysis = try CallAnalyzer.analyze(buffer: call(agent, index: i), name: name, options: options)
                let report = AnalysisReport(analysis, includeSeries: false, rubric: rubric)
                let json = Data(try ReportRenderer.json(report, pretty: false).utf8)
                let key = AnalysisKey(fileSHA256: SHA256.hex(name), settingsSHA256: AnalysisKey.settingsSHA256(options), rubricSHA256: rubricSHA)
                var input = AuditInput(path: name, filePath: name)
                input.agent = agent.name; input.team = team
                input.date = String(format: "2026-11-%02d", 23 + i % 7)
                try store.commit(analysis: AnalysisRecord(key: key, settingsJSON: AnalysisKey.canonicalSettings(options),
                                                          digest: AnalysisDigest(report), reportJSON: json, workerStderr: ""),
                                 key: key.value, recordings: [RecordingRow(input, fileSHA256: key.fileSHA256)])
            }
        }
    }

    static func temporaryDatabase() throws -> (URL, String) {
        let dir = try TestAudioWriter.temporaryDirectory()
        return (dir, dir.appendingPathComponent("audit.sqlite").path)
    }
}
