import DSP

/// One party's input to the turn-taking analysis: its speech segments and its contours (for
/// ring-back tones and hold music, which are not speech).
public struct PartyInput: Sendable {
    public var segments: [Segment]
    public var contours: ChannelContours
    public init(segments: [Segment], contours: ChannelContours) {
        self.segments = segments
        self.contours = contours
    }
}

/// Turn-taking between agent and customer, from the two channels' speech activity.
///
/// Rules (constants in `TurnTakingSettings`):
/// - A *spurt* is one party's speech with gaps < `spurtBridgeSeconds` bridged.
/// - **Interruption** by B: B starts while A is speaking, A stops within `yieldWithinSeconds`
///   of B's start, the overlap lasts at least `minimumInterruptionOverlapSeconds`, and B goes on
///   after A stopped. This follows the conversation-analytic notion of simultaneous speech that
///   takes the floor before the current speaker's completion (glossary definition in NORMS
///   [N‑C10]) and the vendors' practice of judging interruptions by who yields (MiiTel's ≥ 1 s
///   covered speech [M2]). Overlap that ends in neither yielding is talk-over, not an interruption.
/// - **Backchannel** by B: a spurt shorter than `backchannelMaxSeconds` while A holds the floor
///   (A speaking at its start, or A speaking within 1 s before it and resuming under it or within
///   1 s after it, and no turn of B's — B's backchannels aside — ending within 1 s before it) that
///   does not make A yield — A going on within 1 s after it has not yielded, even if A paused
///   under it (feedback that does not claim the floor, Yngve 1970; Ward & Tsukahara 2000).
///   Backchannels are good listening (口头反应 "嗯","是的") and never interruptions [N‑C8]; nor is
///   A, resuming under B's backchannel, interrupting B.
/// - **Response latency**: each agent turn that follows customer speech (not a backchannel),
///   from the customer's end to the agent's start, when the two do not overlap.
/// - **Dead air**: both silent ≥ `deadAirSeconds` between the first and the last speech, outside
///   holds and ringing; **holds**: music or tone ≥ `musicHoldSeconds`, or silence ≥
///   `silentHoldSeconds`.
public enum TurnTaking {
    /// Shortest overlap that can be an interruption, seconds: overlaps at ordinary turn
    /// transitions are mostly a few hundred milliseconds (overlap durations are roughly
    /// log-normal, Laskowski, Heldner & Edlund 2012); project choice.
    public static let minimumInterruptionOverlapSeconds = 0.25

