import DSP

/// Holds: long mutual silences of the two parties' speech that are filled with music or a tone
/// (≥ `musicHoldSeconds`), or are silent (≥ `silentHoldSeconds`). Music on hold is told apart
/// from speech by the speech-activity detector (it is not speech) and from silence here: a
/// channel is "sounding" in a frame when its level stands > 12 dB over the channel's noise floor
/// (10th percentile of its frame levels; project choice); a gap sounding over half its length
/// holds music, or a tone when most sounding frames are one dominant bin.
public enum HoldDetector {
    static let soundingOverFloorDB: Float = 12

    public static func holds(speech: [Segment], channels: [ChannelContours], durationSeconds: Double,
                             ringEnd: Double?, settings: TurnTakingSettings) -> [Conversation.Hold] {
        let floors = channels.map { c in
            var histogram = DecibelHistogram()
            for level in c.levelDB { histogram.add(HalfPrecision.float(level)) }
            return histogram.percentile(10) ?? -120
        }
        var holds: [Conversation.Hold] = []
        for gap in TurnTaking.mutualSilences(speech) where gap.durationSeconds >= settings.musicHoldSeconds {
            var best: (span: Segment, tonal: Bool)? = nil
            for (c, contours) in channels.enumerated() {
                let tb = contours.timeBase
                let first = max(0, tb.frame(nearest: gap.start)), last = min(contours.frameCount - 1, tb.frame(nearest: gap.end))
                guard last > first else { continue }
                var sounding = 0, firstOn = -1, lastOn = -1
                var peaks: [Float] = []
                for i in first...last where HalfPrecision.float(contours.levelDB[i]) > floors[c] + soundingOverFloorDB {
                    sounding += 1
                    if let hz = contours.toneHz(frame: i) { peaks.append(hz) }
                    if firstOn < 0 { firstOn = i }
                    lastOn = i
                }
                // A tone: most sounding frames are one steady dominant bin (music changes notes).
                peaks.sort()
                let median = peaks.isEmpty ? 0 : peaks[peaks.count / 2]
                let tonal = peaks.filter { abs($0 - median) <= RingbackDetector.steadinessHz }.count
                guard sounding * 2 > last - first + 1 else { continue }
                let span = Segment(start: tb.seconds(ofFrame: firstOn) - tb.hopSeconds / 2,
                                   end: tb.seconds(ofFrame: lastOn) + tb.hopSeconds / 2)
                if span.durationSeconds >= settings.musicHoldSeconds,
                   best == nil || span.durationSeconds > best!.span.durationSeconds {
                    best = (span, tonal * 10 >= sounding * 8)
                }
            }
            if let best {
                holds.append(.init(start: best.span.start, end: best.span.end, kind: best.tonal ? .tone : .music))
            } else if gap.durationSeconds >= settings.silentHoldSeconds {
                holds.append(.init(start: gap.start, end: gap.end, kind: .silence))
            }
        }
        return holds
    }
}
