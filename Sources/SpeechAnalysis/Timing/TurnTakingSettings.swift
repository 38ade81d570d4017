/// Constants of the turn-taking rules. Each default cites where it comes from; where no published
/// number exists the value is a project choice and says so.
public struct TurnTakingSettings: Sendable, Codable, Equatable {
    /// Longest vocalisation that can be a backchannel, seconds (0.3…3; default 1.0: the
    /// guidelines' "short verbal responses" 嗯/是的 and the fixtures' definition, < 1 s).
    public var backchannelMaxSeconds: Double
    /// An interrupted speaker must stop within this time after the other starts, seconds
    /// (0.2…3; default 1.0, "the other yields within about 1 s"; MiiTel counts overlaps ≥ 1 s).
    public var yieldWithinSeconds: Double
    /// Gaps shorter than this inside one party's speech belong to the same spurt for turn-taking,
    /// seconds (0…1; default 0.3, project choice just above the 0.25 s pause cut-off).
    public var spurtBridgeSeconds: Double
    /// Both parties silent at least this long is dead air, seconds (1…30; default 3: Amazon
    /// Contact Lens counts non-talk time from 3 s; MiiTel's silence is ≥ 3 s).
    public var deadAirSeconds: Double
    /// Silence at least this long is a hold rather than dead air, seconds (10…600; default 60:
    /// the fixtures label 3–60 s silences as dead air and longer ones as holds; project choice).
    public var silentHoldSeconds: Double
    /// Music or tone at least this long is a hold, seconds (3…120; default 10, project choice).
    public var musicHoldSeconds: Double
    /// Agent prompts of a silent call are separated by silences at least this long, seconds
    /// (0.5…5; default 1.5: the documents' script waits ~3 s, then ~2 s; project choice).
    public var promptGapSeconds: Double

    public static let standard = try! TurnTakingSettings()

    public init(backchannelMaxSeconds: Double = 1.0, yieldWithinSeconds: Double = 1.0,
                spurtBridgeSeconds: Double = 0.3, deadAirSeconds: Double = 3.0,
                silentHoldSeconds: Double = 60, musicHoldSeconds: Double = 10,
                promptGapSeconds: Double = 1.5) throws {
        try SettingsError.check("backchannelMaxSeconds", backchannelMaxSeconds, in: 0.3...3)
        try SettingsError.check("yieldWithinSeconds", yieldWithinSeconds, in: 0.2...3)
        try SettingsError.check("spurtBridgeSeconds", spurtBridgeSeconds, in: 0...1)
        try SettingsError.check("deadAirSeconds", deadAirSeconds, in: 1...30)
        try SettingsError.check("silentHoldSeconds", silentHoldSeconds, in: 10...600)
        try SettingsError.check("musicHoldSeconds", musicHoldSeconds, in: 3...120)
        try SettingsError.check("promptGapSeconds", promptGapSeconds, in: 0.5...5)
        self.backchannelMaxSeconds = backchannelMaxSeconds
        self.yieldWithinSeconds = yieldWithinSeconds
        self.spurtBridgeSeconds = spurtBridgeSeconds
        self.deadAirSeconds = deadAirSeconds
        self.silentHoldSeconds = silentHoldSeconds
        self.musicHoldSeconds = musicHoldSeconds
        self.promptGapSeconds = promptGapSeconds
    }
}