    public static func analyze(agent: PartyInput, customer: PartyInput?, durationSeconds: Double,
                               settings: TurnTakingSettings = .standard) -> Conversation {
        // Ring-back before the agent's first speech: tones are never speech.
        let firstAgentStart = agent.segments.first?.start
        let ringEnd = firstAgentStart ?? durationSeconds
        var rings: [Conversation.Ring] = []
        var ringBursts: [Segment] = []
        for (party, input) in [(Conversation.Party.agent, agent)] + (customer.map { [(.customer, $0)] } ?? []) {
            let bursts = RingbackDetector.toneBursts(input.contours, before: ringEnd)
            ringBursts += bursts
            rings += RingbackDetector.cycles(bursts).map { Conversation.Ring(start: $0.start, end: $0.end, channel: party) }
        }
        rings.sort { $0.start < $1.start }
        let agentSegments = removeTones(agent.segments, tones: ringBursts)
        let customerSegments = customer.map { removeTones($0.segments, tones: ringBursts) }

        let both = agentSegments + (customerSegments ?? [])
        let holds = HoldDetector.holds(speech: both, channels: [agent.contours] + (customer.map { [$0.contours] } ?? []),
                                       durationSeconds: durationSeconds, ringEnd: rings.isEmpty ? nil : ringEnd,
                                       settings: settings)
        let deadAir = deadAirSegments(speech: both, holds: holds, settings: settings)
        var conversation = Conversation(
            interruptions: nil, backchannels: nil, overlapSeconds: nil, agentTalkRatio: nil,
            speakerSwitchesPerMinute: nil, longestAgentMonologueSeconds: nil, responseLatency: nil,
            deadAir: deadAir, holds: holds, timeToAnswerSeconds: agentSegments.first?.start,
            ringCount: rings.isEmpty ? nil : rings.count, rings: rings.isEmpty ? nil : rings,
            silentCall: nil, notMeasurable: nil)

        guard let customerSegments else {
            let reason = "mono recording: needs agent and customer on separate channels"
            conversation.notMeasurable = Dictionary(uniqueKeysWithValues: [
                "interruptions", "backchannels", "overlapSeconds", "agentTalkRatio", "speakerSwitchesPerMinute",
                "longestAgentMonologueSeconds", "responseLatency", "silentCall"].map { ($0, reason) })
            return conversation
        }

        let agentSpurts = bridge(agentSegments, settings.spurtBridgeSeconds)
        let customerSpurts = bridge(customerSegments, settings.spurtBridgeSeconds)
        var agentRoles = classify(agentSpurts, against: customerSpurts, by: .agent, settings: settings)
        var customerRoles = classify(customerSpurts, against: agentSpurts, by: .customer, settings: settings)
        // Nobody is interrupted out of a backchannel: a speaker who goes on under the listener's
        // 嗯 (started in the speaker's pause) keeps the floor they had.
        agentRoles.interruptions.removeAll { startsInside(customerSpurts, customerRoles.isBackchannel, $0.time) }
        customerRoles.interruptions.removeAll { startsInside(agentSpurts, agentRoles.isBackchannel, $0.time) }
        conversation.interruptions = (agentRoles.interruptions + customerRoles.interruptions).sorted { $0.time < $1.time }
        conversation.backchannels = (agentRoles.backchannels + customerRoles.backchannels).sorted { $0.time < $1.time }

        conversation.overlapSeconds = overlapSeconds(agentSegments, customerSegments)
        let agentSpeech = agentSegments.reduce(0) { $0 + $1.durationSeconds }
        let customerSpeech = customerSegments.reduce(0) { $0 + $1.durationSeconds }
        conversation.agentTalkRatio = agentSpeech + customerSpeech > 0 ? agentSpeech / (agentSpeech + customerSpeech) : nil

        // Turns: spurts that are not backchannels, in time order.
        let agentTurns = zip(agentSpurts, agentRoles.isBackchannel).filter { !$0.1 }.map(\.0)
        let customerTurns = zip(customerSpurts, customerRoles.isBackchannel).filter { !$0.1 }.map(\.0)
        let turns = (agentTurns.map { ($0, Conversation.Party.agent) } + customerTurns.map { ($0, .customer) })
            .sorted { $0.0.start < $1.0.start }
        var switches = 0
        for (a, b) in zip(turns, turns.dropFirst()) where a.1 != b.1 { switches += 1 }
        if let first = turns.first?.0.start, let last = turns.map(\.0.end).max(), last - first > 0 {
            conversation.speakerSwitchesPerMinute = Double(switches) / ((last - first) / 60)
        }
        conversation.longestAgentMonologueSeconds = longestMonologue(agentTurns: agentTurns, customerTurns: customerTurns,
                                                                     settings: settings)
        conversation.responseLatency = responseLatency(agentTurns: agentTurns, customerTurns: customerTurns,
                                                       customerSpeech: customerSegments, holds: holds)
        if customerSegments.isEmpty {
            conversation.silentCall = silentCall(agentSegments: agentSegments, settings: settings)
        }
        return conversation
    }

    // MARK: - Rules

    struct Roles {
        var interruptions: [Conversation.Interruption] = []
        var backchannels: [Conversation.Backchannel] = []
        var isBackchannel: [Bool] = []
    }

