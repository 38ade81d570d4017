import CKernels
import DSP
import Foundation

/// Streams one channel's samples (the same decoded blocks the front end receives, any block size)
/// through every level measure at once, then summarises them as `LoudnessMeasures`.
///
/// Per sample, one fused pass (`recursionsPass`): K-weighting (two Double biquads, `KWeighting`),
/// the P.56 envelope and threshold counting (`SpeechVoltmeter`, run-length coded so the 15
/// thresholds cost nothing per sample), DC and mean-square sums; clipping runs in a pass of its
/// own (it skips quiet samples); true peak runs on its own gated
/// interpolator (`TruePeakDetector`). No allocation per sample. What `finish` needs later is kept
/// compactly: K-weighted energy per 100 ms (Float, 40 bytes per second of audio); the raw level
/// per 10 ms (half-precision dB) only until the noise floor has counted it, once speech activity
/// has finished the frames around it (`speechRunsFinal`); P.56 counts at most 1,024 times (once
/// per second for the first 17 minutes; see `thirds`), whatever the length.
///
/// One instance per channel and task (not Sendable). Feed finite samples in −1…1.
public final class ChannelLevelMeter {
    public let sampleRateHz: Double
    public let settings: LevelSettings

    // K-weighting and P.56 envelope: coefficients and state (`Recursions`).
    private let coefficients: Recursions.Coefficients
    // Private state of a one-task class, passed `inout` to the passes once per stretch: no
    // runtime exclusivity check needed.
    @exclusivity(unchecked) private(set) var recursions = Recursions()
    // P.56 run-length coded threshold counting.
    private let hangover: Int
    private var runLevel = 0, runStart = 0
    private let activeCounts: UnsafeMutablePointer<Int>      // a_j, cumulative
    private let lastActive: UnsafeMutablePointer<Int>        // last sample with q ≥ c_j
    // Sums.
    private var sampleIndex = 0
    private var squareSum = 0.0
    // 10 ms raw mean squares.
    private var tenMsIndex = 0, tenMsStart = 0, nextTenMs: Int
    private var tenMsSquares = 0.0
    /// Levels of the 10 ms blocks the noise floor has not counted yet (see `speechRunsFinal`).
    private var tenMsLevelsDB: [Float16] = []
    private var noise: NoiseFloor
    // 100 ms K-weighted energies (libebur128's block length: (rate + 5) / 10 samples).
    private let samplesPer100ms: Int
    private var nextHundredMs: Int
    private var kEnergies: [Float] = []
    // P.56 snapshots every `snapshotSeconds` (at most `maximumSnapshots` of them).
    private var nextSecond: Int
    private var secondsSoFar = 0
    private var snapshotSeconds = 1
    private let maximumSnapshots: Int
    private var snapshotCounts: [Int] = []                   // 15 per snapshot, cumulative a_j
    private var snapshotSquareSums: [Double] = []
    // Clipping.
    private let clipLevel = Float(pow(10, -0.1 / 20))        // within 0.1 dB of full scale
    private var clipRun = 0, clippedCount = 0
    private let truePeak = TruePeakDetector()
    /// False only in tests of the other measures on long steady tones, where every group is near
    /// the peak and the interpolator dominates the (unoptimised) debug build's run time.
    private let measuresTruePeak: Bool

    /// - Parameter expectedSamples: the channel's declared length, to reserve the per-block
    ///   storage once (0 if unknown).
    public convenience init(sampleRateHz: Double, settings: LevelSettings = .standard, expectedSamples: Int = 0) {
        self.init(sampleRateHz: sampleRateHz, settings: settings, measuresTruePeak: true, expectedSamples: expectedSamples)
    }

