import CallAnalysis
import Foundation
import Reports
import Rubric
@testable import SpeechAnalysis
import Testing
import TestSupport

/// The call score never rises when one guideline's measure gets worse, and mono recordings
/// mark two-party guidelines not measurable.
struct ScoreTests {
    static let base: RubricInput = {
        let a = try! CallAnalyzer.analyze(path: Fixtures.audioPath("calls", "devcall2_en_00"), options: AnalysisOptions(language: .en))
        return RubricInput(a)
    }()

    /// Makes `input` worse on one guideline's measure by `k` steps (bigger k, worse); returns its name.
    @discardableResult
    static func worsen(_ index: Int, _ i: inout RubricInput, _ k: Double) -> String {
        switch index {
        case 0: let snr = i.agent.loudness?.snrDB ?? 30; i.agent.loudness?.snrDB = snr - 3 * k; return "snr"
        case 1:  // away from the target rate (rubric 1.1.0: slower than it is worse too), on the side the call is
            let target = RateTarget(thresholds: Rubric.builtIn.guideline(.slightlySlow)!.resolvedThresholds(.en))!.targetPerSecond
            let r = base.agent.rate?.articulationRateSyllablesPerSecond ?? target
            i.agent.rate?.articulationRateSyllablesPerSecond = r + (r < target ? -0.4 : 0.4) * k; return "rate"
        case 2: let sd = i.agent.pitch?.stdevSemitones ?? 3; i.agent.pitch?.stdevSemitones = max(0, sd - 0.5 * k); return "spread"
        case 3: let l = i.agent.loudness?.activeSpeechLevelDBov ?? -26; i.agent.loudness?.activeSpeechLevelDBov = l - 2 * k; return "level"
        case 4: i.conversation?.longestAgentMonologueSeconds = 20 + 8 * k; return "monologue"
        case 5:
            let n = Int(k)
            i.conversation?.interruptions = (0..<n).map {
                Conversation.Interruption(time: Double($0), by: .agent, overlapSeconds: 0.5, interruptedStoppedAfterSeconds: 0.5)
            }
            return "interruptions"
        case 6: i.conversation?.deadAir = [Segment(start: 10, end: 10 + 3 * k)]; return "deadAir"
        case 7:
            let n = Int(k)
            i.conversation?.ringCount = n
            i.conversation?.rings = (0..<n).map { Conversation.Ring(start: Double($0) * 5, end: Double($0) * 5 + 1, channel: .customer) }
            return "rings"
        case 8:
            let n = Int(k)
            let items: [FilledPauses.Item] = (0..<n).map {
                FilledPauses.Item(start: Double($0), end: Double($0) + 0.4, durationSeconds: 0.4, f0Hz: 200, pitchSpreadSemitones: 0.5)
            }
            i.conversation?.filledPauses = FilledPauses(count: n, totalSeconds: 0.4 * k, perMinuteOfSpeech: k, items: items)
            return "fillers"
        default: i.conversation?.calm?.agentLevelRiseDB = 1 + 1.5 * k; return "calm"
        }
    }

    @Test(arguments: 0..<10)
    func scoreNeverRisesWhenOneGuidelineWorsens(index: Int) {
        var probe = Self.base
        let name = Self.worsen(index, &probe, 0)
        var previous = RubricEvaluator.evaluate(Self.base, rubric: .builtIn).score ?? 0
        for k in 1...8 {
            var input = Self.base
            Self.worsen(index, &input, Double(k))
            let score = RubricEvaluator.evaluate(input, rubric: .builtIn).score ?? 0
            #expect(score <= previous + 1e-9, "\(name) step \(k): \(score) > \(previous)")
            previous = score
        }
        #expect(previous < RubricEvaluator.evaluate(Self.base, rubric: .builtIn).score ?? 0, "\(name) never lowered the score")
    }

    @Test func monoMarksTwoPartyGuidelinesNotMeasurable() throws {
        let a = try CallAnalyzer.analyze(path: Fixtures.audioPath("speech", "en_ljspeech_LJ001_0001"), options: AnalysisOptions(language: .en))
        let report = AnalysisReport(a)
        let byID = Dictionary(uniqueKeysWithValues: (report.guidelines ?? []).map { ($0.id, $0) })
        for id in ["no-interrupting", "backchannels", "calm", "silent-call"] {
            #expect(byID[id]?.verdict == .notMeasurable, "\(id)")
            #expect(byID[id]?.reason?.hasPrefix("mono recording") == true, "\(id)")
        }
        #expect(byID["clear"]?.verdict != .notMeasurable)
        #expect(report.rubricVersion == Rubric.builtIn.rubricVersion)
        #expect(ReportRenderer.text(report).contains("guidelines (rubric \(Rubric.builtIn.rubricVersion))"))
    }
}