    /// Classifies each spurt of party B against party A's spurts.
    static func classify(_ mine: [Segment], against other: [Segment], by party: Conversation.Party,
                         settings: TurnTakingSettings) -> Roles {
        var roles = Roles()
        roles.isBackchannel = [Bool](repeating: false, count: mine.count)
        for (i, b) in mine.enumerated() {
            let short = b.durationSeconds < settings.backchannelMaxSeconds
            if let a = other.first(where: { $0.start < b.start && $0.end > b.start }) {
                // B starts while A is speaking.
                let overlap = min(a.end, b.end) - b.start
                let aYields = a.end - b.start <= settings.yieldWithinSeconds && b.end > a.end
                    && !other.contains(where: { $0.start > a.end && $0.start < b.end })   // A does not resume while B talks
                // A short spurt after which A goes on within 1 s kept nobody from the floor: A only
                // paused under it (a listener's 嗯 lands at a pause of the speaker's turn), so it is
                // a backchannel, whatever the overlap — the same 1 s as for one in A's pause below.
                let aResumes = other.contains { $0.start >= b.end && $0.start - b.end < 1.0 }
                if aYields && overlap >= minimumInterruptionOverlapSeconds && !short {
                    roles.interruptions.append(.init(time: b.start, by: party, overlapSeconds: overlap,
                                                     interruptedStoppedAfterSeconds: a.end - b.start))
                } else if short && (!aYields || aResumes) {
                    roles.isBackchannel[i] = true
                    roles.backchannels.append(.init(time: b.start, by: party, durationSeconds: b.durationSeconds))
                } else if short && aYields {
                    // A short spurt that made A stop: an interruption if it overlapped enough.
                    if overlap >= minimumInterruptionOverlapSeconds {
                        roles.interruptions.append(.init(time: b.start, by: party, overlapSeconds: overlap,
                                                         interruptedStoppedAfterSeconds: a.end - b.start))
                    }
                }
            } else if short {
                // In a pause of A's turn: A spoke within 1 s before and resumes within 1 s after,
                // and B was not already talking.
                // A may resume under B's spurt (the usual overlap of a 嗯 in a pause): A's next spurt
                // starts after B's did and less than 1 s after B's ends.
                let before = other.contains { $0.end <= b.start && b.start - $0.end < 1.0 }
                let after = other.contains { $0.start > b.start && $0.start - b.end < 1.0 }
                // B was talking if a turn of B's (a spurt that is not a backchannel) ended within 1 s
                // before: a backchannel claims no floor (Yngve 1970; Ward & Tsukahara 2000), so B's
                // "mm … yeah" in A's turn is two backchannels, and A going on under the second is
                // within-speaker overlap (Heldner & Edlund 2010), not A interrupting B.
                let bWasTalking = mine[..<i].indices.reversed().prefix { b.start - mine[$0].end < 1.0 }
                    .contains { !roles.isBackchannel[$0] }
                if before && after && !bWasTalking {
                    roles.isBackchannel[i] = true
                    roles.backchannels.append(.init(time: b.start, by: party, durationSeconds: b.durationSeconds))
                }
            }
        }
        return roles
    }

    /// Whether `time` falls inside one of `spurts` flagged in `isBackchannel`.
    static func startsInside(_ spurts: [Segment], _ isBackchannel: [Bool], _ time: Double) -> Bool {
        zip(spurts, isBackchannel).contains { $0.1 && $0.0.start < time && $0.0.end > time }
    }

    static func responseLatency(agentTurns: [Segment], customerTurns: [Segment], customerSpeech: [Segment],
                                holds: [Conversation.Hold]) -> Conversation.ResponseLatency {
        var items: [Conversation.Latency] = []
        for a in agentTurns {
            guard let lastCustomerEnd = customerTurns.filter({ $0.end <= a.start }).map(\.end).max() else { continue }
            let lastAgentEnd = agentTurns.filter { $0.end <= a.start }.map(\.end).max() ?? -1
            guard lastCustomerEnd > lastAgentEnd else { continue }                      // the customer spoke last
            guard !customerSpeech.contains(where: { $0.start < a.start && $0.end > a.start }) else { continue }
            guard !holds.contains(where: { $0.start >= lastCustomerEnd && $0.end <= a.start }) else { continue }
            items.append(.init(customerEnd: lastCustomerEnd, agentStart: a.start, seconds: a.start - lastCustomerEnd))
        }
        let seconds = items.map(\.seconds)
        return .init(count: items.count, meanSeconds: Statistics.mean(seconds), medianSeconds: Statistics.median(seconds),
                     longestSeconds: seconds.max(), items: items)
    }

