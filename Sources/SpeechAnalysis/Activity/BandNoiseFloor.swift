/// Per-band noise floor of one channel, tracked over time from the stored band levels.
///
/// Two estimates are combined per band and frame, both over a window centred on the frame
/// (activity runs a bounded look-ahead behind the stream, so the window may look ahead):
/// - minimum statistics (Martin, R. 2001, "Noise power spectral density estimation based on
///   optimal smoothing and minimum statistics", IEEE Trans. Speech Audio Process. 9(5)): the
///   minimum of the band level smoothed over 50 ms, over ±`minimumHalfWindowFrames`, plus a
///   fixed bias (Martin's bias compensation, here a constant in dB instead of his
///   variance-dependent factor);
/// - a low percentile of the raw band level over ±`percentileHalfWindowFrames`, which sits
///   inside the noise rather than at its dips when the noise fluctuates (babble), limited to at
///   most `maximumLiftDB` above the minimum so long speech stretches cannot lift the floor into
///   the speech.
///
/// Works on the 0.5 dB level codes of `ChannelContours`: the sliding percentile is a 256-bin
/// histogram with a moving rank cursor (Huang, Yang & Tang 1979, IEEE Trans. ASSP 27(1), the
/// running-histogram median filter), so each band costs O(frames).
struct BandNoiseFloor {
    var minimumHalfWindowFrames = 150     // ±1.5 s: Martin's 1.5 s search window, centred
    var percentileHalfWindowFrames = 300  // ±3 s
    var percentile = 0.2                  // 20th percentile of the raw band level
    var smoothingFrames = 5               // 50 ms smoothing before the minimum search
    var biasDB: Float = 1.5               // minimum of a 5-frame mean lies ~1–2 dB under the noise mean
    var maximumLiftDB: Float = 8

    /// Floor codes (0.5 dB units, same coding as `bandLevelCodes`), `AnalysisBands.count` per
    /// frame, of `frameCount` consecutive frames of band codes; and per frame in `lift` the sum over
    /// the bands of how far the percentile lifted the floor over the biased minimum, in codes: how
    /// much the noise fluctuates around the frame (small in steady noise, several dB per band in
    /// babble; `SpeechActivityDetector` lowers its onset where it is small).
    func floorCodes(_ codes: UnsafeBufferPointer<UInt8>, frameCount n: Int, lift: inout [Int32]) -> [UInt8] {
        lift = [Int32](repeating: 0, count: n)
        let bands = AnalysisBands.count
        var floors = [UInt8](repeating: 0, count: n * bands)
        guard n > 0 else { return floors }
        let h = minimumHalfWindowFrames
        // The smoothed band level at [h, h + n), +∞ in the h values either side: the sliding
        // minimum's padding, written once, so its passes need no test for the ends.
        var smoothed = [Int32](repeating: .max, count: n + 2 * h)
        var minimum = [Int32](repeating: 0, count: n)
        var prefix = [Int32](repeating: 0, count: n + 2 * h), suffix = prefix
        let histogram = UnsafeMutablePointer<Int32>.allocate(capacity: 256)
        defer { histogram.deallocate() }
        // One band's codes at a time, contiguous, so every pass below reads them in order.
        var column = [UInt8](repeating: 0, count: n)
        let half = smoothingFrames / 2
        let bounds = floorBounds()
        for b in 0..<bands {
            column.withUnsafeMutableBufferPointer { x in
                var source = codes.baseAddress! + b
                for i in 0..<n { x[i] = source.pointee; source += bands }
                smoothed.withUnsafeMutableBufferPointer { padded in
                    let smoothed = padded.baseAddress! + h
                    // Moving sum over `smoothingFrames` (edges repeat the end frames): a running
                    // sum that adds the entering frame and drops the leaving one; the clamps to
                    // the ends are needed only within `half` + 1 frames of them.
                    var s: Int32 = 0
                    for j in -half...half { s += Int32(x[min(n - 1, max(0, j))]) }
                    smoothed[0] = s
                    let interior = (half + 1)..<max(half + 1, n - half)
                    for i in 1..<min(max(1, n), interior.lowerBound) {
                        s += Int32(x[min(n - 1, i + half)]) - Int32(x[max(0, i - half - 1)])
                        smoothed[i] = s
                    }
                    for i in interior {   // a sum of 5 codes: no overflow
                        s = s &+ Int32(x[i &+ half]) &- Int32(x[i &- half &- 1])
                        smoothed[i] = s
                    }
                    let tail = max(1, interior.upperBound)
                    for i in tail..<max(tail, n) {
                        s += Int32(x[min(n - 1, i + half)]) - Int32(x[max(0, i - half - 1)])
                        smoothed[i] = s
                    }
                }
            }
            Self.slidingMinimum(padded: smoothed, count: n, halfWindow: h, prefix: &prefix, suffix: &suffix, into: &minimum)
            // Sliding percentile with a rank cursor over a 256-bin histogram.
            floors.withUnsafeMutableBufferPointer { out in
                column.withUnsafeBufferPointer { x in
                    minimum.withUnsafeBufferPointer { minimum in
                        bounds.withUnsafeBufferPointer { bounds in
                            Self.percentileFloors(x, minimum: minimum, bounds: bounds, histogram: histogram,
                                                  halfWindow: percentileHalfWindowFrames, percentile: percentile,
                                                  into: out.baseAddress! + b, stride: bands)
                            for i in 0..<n {
                                lift[i] &+= Int32(out[i &* bands &+ b]) &- Int32(bounds[Int(minimum[i])].below)
                            }
                        }
                    }
                }
            }
        }
        return floors
    }