    /// - Parameter maximumSnapshots: P.56 snapshots kept (tests use few, to show the thirds survive decimation).
    init(sampleRateHz: Double, settings: LevelSettings, measuresTruePeak: Bool, expectedSamples: Int = 0,
         maximumSnapshots: Int = 1024) {
        self.measuresTruePeak = measuresTruePeak
        self.maximumSnapshots = max(2, maximumSnapshots)
        precondition(sampleRateHz >= 4000, "the level meter needs at least 4 kHz")
        self.sampleRateHz = sampleRateHz
        self.settings = settings
        let k = KWeighting(sampleRateHz: sampleRateHz)
        let g = SpeechVoltmeter.smoothing(sampleRateHz: sampleRateHz)
        coefficients = Recursions.Coefficients(shelf: k.shelf, highPass: k.highPass, g: g, oneMinusG: 1 - g)
        hangover = SpeechVoltmeter.hangoverSamples(sampleRateHz: sampleRateHz)
        let expectedSeconds = Double(max(0, expectedSamples)) / sampleRateHz
        kEnergies.reserveCapacity(Int(expectedSeconds * 10) + 1)
        activeCounts = .allocate(capacity: SpeechVoltmeter.thresholdCount)
        activeCounts.initialize(repeating: 0, count: SpeechVoltmeter.thresholdCount)
        lastActive = .allocate(capacity: SpeechVoltmeter.thresholdCount)
        lastActive.initialize(repeating: Int.min / 2, count: SpeechVoltmeter.thresholdCount)  // "hang = I" at start
        noise = NoiseFloor(blockSeconds: 0.01, guardSeconds: settings.noiseGuardSeconds, outlierDB: settings.noiseOutlierDB)
        samplesPer100ms = (Int(sampleRateHz.rounded()) + 5) / 10
        nextHundredMs = samplesPer100ms
        nextSecond = 10 * samplesPer100ms
        nextTenMs = Int((sampleRateHz / 100).rounded())
    }

    deinit {
        activeCounts.deallocate()
        lastActive.deallocate()
    }

    public func consume(_ samples: [Float]) { samples.withUnsafeBufferPointer { consume($0) } }

    public func consume(_ samples: UnsafeBufferPointer<Float>) {
        if measuresTruePeak { truePeak.consume(samples) }
        var i = 0
        while i < samples.count {
            let count = stretchLength(available: samples.count - i)
            let source = samples.baseAddress! + i
            // One pass over the stretch (at most 10 ms) for the sums, the K-weighting (shelf then
            // RLB high-pass, BS.1770-4 Annex 1) and the P.56 envelope (process 2). It stops after
            // a sample where the number of thresholds the envelope reaches changes, so the run of
            // the old number is counted (`closeRun`) before it goes on.
            var squares = 0.0
            var bounds = SpeechVoltmeter.envelopeBounds(level: runLevel)
            var t = 0
            while t < count {
                t = Self.recursionsPass(source, from: t, count: count, coefficients, &recursions,
                                        squares: &squares, envelopeBounds: bounds)
                if recursions.q < bounds.lower || recursions.q >= bounds.upper {   // sample t − 1 changed the number
                    bounds = envelopeLevelChanged(atSample: sampleIndex + t - 1, envelope: recursions.q)
                }
            }
            endStretch(source, count: count, squares: squares)
            i += count
        }
    }

    /// Both channels of a two-channel call, the same samples and calls as `a.consume(samplesA)`
    /// then `b.consume(samplesB)` (so the same results), with the two channels' recursions side
    /// by side in the lanes of one vector (`recursionsPass(_:_:…)`): half the instructions.
    /// Falls back to one meter after the other unless both are at the same sample, with the same
    /// rate and block length.
    public static func consume(_ a: ChannelLevelMeter, _ samplesA: UnsafeBufferPointer<Float>,
                               _ b: ChannelLevelMeter, _ samplesB: UnsafeBufferPointer<Float>) {
        guard a !== b, samplesA.count == samplesB.count, a.sampleIndex == b.sampleIndex,
              a.sampleRateHz == b.sampleRateHz, a.coefficients == b.coefficients else {
            a.consume(samplesA)
            b.consume(samplesB)
            return
        }
        if a.measuresTruePeak { a.truePeak.consume(samplesA) }
        if b.measuresTruePeak { b.truePeak.consume(samplesB) }
        typealias V = SIMD2<Double>
        var i = 0
        while i < samplesA.count {
            let count = a.stretchLength(available: samplesA.count - i)   // b's stretches are the same
            let sourceA = samplesA.baseAddress! + i, sourceB = samplesB.baseAddress! + i
            // The two states packed into vectors once per stretch (not per pass: see `PairedRecursions`).
            var paired = PairedRecursions(a.recursions, b.recursions, a.coefficients)
            var boundsA = SpeechVoltmeter.envelopeBounds(level: a.runLevel)
            var boundsB = SpeechVoltmeter.envelopeBounds(level: b.runLevel)
            var t = 0
            while t < count {
                (paired.lower, paired.upper) = (V(boundsA.lower, boundsB.lower), V(boundsA.upper, boundsB.upper))
                t = pairedPass(sourceA, sourceB, from: t, count: count, &paired)
                let q = paired.q
                if q[0] < boundsA.lower || q[0] >= boundsA.upper {
                    boundsA = a.envelopeLevelChanged(atSample: a.sampleIndex + t - 1, envelope: q[0])
                }
                if q[1] < boundsB.lower || q[1] >= boundsB.upper {
                    boundsB = b.envelopeLevelChanged(atSample: b.sampleIndex + t - 1, envelope: q[1])
                }
            }
            paired.unpack(into: &a.recursions, &b.recursions)
            a.endStretch(sourceA, count: count, squares: paired.squares[0])
            b.endStretch(sourceB, count: count, squares: paired.squares[1])
            i += count
        }
    }

