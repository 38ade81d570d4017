/// A stretch of time in seconds from the start of the file.
public struct Segment: Sendable, Codable, Equatable, Hashable {
    public var start: Double
    public var end: Double
    public init(start: Double, end: Double) {
        precondition(end >= start, "segment ends before it starts")
        self.start = start
        self.end = end
    }
    public var durationSeconds: Double { end - start }
    public func overlapSeconds(with other: Segment) -> Double { max(0, min(end, other.end) - max(start, other.start)) }
    public func contains(_ t: Double) -> Bool { t >= start && t < end }
}

extension Segment {
    /// Merges segments whose gaps are shorter than `gapSeconds` (overlapping ones always merge);
    /// the result is sorted and non-overlapping.
    public static func merged(_ segments: [Segment], gapShorterThan gapSeconds: Double) -> [Segment] {
        var result: [Segment] = []
        for s in segments.sorted(by: { $0.start < $1.start }) {
            if let last = result.last, s.start - last.end < gapSeconds || s.start <= last.end {
                result[result.count - 1].end = max(last.end, s.end)
            } else {
                result.append(s)
            }
        }
        return result
    }

    /// Inter-pause units: speech segments joined across gaps shorter than the shortest pause, so
    /// rate, pitch and the report all speak of the same utterances.
    public static func interPauseUnits(_ speech: [Segment], pauses: PauseSettings) -> [Segment] {
        merged(speech, gapShorterThan: pauses.minimumPauseSeconds)
    }
}

/// Frame-level runs ↔ segments.
public enum FrameRuns {
    /// Runs of `true` frames as half-open frame-index ranges.
    public static func runs(_ mask: [Bool]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start: Int? = nil
        for (i, on) in mask.enumerated() {
            if on, start == nil { start = i }
            if !on, let s = start { result.append(s..<i); start = nil }
        }
        if let s = start { result.append(s..<mask.count) }
        return result
    }

    /// Sets gaps shorter than `maxGapFrames` between runs to true (in place).
    public static func closeGaps(_ mask: inout [Bool], maxGapFrames: Int) {
        let r = runs(mask)
        guard r.count > 1 else { return }
        for (a, b) in zip(r, r.dropFirst()) where b.lowerBound - a.upperBound <= maxGapFrames {
            for i in a.upperBound..<b.lowerBound { mask[i] = true }
        }
    }

    /// Closes gaps of at most `maxGapFrames`, except a gap that holds a frame marked in
    /// `keepingOpen` (same length as `mask`; empty keeps nothing open) and borders a run shorter
    /// than `fragmentFrames`.
    public static func closeGaps(_ mask: inout [Bool], maxGapFrames: Int, keepingOpen: [Bool], fragmentFrames: Int) {
        guard !keepingOpen.isEmpty else { return closeGaps(&mask, maxGapFrames: maxGapFrames) }
        precondition(keepingOpen.count == mask.count, "keepingOpen must match the mask")
        let r = runs(mask)
        guard r.count > 1 else { return }
        for (a, b) in zip(r, r.dropFirst()) where b.lowerBound - a.upperBound <= maxGapFrames {
            let bordersFragment = a.count < fragmentFrames || b.count < fragmentFrames
            guard !(bordersFragment && keepingOpen[a.upperBound..<b.lowerBound].contains(true)) else { continue }
            for i in a.upperBound..<b.lowerBound { mask[i] = true }
        }
    }

    /// Clears runs shorter than `minFrames` (in place).
    public static func dropShortRuns(_ mask: inout [Bool], minFrames: Int) {
        for run in runs(mask) where run.count < minFrames {
            for i in run { mask[i] = false }
        }
    }

    /// The frames whose centres lie inside one of `segments`, as ascending runs (touching or
    /// overlapping ones joined): the frames of a per-frame mask, without the mask.
    public static func runs(of segments: [Segment], timeBase tb: TimeBase, frameCount: Int) -> [Range<Int>] {
        union(segments.compactMap { s -> Range<Int>? in
            var lo = max(0, tb.frame(nearest: s.start)), hi = min(frameCount - 1, tb.frame(nearest: s.end))
            while lo <= hi && !s.contains(tb.seconds(ofFrame: lo)) { lo += 1 }
            while hi >= lo && !s.contains(tb.seconds(ofFrame: hi)) { hi -= 1 }
            return lo <= hi ? lo..<(hi + 1) : nil
        })
    }

    /// The union of frame ranges in any order: ascending, touching or overlapping ones joined.
    public static func union(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where !r.isEmpty {
            if let last = result.last, r.lowerBound <= last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                result.append(r)
            }
        }
        return result
    }

    /// Converts frame runs to segments: a run of frames i..<j spans from the centre of frame i
    /// minus half a hop to the centre of frame j−1 plus half a hop.
    public static func segments(_ mask: [Bool], timeBase: TimeBase) -> [Segment] {
        segments(runs(mask), timeBase: timeBase)
    }

    /// Converts frame runs (half-open ranges) to segments, as `segments(_:timeBase:)`.
    public static func segments(_ runs: [Range<Int>], timeBase: TimeBase) -> [Segment] {
        let half = timeBase.hopSeconds / 2
        return runs.map { r in
            Segment(start: max(0, timeBase.seconds(ofFrame: r.lowerBound) - half),
                    end: timeBase.seconds(ofFrame: r.upperBound - 1) + half)
        }
    }
}

import DSP

extension Rounding {
    public static func segment(_ s: Segment) -> Segment { Segment(start: seconds(s.start), end: seconds(s.end)) }
}

/// Membership of ascending frame indices in ascending runs, in amortised O(1) per query.
public struct RunCursor {
    private let runs: [Range<Int>]
    private var k = 0
    public init(_ runs: [Range<Int>]) { self.runs = runs }
    /// Whether frame `i` is in a run; `i` must not decrease from call to call.
    public mutating func contains(_ i: Int) -> Bool {
        while k < runs.count && runs[k].upperBound <= i { k += 1 }
        return k < runs.count && runs[k].contains(i)
    }
}
