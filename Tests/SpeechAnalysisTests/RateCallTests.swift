import AudioIO
import CallAnalysis
import Foundation
import SpeechAnalysis
import Testing
import TestSupport

/// Agent syllable totals on the two-channel calls against `channel_stats.agent.
/// syllable_count_excl_backchannels` (morae for the Japanese agent). The count runs inside the
/// ground-truth speech segments, which include backchannels and filled pauses that the truth
/// leaves out, so a few extra nuclei are expected.
@Suite struct RateCallTests {
    static let calls: [String] = Fixtures.stems(in: "calls").filter { stem in
        guard let truth = try? Fixtures.truth("calls", stem),
              let stats = truth["channel_stats"] as? [String: Any],
              let agent = stats["agent"] as? [String: Any] else { return false }
        return agent["syllable_count_excl_backchannels"] is Int
    }

    /// The agent's language of a fixture call, from its truth's `language` ("ja…", "agent ja…", "zh…"; else English).
    static func agentLanguage(_ truth: [String: Any]) -> SpeechLanguage {
        let name = truth["language"] as? String ?? ""
        return name.hasPrefix("agent ja") || name.hasPrefix("ja") ? .ja : name.hasPrefix("zh") ? .zh : .en
    }

    @Test(arguments: Sanitizer.few(calls, 2)) func agentSyllableTotal(stem: String) throws {
        let truth = try Fixtures.truth("calls", stem)
        let agentStats = (truth["channel_stats"] as! [String: Any])["agent"] as! [String: Any]
        let expected = agentStats["syllable_count_excl_backchannels"] as! Int
        let language = Self.agentLanguage(truth)
        let options = AnalysisOptions(language: language)
        let analysis = try CallAnalyzer.analyze(path: Fixtures.audioPath("calls", stem), options: options)
        let agent = try #require(analysis.channels.first { $0.role == .agent })
        // The truth segments, but for turns built from a source whose truth leaves out speech
        // (`Fixtures.truthLeavesOutSpeech`): there the whole turn, placed by construction.
        let role = agent.index == 0 ? "agent" : "customer"
        let wholeTurns = Fixtures.placementSpans(truth, channel: role, source: Fixtures.truthLeavesOutSpeech)
            .map { Segment(start: $0.0, end: $0.1) }
        let segments = (Fixtures.speechSegments(truth)[agent.index].map { Segment(start: $0.0, end: $0.1) }
            .filter { s in !wholeTurns.contains { $0.start <= s.start && s.end <= $0.end } } + wholeTurns).sorted { $0.start < $1.start }
        // The nuclei inside the true segments, from the agent channel's band levels.
        let audio = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", stem))
        let frontEnd = ChannelFrontEnd(sampleRateHz: audio.sampleRateHz, retainBandLevels: true)
        frontEnd.consume(audio.channels[agent.index])
        let m = try #require(SpeakingRate.measure(frontEnd.finish(), speech: segments, pauses: options.pauses,
                                                  settings: try RateSettings(language: language)))
        let detected = language == .ja ? m.moraCount! : m.syllableCount
        let pipeline = agent.rate.map { language == .ja ? $0.moraCount! : $0.syllableCount }
        print("rate call \(stem): agent \(detected) vs \(expected) (with detected speech: \(pipeline.map(String.init) ?? "none"))")
        if Fixtures.isIssue17Batch(stem) {
            // issue 17 target; Mandarin agents (whole THCHS-30 turns) −8.6 / −8.0 / −5.3 % since the
            // local nucleus threshold (analysisVersion 13; −9.3 / −10.1 / −6.0 % before)
            #expect(abs(Double(detected - expected)) / Double(expected) <= 0.10)  // issue 17 target
        } else {
            #expect(abs(Double(detected - expected)) / Double(expected) <= 0.15)  // issue 5 target
        }
        // What the analyser reports: the nuclei in the speech it detects itself.
        if Fixtures.isIssue17Batch(stem), let reported = pipeline {
            let error = abs(Double(reported - expected)) / Double(expected)
            // issue 17 target; measured zh −7.9 / −7.2 / −6.8 %, ja +0.8 / +7.8 % (analysisVersion 13; +10.2 % on
            // devcall3_ja_03 before an interval between nuclei added at most 2 morae: `MoraEstimate`)
            #expect(error <= 0.10)
        }
    }
}