    /// Samples up to the next 10 ms, 100 ms or 1 s boundary, at most `available`.
    @inline(__always) private func stretchLength(available: Int) -> Int {
        min(available, min(nextTenMs, nextHundredMs, nextSecond) - sampleIndex)
    }

    /// Sample `index` (absolute) took the envelope to another number of thresholds: the run of
    /// the old number ends before it. Returns the new number's envelope bounds.
    private func envelopeLevelChanged(atSample index: Int, envelope q: Double) -> (lower: Double, upper: Double) {
        let now = SpeechVoltmeter.level(ofEnvelope: q)
        closeRun(through: index - 1)
        runLevel = now
        runStart = index
        return SpeechVoltmeter.envelopeBounds(level: now)
    }

    /// After the recursions over a stretch of `count` samples from `sampleIndex`: clipping, the
    /// square sums, and what ends at the stretch's end (a 10 ms, 100 ms or 1 s block).
    private func endStretch(_ source: UnsafePointer<Float>, count: Int, squares: Double) {
        // Clipping: runs of ≥ 3 samples at or within 0.1 dB of full scale.
        Self.clipping(source, count: count, clipLevel: clipLevel, run: &clipRun, clipped: &clippedCount)
        squareSum += squares
        tenMsSquares += squares
        sampleIndex += count
        if sampleIndex == nextTenMs {
            tenMsLevelsDB.append(HalfPrecision.half(Decibels.fromPower(tenMsSquares / Double(nextTenMs - tenMsStart))))
            tenMsSquares = 0
            tenMsStart = nextTenMs
            tenMsIndex += 1
            nextTenMs = Int((Double(tenMsIndex + 1) * sampleRateHz / 100).rounded())
            // Flush tiny filter states to zero so long digital silence never reaches denormals.
            recursions.flushTinyStates()
        }
        if sampleIndex == nextHundredMs {
            kEnergies.append(Float(recursions.hundredMsEnergy))
            recursions.hundredMsEnergy = 0
            nextHundredMs += samplesPer100ms
        }
        if sampleIndex == nextSecond {
            closeRun(through: sampleIndex - 1)
            runStart = sampleIndex
            secondsSoFar += 1
            if secondsSoFar % snapshotSeconds == 0 { snapshot(squareSum: squareSum) }
            nextSecond += 10 * samplesPer100ms
        }
    }

    /// The per-sample recursions of the level meter and their state: the DC sum, the K-weighting
    /// shelf and RLB high-pass (direct form I, BS.1770-4 Annex 1) with the K-weighted energy of
    /// the current 100 ms block, and the P.56 envelope p, q (ITU-T P.56 (12/2011) Annex B,
    /// process 2).
    struct Recursions: Equatable {
        struct Coefficients: Equatable {
            let sb0: Double, sb1: Double, sb2: Double, sa1: Double, sa2: Double   // shelf
            let ha1: Double, ha2: Double                                           // high-pass; numerator [1, −2, 1]
            let g: Double, oneMinusG: Double                                       // P.56 smoothing
            init(shelf: Biquad, highPass: Biquad, g: Double, oneMinusG: Double) {
                (sb0, sb1, sb2, sa1, sa2) = (shelf.b0, shelf.b1, shelf.b2, shelf.a1, shelf.a2)
                (ha1, ha2) = (highPass.a1, highPass.a2)
                (self.g, self.oneMinusG) = (g, oneMinusG)
            }
        }
        var sum = 0.0
        var sx1 = 0.0, sx2 = 0.0, sy1 = 0.0, sy2 = 0.0
        var hx1 = 0.0, hx2 = 0.0, hy1 = 0.0, hy2 = 0.0
        var hundredMsEnergy = 0.0
        var p = 0.0, q = 0.0

