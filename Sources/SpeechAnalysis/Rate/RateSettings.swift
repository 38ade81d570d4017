/// The language a channel speaks, which sets the unit its rate norms use: Mandarin norms count
/// characters (= syllables), Japanese norms count morae, English norms count syllables.
public enum SpeechLanguage: String, Sendable, Codable, Equatable, CaseIterable {
    case zh, ja, en
}

/// Settings of the syllable-nucleus detector and the rate measures (see `SyllableNuclei`).
public struct RateSettings: Sendable, Codable, Equatable {
    /// Language of the speaker (zh | ja | en; default zh). With `ja` the measures add morae.
    public var language: SpeechLanguage
    /// Smallest dip of the nucleus envelope between two nuclei, dB (0.5…6; default 1.5).
    /// de Jong & Wempe (2009) use 2 dB on Praat's intensity; the band-correlation envelope has
    /// deeper consonant dips but shallower vowel-glide dips, so a little less suffices.
    public var minimumDipDB: Double
    /// Nuclei must reach the 99th percentile of the envelope in speech minus this, dB
    /// (10…40; default 25, de Jong & Wempe 2009's "silence threshold" relative to the 99th percentile).
    public var thresholdBelowPercentile99DB: Double
    /// Closest two nuclei may be, seconds (0.03…0.15; default 0.06: 16 syllables per second,
    /// above the fastest Japanese mora rates of about 10 per second).
    public var minimumNucleusSpacingSeconds: Double
    /// Standard deviation of the Gaussian that smooths the envelope, seconds (0.005…0.04;
    /// default 0.015: removes pitch-period and frame ripple, keeps 8 Hz syllable modulation).
    /// The widest smoothing: a fast speaker's channel is smoothed less, in proportion to its
    /// median nucleus interval (`SyllableNuclei`, analysisVersion 4).
    public var smoothingSeconds: Double

    public static let standard = try! RateSettings()

    public init(language: SpeechLanguage = .zh, minimumDipDB: Double = 1.5,
                thresholdBelowPercentile99DB: Double = 25, minimumNucleusSpacingSeconds: Double = 0.06,
                smoothingSeconds: Double = 0.015) throws {
        try SettingsError.check("minimumDipDB", minimumDipDB, in: 0.5...6)
        try SettingsError.check("thresholdBelowPercentile99DB", thresholdBelowPercentile99DB, in: 10...40)
        try SettingsError.check("minimumNucleusSpacingSeconds", minimumNucleusSpacingSeconds, in: 0.03...0.15)
        try SettingsError.check("smoothingSeconds", smoothingSeconds, in: 0.005...0.04)
        self.language = language
        self.minimumDipDB = minimumDipDB
        self.thresholdBelowPercentile99DB = thresholdBelowPercentile99DB
        self.minimumNucleusSpacingSeconds = minimumNucleusSpacingSeconds
        self.smoothingSeconds = smoothingSeconds
    }
}
