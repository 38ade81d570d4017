import DSP
import Testing
import TestSupport
@testable import SpeechAnalysis

/// The turn-taking rules on segment lists with known answers (no audio): each rule's edges.
struct TurnTakingRuleTests {
    /// Silent contours long enough for `seconds` (no tones, no music).
    static func quietContours(seconds: Double) -> ChannelContours {
        let fe = ChannelFrontEnd(sampleRateHz: 8000)
        fe.consume(Synth.whiteNoise(durationSeconds: seconds, sampleRateHz: 8000, rms: 1e-4, seed: 1))
        return fe.finish()
    }
    static let quiet = quietContours(seconds: 200)

    static func run(agent: [(Double, Double)], customer: [(Double, Double)]?) -> Conversation {
        TurnTaking.analyze(agent: PartyInput(segments: agent.map { Segment(start: $0.0, end: $0.1) }, contours: quiet),
                           customer: customer.map { PartyInput(segments: $0.map { Segment(start: $0.0, end: $0.1) }, contours: quiet) },
                           durationSeconds: 200)
    }

    @Test(arguments: [0.3, 0.5, 0.8, 0.95])
    func customerYieldingWithinOneSecondIsInterrupted(yieldSeconds: Double) throws {
        // Customer talks 10–16 s; the agent starts at 12 s and talks 3 s; the customer stops `yield` later.
        let c = Self.run(agent: [(2, 8), (12, 15)], customer: [(10, 12 + yieldSeconds)])
        let i = try #require(c.interruptions?.first)
        #expect(c.interruptions?.count == 1)
        #expect(i.by == .agent)
        #expect(abs(i.time - 12) < 1e-9)
        #expect(abs(i.interruptedStoppedAfterSeconds - yieldSeconds) < 1e-9)
        #expect(abs(i.overlapSeconds - yieldSeconds) < 1e-9)
        #expect(c.backchannels?.isEmpty == true)
    }

    @Test(arguments: [1.2, 1.5, 3.0])
    func customerGoingOnPastOneSecondIsTalkOverNotInterruption(yieldSeconds: Double) {
        let c = Self.run(agent: [(2, 8), (12, 16)], customer: [(10, 12 + yieldSeconds)])
        #expect(c.interruptions?.isEmpty == true)
        #expect(abs((c.overlapSeconds ?? 0) - yieldSeconds) < 1e-9)
    }

    @Test(arguments: [0.3, 0.6, 0.9])
    func shortVocalisationInsideCustomerTurnIsBackchannel(durationSeconds: Double) throws {
        let c = Self.run(agent: [(2, 8), (13, 13 + durationSeconds), (20, 24)], customer: [(10, 19)])
        let b = try #require(c.backchannels?.first)
        #expect(b.by == .agent)
        #expect(abs(b.time - 13) < 1e-9 && abs(b.durationSeconds - durationSeconds) < 1e-9)
        #expect(c.interruptions?.isEmpty == true)
    }

    @Test(arguments: [1.2, 2.0])
    func longerVocalisationIsNotBackchannel(durationSeconds: Double) {
        let c = Self.run(agent: [(2, 8), (13, 13 + durationSeconds), (20, 24)], customer: [(10, 19)])
        #expect(c.backchannels?.isEmpty == true)
    }

    @Test func backchannelInCustomersPauseCounts() {
        // Customer pauses 13.0–13.8 s; the agent says "mm" 13.2–13.6 s.
        let c = Self.run(agent: [(2, 8), (13.2, 13.6), (20, 24)], customer: [(10, 13), (13.8, 19)])
        #expect(c.backchannels?.count == 1)
        #expect(c.interruptions?.isEmpty == true)
    }