        mutating func flushTinyStates() {
            if abs(sy1) < 1e-30 && abs(sy2) < 1e-30 { sy1 = 0; sy2 = 0 }
            if abs(hy1) < 1e-30 && abs(hy2) < 1e-30 { hy1 = 0; hy2 = 0 }
            if q < 1e-30 { p = 0; q = 0 }
        }
    }

    /// Runs the recursions over `source[start..<count]`, adding x² to `squares`, and returns the
    /// index after the last sample done: `count`, or earlier, just after the first sample whose
    /// envelope q leaves `envelopeBounds` (the number of P.56 thresholds it reaches changed).
    ///
    /// All of them in one loop: each recursion is a serial chain (a multiply and an add per
    /// sample on its own), and in one loop the core runs the chains side by side, where in
    /// separate passes each waited for its own. Each value is computed with the same operations
    /// in the same order as in the plain per-sample loop (`SpeedTwinTests`), so the results are
    /// bit for bit the same; the y[n−1] term is added last (it alone is on the critical path).
    @inline(never)
    static func recursionsPass(_ source: UnsafePointer<Float>, from start: Int, count: Int,
                               _ c: Recursions.Coefficients, _ state: inout Recursions,
                               squares: inout Double, envelopeBounds: (lower: Double, upper: Double)) -> Int {
        // Plain locals, written back after the loop: stored to the struct every sample, the
        // compiler paired neighbouring fields into vector operations, lengthening the chains.
        var sum = state.sum, s2 = squares
        var (sx1, sx2, sy1, sy2) = (state.sx1, state.sx2, state.sy1, state.sy2)
        var (hx1, hx2, hy1, hy2) = (state.hx1, state.hx2, state.hy1, state.hy2)
        var energy = state.hundredMsEnergy
        var (p, q) = (state.p, state.q)
        let (sb0, sb1, sb2, sa1, sa2) = (c.sb0, c.sb1, c.sb2, c.sa1, c.sa2)
        let (ha1, ha2, g, h) = (c.ha1, c.ha2, c.g, c.oneMinusG)
        let (lower, upper) = envelopeBounds
        var t = start
        while t < count {
            let x = Double(source[t])
            t += 1
            sum += x
            s2 += x * x
            let y = (sb0 * x + sb1 * sx1 + sb2 * sx2 - sa2 * sy2) - sa1 * sy1
            sx2 = sx1; sx1 = x; sy2 = sy1; sy1 = y
            let z = (y - 2 * hx1 + hx2 - ha2 * hy2) - ha1 * hy1
            hx2 = hx1; hx1 = y; hy2 = hy1; hy1 = z
            energy += z * z
            p = g * p + h * abs(x)
            q = g * q + h * p
            if q < lower || q >= upper { break }
        }
        state.sum = sum; squares = s2
        (state.sx1, state.sx2, state.sy1, state.sy2) = (sx1, sx2, sy1, sy2)
        (state.hx1, state.hx2, state.hy1, state.hy2) = (hx1, hx2, hy1, hy2)
        state.hundredMsEnergy = energy
        (state.p, state.q) = (p, q)
        return t
    }

    /// Two channels' `Recursions` side by side, channel a in lane 0 and b in lane 1 of each
    /// vector, with the square sums of the current stretch, the coefficients (in both lanes) and
    /// the envelope bounds of the current threshold counts: the 24 pairs
    /// `voiceqa_level_paired_pass` reads, in its order (`SixthRoundTwinTests` checks the layout).
    struct PairedRecursions: Equatable {
        typealias V = SIMD2<Double>
        var sum: V, squares: V
        var sx1: V, sx2: V, sy1: V, sy2: V
        var hx1: V, hx2: V, hy1: V, hy2: V
        var energy: V, p: V, q: V
        let sb0: V, sb1: V, sb2: V, sa1: V, sa2: V, ha1: V, ha2: V, g: V, oneMinusG: V
        var lower: V, upper: V

