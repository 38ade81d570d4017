import DSP
import Foundation

/// Pitch summary of one channel (JSON `pitch`), from a `PitchTrack` and the channel's speech
/// segments (inter-pause units). Semitones are 12·log2 of a frequency ratio.
public struct PitchMeasures: Sendable, Codable, Equatable {
    /// Median F0 over voiced frames (inside the speech segments, when given), Hz.
    public var medianHz: Double
    /// Sample standard deviation (n − 1) of 12·log2(F0 / 1 Hz) over voiced frames, semitones;
    /// nil with fewer than 2 voiced frames.
    public var stdevSemitones: Double?
    /// 95th minus 5th percentile of 12·log2 F0 over voiced frames (linear interpolation), semitones.
    public var rangeSemitones: Double
    /// Voiced frames (inside the speech segments, when given) × hop, seconds.
    public var voicedSeconds: Double
    /// The per-frame track (only when requested: `--pitch-track`).
    public var track: Track?
    /// One entry per speech segment (inter-pause unit), in time order.
    public var utterances: [Utterance]
    /// The first utterance's intonation; only for the agent's channel.
    public var greeting: Greeting?

    public struct Track: Sendable, Codable, Equatable {
        public var hopSeconds: Double
        /// Centre of frame 0, seconds.
        public var startSeconds: Double
        /// F0 per frame in Hz, 0 for unvoiced.
        public var hz: [Double]
    }

    public struct Utterance: Sendable, Codable, Equatable {
        public var start: Double
        public var end: Double
        public var voicedSeconds: Double
        /// Mean of 12·log2(F0 / call median) over the utterance's voiced frames; nil if fewer than
        /// `minimumVoicedFrames` voiced frames.
        public var meanSemitonesReMedian: Double?
        /// Least-squares slope of 12·log2 F0 against time over the final stretch of voicing: the last
        /// 300 ms before the last voiced frame, or the last third of the voiced span when that is
        /// shorter than 0.9 s, semitones per second (rising > 0); nil with too few voiced frames.
        public var finalSlopeSemitonesPerSecond: Double?
    }

    /// Intonation of the first utterance: mean 12·log2 F0 over the last third of its voiced span
    /// against the first third, and against the call median (Ladd 2008, "Intonational Phonology",
    /// 2nd ed., for the nuclear rise; thirds as a simple, robust stand-in for the nucleus).
    public struct Greeting: Sendable, Codable, Equatable {
        public var start: Double
        public var end: Double
        /// Last-third mean minus first-third mean, semitones (rising > 0).
        public var riseSemitones: Double?
        /// Last-third mean relative to the call median, semitones.
        public var endSemitonesReMedian: Double?
        /// Whole-utterance mean relative to the call median, semitones.
        public var meanSemitonesReMedian: Double?
    }

    /// Fewest voiced frames for an utterance mean or slope (5 frames = 50 ms of voicing).
    public static let minimumVoicedFrames = 5
    /// Length of the final stretch for the final slope, seconds.
    public static let finalStretchSeconds = 0.3

    /// - Parameters:
    ///   - utterances: the channel's speech segments (inter-pause units). When given, the summary
    ///     (median, spread, range, voiced time) counts only voiced frames inside them, so periodic
    ///     non-speech (line hum, ring and hold tones, the other party's leakage outside this
    ///     channel's speech) does not enter it; nil summarises the whole track and lists no utterances.
    /// - Returns nil when no counted frame is voiced (not measurable).
    public init?(track: PitchTrack, utterances segments: [Segment]?, greeting: Bool, includeTrack: Bool) {
        // Voiced frames counted by their F0's half-precision bit pattern (positive values sort as
        // their patterns): exact percentiles and spread with no array per frame.
        let counted = segments.map { FrameRuns.runs(of: $0, timeBase: track.timeBase, frameCount: track.frameCount) }
            ?? [0..<track.frameCount]
        var histogram = F0Histogram()
        for r in counted { for i in r where track.f0Hz[i] > 0 { histogram.add(track.f0Hz[i]) } }
        guard histogram.count > 0 else { return nil }
        let segments = segments ?? []
        let medianSemitones = histogram.semitonePercentile(50)
        medianHz = pow(2, medianSemitones / 12)
        stdevSemitones = histogram.semitoneStandardDeviation
        rangeSemitones = histogram.semitonePercentile(95) - histogram.semitonePercentile(5)
        let hop = track.timeBase.hopSeconds
        voicedSeconds = Double(histogram.count) * hop
        self.track = includeTrack
            ? Track(hopSeconds: hop, startSeconds: track.timeBase.seconds(ofFrame: 0), hz: track.f0Hz.map(Double.init))
            : nil

        utterances = segments.map { s in
            let points = Self.voicedPoints(track, in: s, reSemitones: medianSemitones)
            return Utterance(start: s.start, end: s.end, voicedSeconds: Double(points.count) * hop,
                             meanSemitonesReMedian: points.count >= Self.minimumVoicedFrames ? Self.mean(points.map(\.1)) : nil,
                             finalSlopeSemitonesPerSecond: Self.finalSlope(points))
        }
        if greeting, let first = segments.first {
            let points = Self.voicedPoints(track, in: first, reSemitones: medianSemitones)
            var g = Greeting(start: first.start, end: first.end)
            if points.count >= Self.minimumVoicedFrames {
                let t0 = points.first!.0, t1 = points.last!.0, third = (t1 - t0) / 3
                let head = points.filter { $0.0 <= t0 + third }.map(\.1)
                let tail = points.filter { $0.0 >= t1 - third }.map(\.1)
                if let h = Self.mean(head), let e = Self.mean(tail) {
                    g.riseSemitones = e - h
                    g.endSemitonesReMedian = e
                }
                g.meanSemitonesReMedian = Self.mean(points.map(\.1))
            }
            self.greeting = g
        } else {
            self.greeting = nil
        }
    }

