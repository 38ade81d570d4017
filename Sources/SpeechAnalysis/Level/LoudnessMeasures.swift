/// Calibrated levels of one channel, each channel measured as its own mono signal (no dual-mono
/// +3 dB). Optional values are nil (omitted from JSON) when the audio cannot show them.
/// Rounded for the report: dB/LU to 0.001, ratios to 1e-6.
public struct LoudnessMeasures: Codable, Sendable, Equatable {
    /// ITU-R BS.1770-4 integrated (gated) loudness, LUFS; nil when no 400 ms block is above −70 LUFS.
    public var integratedLUFS: Double?
    /// EBU Tech 3342 loudness range, LU; nil with fewer than two gated 3 s windows.
    public var loudnessRangeLU: Double?
    /// BS.1770-4 Annex 2 true peak (4× oversampled), dBTP; nil for digital silence.
    public var truePeakDBTP: Double?
    /// Largest sample magnitude, dBFS (20·log10|x|, 0 = full scale); nil for digital silence.
    public var samplePeakDBFS: Double?
    /// ITU-T P.56 method B active speech level, dBov (0 dBov = full-scale square wave, so a
    /// full-scale sine is −3.01 dBov); nil when P.56 finds no activity.
    public var activeSpeechLevelDBov: Double?
    /// P.56 activity factor, 0…1 (0 when nothing is active).
    public var activityFactor: Double
    /// P.56 active speech level of the first, middle and last third of the recording, dBov
    /// (thirds rounded to whole seconds); null where a third has no activity; empty under 3 s.
    public var activeSpeechLevelByThirdDBov: [Double?]
    /// Mean level of the non-speech parts (away from the speech segments), dBFS on the
    /// mean-square convention (full-scale sine −3.01 dB); nil without non-speech time or for silence.
    public var noiseFloorDBFS: Double?
    /// Speech power over the speech segments (noise removed) over the noise floor, dB; nil
    /// without speech segments or non-speech time.
    public var snrDB: Double?
    /// Samples in runs of ≥ 3 within 0.1 dB of full scale, over the speech samples (speech
    /// segments, else P.56 active samples); nil when there is no speech.
    public var clippedSampleRatio: Double?
    /// Mean sample value (−1…1).
    public var dcOffset: Double
    /// Short-term (3 s, BS.1770) loudness once per second, LUFS: value i is centred on second i
    /// ([i−1, i+2) s); null below −70 LUFS. Reports include it only on request (`--series`).
    public var shortTermLoudnessLUFS: [Double?]?

    public init(integratedLUFS: Double? = nil, loudnessRangeLU: Double? = nil, truePeakDBTP: Double? = nil,
                samplePeakDBFS: Double? = nil, activeSpeechLevelDBov: Double? = nil, activityFactor: Double = 0,
                activeSpeechLevelByThirdDBov: [Double?] = [], noiseFloorDBFS: Double? = nil, snrDB: Double? = nil,
                clippedSampleRatio: Double? = nil, dcOffset: Double = 0, shortTermLoudnessLUFS: [Double?]? = nil) {
        self.integratedLUFS = integratedLUFS
        self.loudnessRangeLU = loudnessRangeLU
        self.truePeakDBTP = truePeakDBTP
        self.samplePeakDBFS = samplePeakDBFS
        self.activeSpeechLevelDBov = activeSpeechLevelDBov
        self.activityFactor = activityFactor
        self.activeSpeechLevelByThirdDBov = activeSpeechLevelByThirdDBov
        self.noiseFloorDBFS = noiseFloorDBFS
        self.snrDB = snrDB
        self.clippedSampleRatio = clippedSampleRatio
        self.dcOffset = dcOffset
        self.shortTermLoudnessLUFS = shortTermLoudnessLUFS
    }

    /// The same measures without the per-second series (what the JSON report shows by default).
    public var withoutSeries: LoudnessMeasures {
        var m = self
        m.shortTermLoudnessLUFS = nil
        return m
    }
}

/// Settings of the level meter.
public struct LevelSettings: Sendable, Codable, Equatable {
    /// Distance from any speech segment a 10 ms block needs to count as noise, seconds (0…1;
    /// default 0.1: covers the ±50–80 ms uncertainty of segment edges and speech onsets/decays).
    public var noiseGuardSeconds: Double
    /// Noise blocks more than this above the median noise block are left out of the noise floor,
    /// dB (3…40; default 10: stationary noise never reaches it, tones and clicks do).
    public var noiseOutlierDB: Double

    public static let standard = try! LevelSettings()
    public init(noiseGuardSeconds: Double = 0.1, noiseOutlierDB: Double = 10) throws {
        try SettingsError.check("noiseGuardSeconds", noiseGuardSeconds, in: 0...1)
        try SettingsError.check("noiseOutlierDB", noiseOutlierDB, in: 3...40)
        self.noiseGuardSeconds = noiseGuardSeconds
        self.noiseOutlierDB = noiseOutlierDB
    }
}