        /// The two states, square sums zero, bounds of threshold count 0.
        init(_ a: Recursions, _ b: Recursions, _ c: Recursions.Coefficients) {
            sum = V(a.sum, b.sum); squares = .zero
            (sx1, sx2, sy1, sy2) = (V(a.sx1, b.sx1), V(a.sx2, b.sx2), V(a.sy1, b.sy1), V(a.sy2, b.sy2))
            (hx1, hx2, hy1, hy2) = (V(a.hx1, b.hx1), V(a.hx2, b.hx2), V(a.hy1, b.hy1), V(a.hy2, b.hy2))
            energy = V(a.hundredMsEnergy, b.hundredMsEnergy)
            (p, q) = (V(a.p, b.p), V(a.q, b.q))
            (sb0, sb1, sb2, sa1, sa2) = (V(repeating: c.sb0), V(repeating: c.sb1), V(repeating: c.sb2),
                                         V(repeating: c.sa1), V(repeating: c.sa2))
            (ha1, ha2, g, oneMinusG) = (V(repeating: c.ha1), V(repeating: c.ha2), V(repeating: c.g), V(repeating: c.oneMinusG))
            let bounds = SpeechVoltmeter.envelopeBounds(level: 0)
            (lower, upper) = (V(repeating: bounds.lower), V(repeating: bounds.upper))
        }

        /// Writes lane 0 back to `a` and lane 1 to `b`.
        func unpack(into a: inout Recursions, _ b: inout Recursions) {
            (a.sum, b.sum) = (sum[0], sum[1])
            (a.sx1, a.sx2, a.sy1, a.sy2) = (sx1[0], sx2[0], sy1[0], sy2[0])
            (b.sx1, b.sx2, b.sy1, b.sy2) = (sx1[1], sx2[1], sy1[1], sy2[1])
            (a.hx1, a.hx2, a.hy1, a.hy2) = (hx1[0], hx2[0], hy1[0], hy2[0])
            (b.hx1, b.hx2, b.hy1, b.hy2) = (hx1[1], hx2[1], hy1[1], hy2[1])
            (a.hundredMsEnergy, b.hundredMsEnergy) = (energy[0], energy[1])
            (a.p, a.q, b.p, b.q) = (p[0], q[0], p[1], q[1])
        }
    }

    /// `recursionsPass` for two channels at once over `sourceA[start..<count]` and
    /// `sourceB[start..<count]`, on the packed state `s` (bounds included): lane by lane the same
    /// operations in the same order, so each channel's values are bit for bit those of its own
    /// pass (`SixthRoundTwinTests`). Returns the index after the last sample done: `count`, or just
    /// after the first sample where either channel's envelope q leaves its bounds.
    ///
    /// In C (`CKernels`): written here on SIMD2<Double>, the Swift compiler paired lanes of
    /// different variables (sx1 of one channel with sx2 of the other) and shuffled them back on
    /// every sample, ≈ 100 instructions per sample pair (issue 18, sixth round).
    @inline(__always)
    static func pairedPass(_ sourceA: UnsafePointer<Float>, _ sourceB: UnsafePointer<Float>, from start: Int, count: Int,
                           _ s: inout PairedRecursions) -> Int {
        withUnsafeMutableBytes(of: &s) { raw in
            voiceqa_level_paired_pass(sourceA, sourceB, start, count, raw.baseAddress!.assumingMemoryBound(to: Double.self))
        }
    }

    /// Counts runs of ≥ 3 samples at or above `clipLevel` in magnitude into `clipped`; `run` is
    /// the run still open. Outside a run it only looks for the next loud sample.
    @inline(never)
    static func clipping(_ source: UnsafePointer<Float>, count: Int, clipLevel: Float, run: inout Int, clipped: inout Int) {
        var r = run, c = clipped
        var t = 0
        while t < count {
            if r == 0 {
                // Sixteen samples at a time while all are quiet (issue 18: a scalar test per sample was
                // 1.5 % of the CPU time). For a sign-cleared float the integer order of the bit
                // patterns is the float order, NaN above +∞, so for a positive clip level
                // `|x| < clipLevel` is `(bits(x) & 0x7FFF_FFFF) < bits(clipLevel)`, NaN samples loud
                // as in the scalar test: `bits(clipLevel) − 1 − that` is negative exactly for a loud
                // sample, and the lanes' bitwise or is negative when any is (twin: `SpeedTwinTests`).
                if clipLevel > 0 {
                    let quietAtMost = SIMD8<Int32>(repeating: Int32(bitPattern: clipLevel.bitPattern) - 1)
                    let raw = UnsafeRawPointer(source)
                    while t &+ 16 <= count {
                        let a = raw.loadUnaligned(fromByteOffset: t &* 4, as: SIMD8<Int32>.self)
                        let b = raw.loadUnaligned(fromByteOffset: t &* 4 &+ 32, as: SIMD8<Int32>.self)
                        let d = (quietAtMost &- (a & 0x7FFF_FFFF)) | (quietAtMost &- (b & 0x7FFF_FFFF))
                        let four = d.lowHalf | d.highHalf, two = four.lowHalf | four.highHalf
                        if two[0] | two[1] < 0 { break }
                        t &+= 16
                    }
                }
                while t < count && abs(source[t]) < clipLevel { t += 1 }
                if t == count { break }
            }
            if abs(source[t]) >= clipLevel {
                r += 1
            } else {
                if r >= 3 { c += r }
                r = 0
            }
            t += 1
        }
        run = r; clipped = c
    }

