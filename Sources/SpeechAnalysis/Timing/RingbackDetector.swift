import DSP

/// Ring-back tone before the agent answers. National cadences (ITU-T E.180 and its Supplement 2):
/// China 450 Hz 1 s on / 4 s off; Japan 400 Hz modulated at 15–20 Hz, 1 s on / 2 s off; North
/// America 440 + 480 Hz 2 s on / 4 s off; UK 400 + 450 Hz 0.4/0.2/0.4 on-off-on, 2 s off.
/// All lie in 380–500 Hz, so one detector finds them: frames whose strongest in-band bin is in
/// that range and stands far above the mean bin (a tone, not speech or noise), in runs of at
/// least 0.25 s; bursts less than 1 s apart (the UK double ring) form one ring cycle.
public enum RingbackDetector {
    /// The strongest bin stays within this distance of the burst's median peak in most frames
    /// (a tone is steady; speech harmonics glide); 60 Hz spans the two tones of a dual ring, Hz.
    static let steadinessHz: Float = 60
    static let toneRangeHz: ClosedRange<Float> = 360...520
    static let minimumBurstSeconds = 0.25
    static let bridgeSeconds = 0.15
    static let cycleGapSeconds = 1.0
    /// Share of a burst's frames that must carry the tone (the rest are bridged gaps). Line
    /// noise near −60 dBFS has its strongest bin 11 dB over the mean bin by chance in a few frames
    /// (devcall3_ja_03's customer line: one frame in 3–10 in the off periods, at 375–531 Hz),
    /// which the 0.15 s bridge joins into phantom bursts; a ring-back burst carries the tone in
    /// every frame (Japan's 16 Hz AM included). Project choice: one half.
    static let minimumToneRatio = 0.5

    /// Tone bursts that start before `before` seconds, cut there. A burst is kept when at least
    /// half its frames carry a tone in `toneRangeHz` and at least 80 % of its tone frames stay
    /// within `steadinessHz` of their median peak (frames bridged into the burst without a tone
    /// do not count).
    public static func toneBursts(_ contours: ChannelContours, before: Double) -> [Segment] {
        let tb = contours.timeBase
        let lastFrame = min(contours.frameCount, max(0, tb.frame(nearest: before) + 1))
        guard lastFrame > 0 else { return [] }
        var mask = [Bool](repeating: false, count: lastFrame)
        for i in 0..<lastFrame {
            mask[i] = contours.toneHz(frame: i).map(toneRangeHz.contains) ?? false && contours.levelDB[i] > -60
        }
        let isTone = mask
        FrameRuns.closeGaps(&mask, maxGapFrames: Int(bridgeSeconds / tb.hopSeconds))
        FrameRuns.dropShortRuns(&mask, minFrames: Int(minimumBurstSeconds / tb.hopSeconds))
        // Keep runs that are a tone throughout (at least `minimumToneRatio` of their frames, not
        // chance peaks of line noise bridged together) and whose peak frequency is steady.
        for run in FrameRuns.runs(mask) {
            let toneFrames = run.filter { isTone[$0] }.count
            let peaks = run.compactMap { contours.toneHz(frame: $0) }.sorted()
            let median = peaks[peaks.count / 2]
            let steady = peaks.filter { abs($0 - median) <= steadinessHz }.count
            if steady * 10 < peaks.count * 8 || Double(toneFrames) < minimumToneRatio * Double(run.count) {
                for i in run { mask[i] = false }
            }
        }
        return FrameRuns.segments(mask, timeBase: tb).compactMap { s in
            s.start < before ? Segment(start: s.start, end: min(s.end, before)) : nil
        }
    }

    /// Groups bursts into ring cycles.
    public static func cycles(_ bursts: [Segment]) -> [Segment] {
        TurnTaking.bridge(bursts, cycleGapSeconds)
    }
}
