/// Settings of the autocorrelation pitch tracker (`PitchTracker`). Defaults are Praat's
/// `To Pitch (ac)` defaults (Boersma 1993; Praat 6.1 manual, "Sound: To Pitch (ac)..."), except
/// the floor, which is 50 Hz so low male voices are reached.
public struct PitchSettings: Sendable, Codable, Equatable {
    /// Lowest F0 searched, Hz (30…200; default 50, below the lowest modal male voices). Must not be
    /// below the front end's `lowestF0Hz`, which sizes the FFT so that lag does not wrap around.
    public var minimumF0Hz: Double
    /// Highest F0 searched, Hz (at least twice the minimum, ≤ 1000; default 600: high female and
    /// child voices, Praat's default ceiling).
    public var maximumF0Hz: Double
    /// Normalised autocorrelation a frame's best candidate must beat to be called voiced (0.1…0.9;
    /// default 0.45, Boersma 1993's VoicingThreshold).
    public var voicingThreshold: Double
    /// Frames whose RMS is below this ratio of the channel's loud-frame RMS lean towards unvoiced
    /// (0…0.3; default 0.03, Boersma 1993's SilenceThreshold; ours compares frame RMS with the 99th
    /// percentile of frame RMS instead of absolute peaks, so one click cannot silence a call).
    public var silenceThreshold: Double
    /// Bonus per octave for higher candidates, against sub-harmonic errors (0…0.2; default 0.01,
    /// Boersma 1993's OctaveCost).
    public var octaveCost: Double
    /// Path cost per octave of F0 change between consecutive 10 ms frames (0…2; default 0.35,
    /// Boersma 1993's OctaveJumpCost); scaled by 10 ms / hop as in Praat.
    public var octaveJumpCost: Double
    /// Path cost of a voiced ↔ unvoiced transition (0…2; default 0.14, Boersma 1993's
    /// VoicedUnvoicedCost); scaled by 10 ms / hop as in Praat.
    public var voicedUnvoicedCost: Double
    /// Second-pass cost per octave for candidates outside the speaker's range (0.75·q25 … 1.5·q75 of
    /// the first pass; Hirst 2011), 0…5; default 1.0; 0 turns the second pass off. Octave errors on
    /// telephone speech sit an octave outside that range, real F0 rarely does.
    public var speakerRangeCost: Double

    public static let standard = try! PitchSettings()

    public init(minimumF0Hz: Double = 50, maximumF0Hz: Double = 600, voicingThreshold: Double = 0.45,
                silenceThreshold: Double = 0.03, octaveCost: Double = 0.01, octaveJumpCost: Double = 0.35,
                voicedUnvoicedCost: Double = 0.14, speakerRangeCost: Double = 1.0) throws {
        try SettingsError.check("minimumF0Hz", minimumF0Hz, in: 30...200)
        try SettingsError.check("maximumF0Hz", maximumF0Hz, in: (2 * minimumF0Hz)...1000)
        try SettingsError.check("voicingThreshold", voicingThreshold, in: 0.1...0.9)
        try SettingsError.check("silenceThreshold", silenceThreshold, in: 0...0.3)
        try SettingsError.check("octaveCost", octaveCost, in: 0...0.2)
        try SettingsError.check("octaveJumpCost", octaveJumpCost, in: 0...2)
        try SettingsError.check("voicedUnvoicedCost", voicedUnvoicedCost, in: 0...2)
        self.minimumF0Hz = minimumF0Hz
        self.maximumF0Hz = maximumF0Hz
        self.voicingThreshold = voicingThreshold
        self.silenceThreshold = silenceThreshold
        self.octaveCost = octaveCost
        self.octaveJumpCost = octaveJumpCost
        try SettingsError.check("speakerRangeCost", speakerRangeCost, in: 0...5)
        self.voicedUnvoicedCost = voicedUnvoicedCost
        self.speakerRangeCost = speakerRangeCost
    }
}