    /// Keeps the P.56 counts and the square sum so far (`consume` holds it in a local while it
    /// runs); when `maximumSnapshots` are kept, every other one is dropped and the interval doubles.
    private func snapshot(squareSum: Double) {
        let t = SpeechVoltmeter.thresholdCount
        if snapshotSquareSums.count == maximumSnapshots {
            // Keep the snapshots at multiples of twice the interval: indices 1, 3, 5, …
            var kept = 0
            for k in stride(from: 1, to: snapshotSquareSums.count, by: 2) {
                snapshotSquareSums[kept] = snapshotSquareSums[k]
                for j in 0..<t { snapshotCounts[kept * t + j] = snapshotCounts[k * t + j] }
                kept += 1
            }
            snapshotSquareSums.removeLast(snapshotSquareSums.count - kept)
            snapshotCounts.removeLast(snapshotCounts.count - kept * t)
            snapshotSeconds *= 2
            guard secondsSoFar % snapshotSeconds == 0 else { return }
        }
        for j in 0..<t { snapshotCounts.append(activeCounts[j]) }
        snapshotSquareSums.append(squareSum)
    }

    /// Adds the run of constant envelope level [runStart, last] to the threshold counts a_j,
    /// exactly as sv-p56.c's per-sample loop would: below the level every sample is active;
    /// at or above it, only samples within the hangover after the threshold was last reached.
    @inline(__always) private func closeRun(through last: Int) {
        guard last >= runStart else { return }
        let length = last - runStart + 1
        for j in 0..<runLevel {
            activeCounts[j] += length
            lastActive[j] = last
        }
        for j in runLevel..<SpeechVoltmeter.thresholdCount {
            let hangEnd = lastActive[j] + hangover
            if hangEnd >= runStart { activeCounts[j] += min(last, hangEnd) - runStart + 1 }
        }
    }

    /// Ends the stream and summarises it. `speechSegments` are the channel's speech (from the
    /// speech-activity detector), used for the noise floor, SNR and the clipping ratio.
    /// Call once.
    public func finish(speechSegments: [Segment]) -> LoudnessMeasures {
        closeRun(through: sampleIndex - 1)
        runStart = sampleIndex
        if sampleIndex > tenMsStart {                      // partial last 10 ms block
            tenMsLevelsDB.append(HalfPrecision.half(Decibels.fromPower(tenMsSquares / Double(sampleIndex - tenMsStart))))
            tenMsSquares = 0
            tenMsStart = sampleIndex
        }
        if clipRun >= 3 { clippedCount += clipRun }
        clipRun = 0
        let peaks = truePeak.finish()
        let n = sampleIndex
        var m = LoudnessMeasures()
        guard n > 0 else { return m }

        m.integratedLUFS = LoudnessGating.integratedLUFS(energies: kEnergies, samplesPerBlock: samplesPer100ms).map(Self.dB)
        m.loudnessRangeLU = LoudnessGating.loudnessRangeLU(energies: kEnergies, samplesPerBlock: samplesPer100ms).map(Self.dB)
        m.shortTermLoudnessLUFS = LoudnessGating.shortTermSeriesLUFS(
            energies: kEnergies, samplesPerBlock: samplesPer100ms, blocksPerSecond: 10).map { $0.map(Self.dB) }
        if peaks.samplePeak > 0 {
            m.samplePeakDBFS = Self.dB(20 * log10(Double(peaks.samplePeak)))
            m.truePeakDBTP = Self.dB(20 * log10(Double(peaks.truePeak)))
        }

        let p56 = SpeechVoltmeter.evaluate(squareSum: squareSum, sampleCount: n,
                                           activeCounts: UnsafeBufferPointer(start: activeCounts, count: SpeechVoltmeter.thresholdCount))
        m.activeSpeechLevelDBov = p56.levelDBov.map(Self.dB)
        m.activityFactor = Self.ratio(p56.activityFactor)
        m.activeSpeechLevelByThirdDBov = thirds(totalSamples: n)

        settleNoise(speech: speechSegments.sorted { $0.start < $1.start }, throughSeconds: .infinity)
        let noise = self.noise.result
        m.noiseFloorDBFS = noise.noiseFloorDBFS.map(Self.dB)
        m.snrDB = noise.snrDB.map(Self.dB)

        let durationSeconds = Double(n) / sampleRateHz
        let speechSeconds = speechSegments.reduce(0.0) { $0 + max(0, min($1.end, durationSeconds) - max($1.start, 0)) }
        let speechSamples = speechSeconds > 0 ? speechSeconds * sampleRateHz : p56.activityFactor * Double(n)
        m.clippedSampleRatio = speechSamples >= 1 ? Self.ratio(min(1, Double(clippedCount) / speechSamples)) : nil
        m.dcOffset = Self.ratio(recursions.sum / Double(n))
        return m
    }