    /// The agent's "mm" starts in the customer's pause and the customer goes on while it lasts
    /// (`resumeAfterStart` into it): a backchannel, and the customer, going on, interrupts nobody.
    /// The old rule wanted the customer to resume after the "mm": it found no backchannel, and
    /// with an overlap ≥ 0.25 s counted the customer's going on as an interruption of the agent.
    @Test(arguments: [0.05, 0.15, 0.3])
    func speakerResumingUnderBackchannelKeepsTheFloor(resumeAfterStart: Double) {
        // Customer pauses 12.6–(13.0 + resume) s; the agent says "mm" 13.0–13.6 s (bridged to one spurt).
        let c = Self.run(agent: [(2, 8), (13.0, 13.6), (22, 26)], customer: [(10, 12.6), (13.0 + resumeAfterStart, 20)])
        #expect(c.backchannels?.map(\.time) == [13.0])
        #expect(c.interruptions?.isEmpty == true)
    }

    /// Two backchannels in a row ("mm … yeah"): the agent's first, `firstSeconds` long, lies in the
    /// customer's speech; the second starts in the customer's pause `gapSeconds` after the first
    /// ended, and the customer goes on under it. The first does not make the agent "already
    /// talking": a backchannel claims no floor. The old rule counted any of the agent's speech
    /// within 1 s before as talking, so the second was no backchannel and the customer's going on
    /// (overlap 0.4 s) was counted as the customer interrupting the agent.
    @Test(arguments: [(0.15, 0.35), (0.3, 0.6), (0.8, 0.9)])
    func backchannelAfterBackchannelKeepsTheSpeakersFloor(firstSeconds: Double, gapSeconds: Double) {
        let second = 12.6 + firstSeconds + gapSeconds
        let c = Self.run(agent: [(2, 8), (12.6, 12.6 + firstSeconds), (second, second + 0.5), (25, 28)],
                         customer: [(10, second - 0.4), (second + 0.1, 20)])
        #expect(c.backchannels?.map(\.time) == [12.6, second])
        #expect(c.interruptions?.isEmpty == true)
    }

    /// The agent's earlier speech was a turn (talk-over, 1.5 s, not a backchannel): the agent was
    /// talking, and a short spurt in the customer's pause 0.6 s after it is no backchannel; the
    /// customer going on under it (overlap 0.4 s) takes the floor back, as before.
    @Test func spurtAfterTheAgentsOwnTurnIsNoBackchannel() throws {
        let c = Self.run(agent: [(2, 8), (11, 12.5), (13.1, 13.6), (25, 28)], customer: [(10, 12.7), (13.2, 20)])
        #expect(c.backchannels?.isEmpty == true)
        let i = try #require(c.interruptions?.first)
        #expect(c.interruptions?.count == 1 && i.by == .customer && abs(i.time - 13.2) < 1e-9)
    }

    /// The customer pauses under the agent's "mm" (overlap 0.3 s, over the 0.25 s floor) and goes on
    /// `resumeSeconds` after it: the customer kept the floor, so it is a backchannel. Going on later
    /// than 1 s, the customer has yielded to a short spurt that overlapped enough: an interruption.
    @Test(arguments: [(0.2, true), (0.5, true), (0.9, true), (1.2, false), (2.0, false)])
    func shortSpurtTheSpeakerTalksOnAfterIsBackchannel(resumeSeconds: Double, backchannel: Bool) throws {
        let c = Self.run(agent: [(2, 8), (13.0, 13.45), (25, 28)], customer: [(10, 13.3), (13.45 + resumeSeconds, 19)])
        if backchannel {
            let b = try #require(c.backchannels?.first)
            #expect(b.by == .agent && abs(b.time - 13) < 1e-9)
            #expect(c.interruptions?.isEmpty == true)
        } else {
            let i = try #require(c.interruptions?.first)
            #expect(i.by == .agent && abs(i.time - 13) < 1e-9 && abs(i.overlapSeconds - 0.3) < 1e-9)
            #expect(c.backchannels?.isEmpty == true)
        }
    }

    @Test func customerInterruptingAgentIsCustomersInterruption() throws {
        let c = Self.run(agent: [(2, 10.7)], customer: [(10, 15)])
        let i = try #require(c.interruptions?.first)
        #expect(i.by == .customer)
        #expect(abs(i.interruptedStoppedAfterSeconds - 0.7) < 1e-9)
    }