    /// The floor codes of one band (written `stride` apart into `out`): the `percentile` of its
    /// codes `x` over ±`halfWindow` frames, by a rank cursor over a running 256-bin histogram
    /// (Huang, Yang & Tang 1979), kept within the bounds of each frame's minimum statistic.
    /// Wrapping integer arithmetic (counts stay under 2³¹) and the cursor's comparisons as
    /// arithmetic, not branches (issue 18: which side of the cursor a code falls is not
    /// predictable); the same cursor, so the same codes as a checked version (`SpeedTwinTests`).
    @inline(never)
    static func percentileFloors(_ x: UnsafeBufferPointer<UInt8>, minimum: UnsafeBufferPointer<Int32>,
                                 bounds: UnsafeBufferPointer<FloorBounds>, histogram: UnsafeMutablePointer<Int32>,
                                 halfWindow w: Int, percentile: Double, into out: UnsafeMutablePointer<UInt8>, stride: Int) {
        let n = x.count
        let x = x.baseAddress!, minimum = minimum.baseAddress!, bounds = bounds.baseAddress!
        histogram.initialize(repeating: 0, count: 256)
        var count = 0, cursor = 0, below: Int32 = 0
        // 1 where code v lies below the cursor, else 0.
        @inline(__always) func isBelow(_ v: Int, _ cursor: Int) -> Int32 { Int32(truncatingIfNeeded: (v &- cursor) &>> 63) & 1 }
        for j in 0..<min(n, w) {
            let v = Int(x[j]); histogram[v] &+= 1; count &+= 1
            below &+= isBelow(v, cursor)
        }
        var rankCount = -1, rank: Int32 = 0
        for i in 0..<n {
            let entering = i &+ w, leaving = i &- w &- 1
            if entering < n {
                let v = Int(x[entering]); histogram[v] &+= 1; count &+= 1
                below &+= isBelow(v, cursor)
            }
            if leaving >= 0 {
                let v = Int(x[leaving]); histogram[v] &-= 1; count &-= 1
                below &-= isBelow(v, cursor)
            }
            if count != rankCount {   // the window's length changes only near the ends
                rank = Int32(percentile * Double(count - 1))
                rankCount = count
            }
            while below > rank { cursor &-= 1; below &-= histogram[cursor] }
            while below &+ histogram[cursor] <= rank { below &+= histogram[cursor]; cursor &+= 1 }
            out[i &* stride] = bounds[Int(minimum[i])].floorCode(percentileCode: cursor)
        }
    }

    /// The floor code of a frame, from the band's minimum statistic and its percentile code:
    /// the percentile, kept between the biased minimum and `maximumLiftDB` above it, rounded.
    /// Read from a table of the minimum's bounds (`floorBounds`, the same Float operations done
    /// once per value of the minimum): the percentile is an integer code, so between the bounds
    /// it is its own rounding.
    struct FloorBounds {
        /// Smallest integer code at or above the lower bound, largest at or below the upper.
        var lowestInside: Int32, highestInside: Int32
        /// The rounded lower and upper bounds: the floor code below and above them.
        var below: UInt8, above: UInt8