    /// Counts the 10 ms blocks before `throughSeconds` into the noise floor and drops them.
    private func settleNoise(speech: [Segment], throughSeconds: Double) {
        let counted = noise.settle(tenMsLevelsDB[...], speech: speech, throughSeconds: throughSeconds)
        tenMsLevelsDB.removeFirst(counted)
    }

    /// P.56 level of each third, from the cumulative counts of the snapshots (the envelope and
    /// hangover carry over across the cut, as in one continuous run). The thirds are cut at whole
    /// seconds up to 17 minutes (1,024 snapshots); beyond, at the nearest snapshot, which is at
    /// most half the snapshot interval away (8 s in a 4-hour call).
    private func thirds(totalSamples n: Int) -> [Double?] {
        let samplesPerSecond = 10 * samplesPer100ms
        let seconds = Double(n) / Double(samplesPerSecond)
        guard seconds >= 3 else { return [] }
        let interval = Double(snapshotSeconds)
        // Snapshot numbers (1-based) nearest to a third and two thirds of the way.
        let cuts = [max(1, Int((seconds / 3 / interval).rounded())), max(1, Int((2 * seconds / 3 / interval).rounded()))]
        guard cuts[1] <= snapshotSquareSums.count, cuts[1] > cuts[0] else { return [] }
        let t = SpeechVoltmeter.thresholdCount
        var result: [Double?] = []
        var previousCounts = [Int](repeating: 0, count: t), previousSquares = 0.0, previousSamples = 0
        var counts = [Int](repeating: 0, count: t)
        for third in 0..<3 {
            let squares: Double, samples: Int
            if third < 2 {
                let s = cuts[third]
                for j in 0..<t { counts[j] = snapshotCounts[(s - 1) * t + j] }
                squares = snapshotSquareSums[s - 1]
                samples = s * snapshotSeconds * samplesPerSecond
            } else {
                for j in 0..<t { counts[j] = activeCounts[j] }
                squares = squareSum
                samples = n
            }
            var delta = (0..<t).map { counts[$0] - previousCounts[$0] }
            let level = delta.withUnsafeMutableBufferPointer { d in
                SpeechVoltmeter.evaluate(squareSum: squares - previousSquares, sampleCount: samples - previousSamples,
                                         activeCounts: UnsafeBufferPointer(d)).levelDBov
            }
            result.append(level.map(Self.dB))
            previousCounts = counts; previousSquares = squares; previousSamples = samples
        }
        return result
    }

    static func dB(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
    static func ratio(_ x: Double) -> Double { (x * 1_000_000).rounded() / 1_000_000 }
}

/// The noise floor counts each 10 ms block once the speech around it is final, so the blocks of
/// a long call are not kept to its end.
extension ChannelLevelMeter: SpeechRunObserver {
    public func speechRunsFinal(_ runs: [Range<Int>], before frame: Int, timeBase: TimeBase) {
        // Blocks whose centres lie a guard before the first unfinished frame's start.
        let through = timeBase.seconds(ofFrame: frame) - timeBase.hopSeconds / 2 - settings.noiseGuardSeconds
        settleNoise(speech: FrameRuns.segments(runs, timeBase: timeBase), throughSeconds: through)
    }
}