    @Test func shortTransitionOverlapIsNotInterruption() {
        // The agent starts 0.15 s before the customer's natural end: an ordinary turn transition.
        let c = Self.run(agent: [(2, 8), (11.85, 15)], customer: [(9, 12)])
        #expect(c.interruptions?.isEmpty == true)
    }

    @Test func responseLatencyFollowsCustomerTurns() throws {
        let c = Self.run(agent: [(1, 4), (6.5, 9), (14, 16)], customer: [(5, 6), (10, 12.5)])
        let r = try #require(c.responseLatency)
        #expect(r.count == 2)
        #expect(abs(r.items[0].seconds - 0.5) < 1e-9 && abs(r.items[1].seconds - 1.5) < 1e-9)
        #expect(abs((r.meanSeconds ?? 0) - 1.0) < 1e-9)
        #expect(abs((r.longestSeconds ?? 0) - 1.5) < 1e-9)
    }

    @Test(arguments: [2.9, 3.1, 10.0, 59.0])
    func deadAirFromThreeSeconds(gapSeconds: Double) {
        let c = Self.run(agent: [(1, 4)], customer: [(4 + gapSeconds, 8 + gapSeconds)])
        if gapSeconds >= 3 {
            #expect(c.deadAir == [Segment(start: 4, end: 4 + gapSeconds)])
        } else {
            #expect(c.deadAir.isEmpty)
        }
        #expect(c.holds.isEmpty)
    }

    @Test func silenceOfAMinuteOrMoreIsAHoldNotDeadAir() {
        let c = Self.run(agent: [(1, 4), (70, 75)], customer: [(5, 8)])
        #expect(c.deadAir.isEmpty)
        #expect(c.holds == [Conversation.Hold(start: 8, end: 70, kind: .silence)])
    }

    @Test func monologueEndsWhenCustomerSpeaks() throws {
        let c = Self.run(agent: [(1, 5), (5.5, 12), (12.4, 20), (25, 27)], customer: [(21, 24)])
        #expect(abs((c.longestAgentMonologueSeconds ?? 0) - 19) < 1e-9)
        #expect(c.timeToAnswerSeconds == 1)
        #expect(abs((c.agentTalkRatio ?? 0) - 20.1 / 23.1) < 1e-9)   // 20.1 s agent, 3 s customer
    }

    @Test func monoRecordingNamesWhatIsNotMeasurable() {
        let c = Self.run(agent: [(1, 4), (10, 12)], customer: nil)
        #expect(c.interruptions == nil)
        #expect(c.notMeasurable?["interruptions"]?.contains("mono") == true)
        #expect(c.deadAir == [Segment(start: 4, end: 10)])
    }

    @Test func silentCallListsPromptsAndGaps() throws {
        let c = Self.run(agent: [(0.8, 4.8), (5.1, 8.9), (12.4, 15.9), (16.2, 22.0), (24.0, 27.8), (28.1, 33.9)], customer: [])
        let s = try #require(c.silentCall)
        #expect(s.prompts.count == 3)
        #expect(s.gaps.map { ($0.durationSeconds * 10).rounded() / 10 } == [3.5, 2.0])
    }

    @Test func timeShiftMovesEveryEvent() throws {
        let a = Self.run(agent: [(2, 8), (12, 15)], customer: [(10, 12.6)])
        let b = Self.run(agent: [(7, 13), (17, 20)], customer: [(15, 17.6)])
        #expect(abs(try #require(b.interruptions?.first).time - (try #require(a.interruptions?.first).time + 5)) < 1e-9)
    }

    @Test func swappingChannelsSwapsRoles() throws {
        let a = Self.run(agent: [(2, 8), (12, 15)], customer: [(10, 12.6)])
        let b = Self.run(agent: [(10, 12.6)], customer: [(2, 8), (12, 15)])
        #expect(try #require(a.interruptions?.first).by == .agent)
        #expect(try #require(b.interruptions?.first).by == .customer)
    }
}