    /// (time s, semitones re `reSemitones`) of the voiced frames whose centres lie in `segment`.
    static func voicedPoints(_ track: PitchTrack, in segment: Segment, reSemitones: Double) -> [(Double, Double)] {
        let tb = track.timeBase
        let first = max(0, tb.frame(nearest: segment.start)), last = min(track.frameCount - 1, tb.frame(nearest: segment.end))
        guard first <= last else { return [] }
        var points: [(Double, Double)] = []
        for i in first...last where track.f0Hz[i] > 0 {
            let t = tb.seconds(ofFrame: i)
            guard segment.start <= t && t <= segment.end else { continue }
            points.append((t, 12 * log2(Double(track.f0Hz[i])) - reSemitones))
        }
        return points
    }

    static func finalSlope(_ points: [(Double, Double)]) -> Double? {
        guard points.count >= minimumVoicedFrames else { return nil }
        let t0 = points.first!.0, t1 = points.last!.0
        let stretch = min(finalStretchSeconds, (t1 - t0) / 3)
        let tail = points.filter { $0.0 >= t1 - stretch - 1e-9 }
        guard tail.count >= minimumVoicedFrames else { return nil }
        let mt = mean(tail.map(\.0))!, ms = mean(tail.map(\.1))!
        var sxy = 0.0, sxx = 0.0
        for (t, s) in tail { sxy += (t - mt) * (s - ms); sxx += (t - mt) * (t - mt) }
        return sxx > 0 ? sxy / sxx : nil
    }

    static func mean(_ v: [Double]) -> Double? { v.isEmpty ? nil : v.reduce(0, +) / Double(v.count) }
}

/// Counts of voiced F0 values by their half-precision bit pattern (32,768 counts, 256 kB): the
/// exact percentiles and sample standard deviation of their semitones (12·log2 Hz), as from the
/// sorted values (`Statistics.percentile`: linear interpolation between closest ranks).
struct F0Histogram {
    private var counts = [Int](repeating: 0, count: 1 << 15)
    private(set) var count = 0

    mutating func add(_ f0Hz: Float16) {
        precondition(f0Hz > 0, "only voiced frames are counted")
        counts[Int(f0Hz.bitPattern & 0x7fff)] += 1
        count += 1
    }

    @inline(__always) private static func semitones(pattern: Int) -> Double {
        12 * log2(Double(Float16(bitPattern: UInt16(pattern))))
    }

    /// The value at 0-based rank `rank` in ascending order.
    private func semitones(atRank rank: Int) -> Double {
        var seen = 0
        for (pattern, n) in counts.enumerated() where n > 0 {
            seen += n
            if seen > rank { return Self.semitones(pattern: pattern) }
        }
        return .nan
    }

    func semitonePercentile(_ p: Double) -> Double {
        let rank = min(max(p, 0), 100) / 100 * Double(count - 1)
        let lo = Int(rank.rounded(.down)), hi = min(lo + 1, count - 1)
        let a = semitones(atRank: lo), b = semitones(atRank: hi)
        return a + (b - a) * (rank - Double(lo))
    }

    /// Sample standard deviation (n − 1); nil for fewer than 2 values.
    var semitoneStandardDeviation: Double? {
        guard count >= 2 else { return nil }
        var sum = 0.0
        for (pattern, n) in counts.enumerated() where n > 0 { sum += Double(n) * Self.semitones(pattern: pattern) }
        let mean = sum / Double(count)
        var squares = 0.0
        for (pattern, n) in counts.enumerated() where n > 0 {
            let d = Self.semitones(pattern: pattern) - mean
            squares += Double(n) * d * d
        }
        return (squares / Double(count - 1)).squareRoot()
    }
}
