import DSP

extension Conversation {
    /// Fixed precision for the report.
    public func rounded() -> Conversation {
        var c = self
        let s = Rounding.seconds
        c.interruptions = interruptions?.map { .init(time: s($0.time), by: $0.by, overlapSeconds: s($0.overlapSeconds),
                                                     interruptedStoppedAfterSeconds: s($0.interruptedStoppedAfterSeconds)) }
        c.backchannels = backchannels?.map { .init(time: s($0.time), by: $0.by, durationSeconds: s($0.durationSeconds)) }
        c.overlapSeconds = overlapSeconds.map(s)
        c.agentTalkRatio = agentTalkRatio.map(Rounding.ratio)
        c.speakerSwitchesPerMinute = speakerSwitchesPerMinute.map { Rounding.round($0, scale: 100) }
        c.longestAgentMonologueSeconds = longestAgentMonologueSeconds.map(s)
        if var r = responseLatency {
            r.meanSeconds = r.meanSeconds.map(s); r.medianSeconds = r.medianSeconds.map(s); r.longestSeconds = r.longestSeconds.map(s)
            r.items = r.items.map { .init(customerEnd: s($0.customerEnd), agentStart: s($0.agentStart), seconds: s($0.seconds)) }
            c.responseLatency = r
        }
        c.deadAir = deadAir.map(Rounding.segment)
        c.holds = holds.map { .init(start: s($0.start), end: s($0.end), kind: $0.kind) }
        c.timeToAnswerSeconds = timeToAnswerSeconds.map(s)
        c.rings = rings?.map { .init(start: s($0.start), end: s($0.end), channel: $0.channel) }
        if var sc = silentCall {
            sc.prompts = sc.prompts.map(Rounding.segment)
            sc.gaps = sc.gaps.map { .init(start: s($0.start), end: s($0.end), durationSeconds: s($0.durationSeconds)) }
            c.silentCall = sc
        }
        return c
    }
}

