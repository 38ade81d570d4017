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