    static func longestMonologue(agentTurns: [Segment], customerTurns: [Segment], settings: TurnTakingSettings) -> Double? {
        guard !agentTurns.isEmpty else { return nil }
        var best = 0.0
        var start = agentTurns[0].start, end = agentTurns[0].end
        for a in agentTurns.dropFirst() {
            let customerInBetween = customerTurns.contains { $0.start < a.start && $0.end > end }
            if customerInBetween || a.start - end >= settings.deadAirSeconds {
                best = max(best, end - start)
                start = a.start
            }
            end = max(end, a.end)
        }
        return max(best, end - start)
    }

    static func silentCall(agentSegments: [Segment], settings: TurnTakingSettings) -> Conversation.SilentCall {
        let prompts = bridge(agentSegments, settings.promptGapSeconds)
        let gaps = zip(prompts, prompts.dropFirst()).map { a, b in
            Conversation.SilentCall.Gap(start: a.end, end: b.start, durationSeconds: b.start - a.end)
        }
        return .init(prompts: prompts, gaps: gaps)
    }

    // MARK: - Silences

    /// Mutual silences between the first and the last speech of the call.
    static func mutualSilences(_ speech: [Segment]) -> [Segment] {
        let union = bridge(speech.sorted { $0.start < $1.start }, 0)
        return zip(union, union.dropFirst()).map { Segment(start: $0.end, end: $1.start) }
    }

    static func deadAirSegments(speech: [Segment], holds: [Conversation.Hold], settings: TurnTakingSettings) -> [Segment] {
        var result: [Segment] = []
        for gap in mutualSilences(speech) {
            // Cut holds out of the silence; what remains long enough is dead air.
            var pieces = [gap]
            for h in holds {
                pieces = pieces.flatMap { p -> [Segment] in
                    guard p.overlapSeconds(with: Segment(start: h.start, end: h.end)) > 0 else { return [p] }
                    var parts: [Segment] = []
                    if h.start > p.start { parts.append(Segment(start: p.start, end: h.start)) }
                    if h.end < p.end { parts.append(Segment(start: h.end, end: p.end)) }
                    return parts
                }
            }
            result += pieces.filter { $0.durationSeconds >= settings.deadAirSeconds && $0.durationSeconds < settings.silentHoldSeconds }
        }
        return result
    }

    // MARK: - Helpers

    /// Merges segments whose gaps are shorter than `gapSeconds` (see `Segment.merged`).
    public static func bridge(_ segments: [Segment], _ gapSeconds: Double) -> [Segment] {
        Segment.merged(segments, gapShorterThan: gapSeconds)
    }

    static func overlapSeconds(_ a: [Segment], _ b: [Segment]) -> Double {
        var total = 0.0, j = 0
        for x in a {
            while j < b.count && b[j].end <= x.start { j += 1 }
            var k = j
            while k < b.count && b[k].start < x.end { total += x.overlapSeconds(with: b[k]); k += 1 }
        }
        return total
    }

    /// Drops speech segments that are mostly ring-back tone.
    static func removeTones(_ segments: [Segment], tones: [Segment]) -> [Segment] {
        guard !tones.isEmpty else { return segments }
        return segments.filter { s in
            let toneTime = tones.reduce(0) { $0 + s.overlapSeconds(with: $1) }
            return toneTime < 0.5 * s.durationSeconds
        }
    }
}
