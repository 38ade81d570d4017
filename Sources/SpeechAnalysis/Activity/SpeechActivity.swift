import DSP

/// Settings of the speech-activity detector.
public struct SpeechActivitySettings: Sendable, Codable, Equatable {
    /// Shortest speech segment kept, seconds (0.02…0.5; default 0.1: shorter bursts are clicks).
    public var minimumSpeechSeconds: Double
    /// Gaps shorter than this inside speech are bridged, seconds (0…0.2; default 0.08, below the
    /// 0.1–0.15 s shortest pauses annotated in the fixtures).
    public var bridgeGapSeconds: Double

    public static let standard = try! SpeechActivitySettings()
    public init(minimumSpeechSeconds: Double = 0.1, bridgeGapSeconds: Double = 0.08) throws {
        try SettingsError.check("minimumSpeechSeconds", minimumSpeechSeconds, in: 0.02...0.5)
        try SettingsError.check("bridgeGapSeconds", bridgeGapSeconds, in: 0...0.2)
        self.minimumSpeechSeconds = minimumSpeechSeconds
        self.bridgeGapSeconds = bridgeGapSeconds
    }
}

/// Speech activity of one channel: a per-frame decision and the speech segments.
public struct SpeechActivity: Sendable {
    public var timeBase: TimeBase
    public var isSpeech: [Bool]
    public var segments: [Segment]

    public var speechSeconds: Double { segments.reduce(0) { $0 + $1.durationSeconds } }
}

public enum SpeechActivityDetector {
    /// Placeholder detector: per-band noise floor as the 10th percentile of the band's level,
    /// a frame is speech when its bands stand on average > 6 dB above their floors.
    public static func detect(_ contours: ChannelContours, settings: SpeechActivitySettings = .standard) -> SpeechActivity {
        let n = contours.frameCount, bands = AnalysisBands.count
        var floors = [Float](repeating: 0, count: bands)
        for b in 0..<bands {
            var v = (0..<n).map { Double(contours.bandLevelDB(frame: $0, band: b)) }
            v.sort()
            floors[b] = Float(Statistics.percentile(sorted: v, 10) ?? -120)
        }
        var mask = [Bool](repeating: false, count: n)
        for i in 0..<n {
            var s: Float = 0
            for b in 0..<bands { s += max(0, contours.bandLevelDB(frame: i, band: b) - floors[b]) }
            mask[i] = s / Float(bands) > 6 && contours.levelDB[i] > -70
        }
        let hop = contours.timeBase.hopSeconds
        FrameRuns.closeGaps(&mask, maxGapFrames: Int(settings.bridgeGapSeconds / hop))
        FrameRuns.dropShortRuns(&mask, minFrames: Int((settings.minimumSpeechSeconds / hop).rounded()))
        return SpeechActivity(timeBase: contours.timeBase, isSpeech: mask,
                              segments: FrameRuns.segments(mask, timeBase: contours.timeBase))
    }
}