        @inline(__always) func floorCode(percentileCode c: Int) -> UInt8 {
            // Selects, not branches: whether a frame's percentile is clamped follows speech and pauses.
            let c = Int32(truncatingIfNeeded: c)
            let upper = c > highestInside ? Int32(above) : c
            return UInt8(truncatingIfNeeded: c < lowestInside ? Int32(below) : upper)
        }
    }

    /// `FloorBounds` for every value of the smoothed minimum (a sum of `smoothingFrames` codes).
    func floorBounds() -> [FloorBounds] {
        let scale = Float(smoothingFrames)
        func rounded(_ floorCode: Float) -> UInt8 {
            floorCode <= 0 ? 0 : floorCode >= 255 ? 255 : UInt8(Int(floorCode + 0.5))
        }
        return (0...(255 * smoothingFrames)).map { sum in
            let minimumCode = Float(sum) / scale + 2 * biasDB
            let upper = minimumCode + 2 * maximumLiftDB
            // floorCode = min(max(minimumCode, c), upper): c itself for minimumCode ≤ c ≤ upper.
            return FloorBounds(lowestInside: Int32(minimumCode.rounded(.up)), highestInside: Int32(upper.rounded(.down)),
                               below: rounded(minimumCode), above: rounded(upper))
        }
    }

    /// Minimum over [i − halfWindow, i + halfWindow] ∩ [0, n) for every i of the `count` values of
    /// `padded` at [halfWindow, halfWindow + count), where `padded` holds `halfWindow` values of
    /// +∞ (`Int32.max`) either side of them, by the van Herk / Gil–Werman algorithm (van Herk
    /// 1992, Pattern Recognit. Lett. 13(7); Gil & Werman 1993, IEEE Trans. PAMI 15(5)): cut into
    /// blocks of the window's length w, the minimum over any w consecutive values is the smaller
    /// of a running minimum from its block's end backwards and one from the next block's start
    /// forwards — three branch-free passes, O(n) whatever w. The padding is read from memory, so
    /// no pass tests an index for the ends (issue 18). `prefix` and `suffix` are scratch of
    /// count + 2·halfWindow values.
    static func slidingMinimum(padded y: [Int32], count n: Int, halfWindow h: Int, prefix: inout [Int32], suffix: inout [Int32],
                               into out: inout [Int32]) {
        let w = 2 * h + 1, m = n + 2 * h
        precondition(y.count == m && prefix.count >= m && suffix.count >= m && out.count >= n, "padded by halfWindow each side")
        guard n > 0 else { return }
        y.withUnsafeBufferPointer { y in
            prefix.withUnsafeMutableBufferPointer { g in
                suffix.withUnsafeMutableBufferPointer { b in
                    out.withUnsafeMutableBufferPointer { out in
                        let y = y.baseAddress!, g = g.baseAddress!, b = b.baseAddress!, out = out.baseAddress!
                        var blockStart = 0
                        while blockStart < m {
                            let blockEnd = min(m, blockStart + w)
                            var running = Int32.max
                            for j in blockStart..<blockEnd { running = min(running, y[j]); g[j] = running }
                            running = .max
                            var j = blockEnd
                            while j > blockStart { j &-= 1; running = min(running, y[j]); b[j] = running }
                            blockStart = blockEnd
                        }
                        for i in 0..<n { out[i] = min(b[i], g[i &+ w &- 1]) }
                    }
                }
            }
        }
    }

    /// Maximum of `x` over [i − halfWindow, i + halfWindow] for every i (monotonic queue, O(n)).
    static func slidingMaximum(_ x: UnsafeBufferPointer<Float>, halfWindow: Int) -> [Float] {
        let n = x.count
        var out = [Float](repeating: 0, count: n)
        var queue = [Int](repeating: 0, count: max(n, 1))
        var head = 0, tail = 0
        for j in 0..<(n + halfWindow) {
            if j < n {
                while tail > head && x[queue[tail - 1]] <= x[j] { tail -= 1 }
                queue[tail] = j; tail += 1
            }
            let i = j - halfWindow
            if i >= 0 {
                while queue[head] < i - halfWindow { head += 1 }
                out[i] = x[queue[head]]
            }
        }
        return out
    }
}
