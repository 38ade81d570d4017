/// Silent pauses of one channel: gaps between its speech segments, from its first to its
/// last speech, at least `minimumPauseSeconds` long.
///
/// The 0.25 s default follows Goldman-Eisler's cut-off between articulatory and hesitation
/// pauses, the most used in pause research (see de Jong & Bosker 2013, DiSS, on the choice).
public struct PauseSettings: Sendable, Codable, Equatable {
    /// Shortest silence counted as a pause, in seconds (0.05…2.0; default 0.25).
    public var minimumPauseSeconds: Double
    public static let standard = try! PauseSettings()
    public init(minimumPauseSeconds: Double = 0.25) throws {
        try SettingsError.check("minimumPauseSeconds", minimumPauseSeconds, in: 0.05...2.0)
        self.minimumPauseSeconds = minimumPauseSeconds
    }
}

public struct PauseSummary: Sendable, Codable, Equatable {
    public var count: Int
    public var meanSeconds: Double?
    public var longestSeconds: Double?
    public var totalSeconds: Double
    public var items: [Segment]

    public init(speech: [Segment], settings: PauseSettings) {
        let gaps = zip(speech, speech.dropFirst()).compactMap { a, b -> Segment? in
            b.start - a.end >= settings.minimumPauseSeconds ? Segment(start: a.end, end: b.start) : nil
        }
        items = gaps
        count = gaps.count
        totalSeconds = gaps.reduce(0) { $0 + $1.durationSeconds }
        meanSeconds = gaps.isEmpty ? nil : totalSeconds / Double(gaps.count)
        longestSeconds = gaps.map(\.durationSeconds).max()
    }
}

extension PauseSummary {
    /// Pauses inside a party's own turns: the gaps between its speech segments (at least
    /// `minimumPauseSeconds`, as for `init(speech:settings:)`) in which the other party does not
    /// take the floor and the line is not on hold. A gap in which the other party speaks is a
    /// turn change, not a pause (the wait before the next turn is response latency), unless all
    /// the other says there is backchannel ("嗯", "是的", which leaves the floor with the
    /// speaker); a gap that overlaps a hold is the hold. The guideline 运用短句并注意停顿 asks
    /// about the pauses a speaker makes while holding the floor (GUIDELINES.md short-sentences).
    ///
    /// - Parameters:
    ///   - speech: this party's speech segments, ascending.
    ///   - other: the other party's speech segments (empty on a mono recording).
    ///   - backchannels: the other party's backchannels, seconds (their segments do not end a turn).
    ///   - holds: holds of the call, seconds.
    public init(withinTurnsOf speech: [Segment], other: [Segment], backchannels: [Segment], holds: [Segment],
                settings: PauseSettings) {
        let floorTaking = other.filter { s in
            !backchannels.contains { $0.start < s.end && s.start < $0.end }
        }
        var kept: [Segment] = []
        var k = 0  // first floor-taking segment that may reach the current gap
        for (a, b) in zip(speech, speech.dropFirst()) where b.start - a.end >= settings.minimumPauseSeconds {
            let gap = Segment(start: a.end, end: b.start)
            while k < floorTaking.count && floorTaking[k].end <= gap.start { k += 1 }
            let otherSpeaks = k < floorTaking.count && floorTaking[k].start < gap.end
            let onHold = holds.contains { $0.start < gap.end && gap.start < $0.end }
            if !otherSpeaks && !onHold { kept.append(gap) }
        }
        items = kept
        count = kept.count
        totalSeconds = kept.reduce(0) { $0 + $1.durationSeconds }
        meanSeconds = kept.isEmpty ? nil : totalSeconds / Double(kept.count)
        longestSeconds = kept.map(\.durationSeconds).max()
    }
}
