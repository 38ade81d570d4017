import CallAnalysis
import Foundation
import SpeechAnalysis
import Testing
import TestSupport

/// Pauses inside a party's own turns (issue 17, cause 5): the gaps between its speech segments
/// where the other party does not take the floor and the line is not on hold. Truth by
/// construction: a call built from fixture utterances with an agent pause inside a turn, a
/// customer turn in between, and a customer backchannel inside the agent's pause.
struct WithinTurnPauseTests {
    /// The rule on segments alone: each kind of gap, seconds exact.
    @Test func rulesOnSegments() {
        let agent = [Segment(start: 0, end: 2), Segment(start: 2.8, end: 4), Segment(start: 9, end: 10),
                     Segment(start: 11, end: 12), Segment(start: 80, end: 81)]
        let customer = [Segment(start: 4.5, end: 8.5),      // a turn between 4 and 9: not a pause of the agent
                        Segment(start: 10.2, end: 10.6)]    // a backchannel inside the 10–11 pause
        let holds = [Segment(start: 13, end: 79)]
        let p = PauseSummary(withinTurnsOf: agent, other: customer, backchannels: [Segment(start: 10.2, end: 10.6)],
                             holds: holds, settings: .standard)
        #expect(p.items == [Segment(start: 2, end: 2.8), Segment(start: 10, end: 11)])
        #expect(p.count == 2 && abs(p.totalSeconds - 1.8) < 1e-9 && p.longestSeconds == 1.0)
        // Without the backchannel list, the customer's 0.4 s in 10–11 takes the floor.
        let strict = PauseSummary(withinTurnsOf: agent, other: customer, backchannels: [], holds: holds, settings: .standard)
        #expect(strict.items == [Segment(start: 2, end: 2.8)])
        // Mono: every gap but the hold's.
        let mono = PauseSummary(withinTurnsOf: agent, other: [], backchannels: [], holds: holds, settings: .standard)
        #expect(mono.items.count == 3)
    }

    /// End to end on a built call: the agent's within-turn pauses are the gap inside its first
    /// turn (0.7 s of its own room tone between two utterances), not the 3–4 s customer turn;
    /// `pauses` keeps every gap. Boundaries within 0.1 s (activity edges, docs/accuracy.md).
    @Test func builtCall() throws {
        let u = CallBuilder.levelledUtterances
        var b = CallBuilder()
        let firstEnd = b.place(u[0], onAgent: true, speechStart: 0.5)
        let secondStart = firstEnd + 0.7
        let agentEnd = b.place(u[4], onAgent: true, speechStart: secondStart)
        let customerEnd = b.place(u[2], onAgent: false, speechStart: agentEnd + 0.6)
        b.place(u[1], onAgent: true, speechStart: customerEnd + 0.5)
        let analysis = try CallAnalyzer.analyze(buffer: b.buffer())
        let agent = try #require(analysis.channels.first { $0.role == .agent })
        let within = try #require(agent.speech.withinTurnPauses)
        print("within-turn pauses: \(within.items); all pauses: \(agent.speech.pauses.items)")
        let inTurn = within.items.filter { abs($0.start - firstEnd) < 0.1 && abs($0.end - secondStart) < 0.1 }
        #expect(inTurn.count == 1)
        #expect(!within.items.contains { $0.start < customerEnd && $0.end > agentEnd + 0.6 })
        #expect(agent.speech.pauses.items.contains { $0.start < customerEnd && $0.end > agentEnd + 0.6 })
        #expect(within.items.allSatisfy { $0.end <= agentEnd + 0.1 || $0.start >= customerEnd })
    }

    /// devcall_mixed_03, agent channel: `pauses` spans the customer's turns and the 65 s music
    /// hold (mean 8.5 s, longest 65.6 s in issue 17); inside the agent's own turns the truth's
    /// longest gap between agent segments with no customer speech and no hold is under 3 s.
    @Test func mixedCallAgentPauses() throws {
        let analysis = try FixtureCallAnalyses.standard("devcall_mixed_03")
        let agent = try #require(analysis.channels.first { $0.role == .agent })
        let within = try #require(agent.speech.withinTurnPauses)
        print("devcall_mixed_03 agent: pauses \(agent.speech.pauses.count), mean \(agent.speech.pauses.meanSeconds ?? -1) s, longest \(agent.speech.pauses.longestSeconds ?? -1) s; within turns \(within.count), mean \(within.meanSeconds ?? -1) s, longest \(within.longestSeconds ?? -1) s")
        let truth = Fixtures.speechSegments(try Fixtures.truth("calls", "devcall_mixed_03"))
        let agentTruth = truth[0].map { Segment(start: $0.0, end: $0.1) }, customerTruth = truth[1].map { Segment(start: $0.0, end: $0.1) }
        let holds = (analysis.conversation?.holds ?? []).map { Segment(start: $0.start, end: $0.end) }
        let truthWithin = PauseSummary(withinTurnsOf: agentTruth, other: customerTruth, backchannels: [], holds: holds, settings: .standard)
        print("devcall_mixed_03 agent, on the true segments: within turns \(truthWithin.count), longest \(truthWithin.longestSeconds ?? -1) s")
        #expect((agent.speech.pauses.longestSeconds ?? 0) > 60)
        #expect((within.longestSeconds ?? 0) <= (truthWithin.longestSeconds ?? 0) + 0.3)
    }
}
