import DSP
import Foundation

/// Streams one channel's samples (the same decoded blocks the front end receives, any block size)
/// through every level measure at once, then summarises them as `LoudnessMeasures`.
///
/// Per sample, one fused pass: K-weighting (two Double biquads, `KWeighting`), the P.56 envelope
/// and threshold counting (`SpeechVoltmeter`, run-length coded so the 15 thresholds cost nothing
/// per sample), DC and mean-square sums, and clipping runs; true peak runs on its own gated
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

    // K-weighting coefficients and state (direct form I).
    private let shelf: Biquad, highPass: Biquad
    private var sx1 = 0.0, sx2 = 0.0, sy1 = 0.0, sy2 = 0.0
    private var hx1 = 0.0, hx2 = 0.0, hy1 = 0.0, hy2 = 0.0
    // P.56 envelope and run-length coded threshold counting.
    private let g: Double, oneMinusG: Double
    private let hangover: Int
    private var p = 0.0, q = 0.0
    private var runLevel = 0, runStart = 0
    private let activeCounts: UnsafeMutablePointer<Int>      // a_j, cumulative
    /// The shelf's output for the stretch being filtered (one 10 ms block at most).
    private let shelved: UnsafeMutablePointer<Double>
    private let lastActive: UnsafeMutablePointer<Int>        // last sample with q ≥ c_j
    // Sums.
    private var sampleIndex = 0
    private var sum = 0.0, squareSum = 0.0
    // 10 ms raw mean squares.
    private var tenMsIndex = 0, tenMsStart = 0, nextTenMs: Int
    private var tenMsSquares = 0.0
    /// Levels of the 10 ms blocks the noise floor has not counted yet (see `speechRunsFinal`).
    private var tenMsLevelsDB: [Float16] = []
    private var noise: NoiseFloor
    // 100 ms K-weighted energies (libebur128's block length: (rate + 5) / 10 samples).
    private let samplesPer100ms: Int
    private var nextHundredMs: Int
    private var hundredMsEnergy = 0.0
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
        shelf = k.shelf
        highPass = k.highPass
        g = SpeechVoltmeter.smoothing(sampleRateHz: sampleRateHz)
        oneMinusG = 1 - g
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
        shelved = .allocate(capacity: Int((sampleRateHz / 100).rounded(.up)) + 2)
    }

    deinit {
        activeCounts.deallocate()
        lastActive.deallocate()
        shelved.deallocate()
    }

    public func consume(_ samples: [Float]) { samples.withUnsafeBufferPointer { consume($0) } }

    public func consume(_ samples: UnsafeBufferPointer<Float>) {
        if measuresTruePeak { truePeak.consume(samples) }
        // Hot state in locals; written back after the block.
        let (sb0, sb1, sb2, sa1, sa2) = (shelf.b0, shelf.b1, shelf.b2, shelf.a1, shelf.a2)
        let (ha1, ha2) = (highPass.a1, highPass.a2)       // numerator is [1, −2, 1]
        var (sx1, sx2, sy1, sy2) = (self.sx1, self.sx2, self.sy1, self.sy2)
        var (hx1, hx2, hy1, hy2) = (self.hx1, self.hx2, self.hy1, self.hy2)
        var (p, q) = (self.p, self.q)
        var sum = self.sum, squareSum = self.squareSum
        var tenMsSquares = self.tenMsSquares, hundredMsEnergy = self.hundredMsEnergy
        var clipRun = self.clipRun
        let clipLevel = self.clipLevel
        var i = 0
        while i < samples.count {
            let boundary = min(nextTenMs, nextHundredMs, nextSecond)
            let end = min(samples.count, i + (boundary - sampleIndex))
            let base = sampleIndex - i                    // absolute index of samples[0]
            // One pass per measure over the stretch (at most 10 ms), each with few live values so
            // its loop-carried state stays in registers. Every accumulator and filter sees the
            // same operations in the same order as in one fused per-sample loop: the results are
            // bit for bit those of the fused loop.
            let count = end - i
            let source = samples.baseAddress! + i
            var blockSquares = 0.0
            Self.sums(source, count: count, sum: &sum, squares: &blockSquares)
            // K-weighting: shelf then RLB high-pass (BS.1770-4 Annex 1), the shelf's output
            // staged in `shelved`.
            Self.shelf(source, count: count, into: shelved, b0: sb0, b1: sb1, b2: sb2, a1: sa1, a2: sa2,
                       x1: &sx1, x2: &sx2, y1: &sy1, y2: &sy2)
            Self.highPassEnergy(shelved, count: count, a1: ha1, a2: ha2, x1: &hx1, x2: &hx2, y1: &hy1, y2: &hy2,
                                energy: &hundredMsEnergy)
            // P.56 process 2: envelope, then the number of thresholds it reaches.
            envelope(source, count: count, firstIndex: base + i, p: &p, q: &q)
            // Clipping: runs of ≥ 3 samples at or within 0.1 dB of full scale.
            Self.clipping(source, count: count, clipLevel: clipLevel, run: &clipRun, clipped: &clippedCount)
            squareSum += blockSquares
            tenMsSquares += blockSquares
            sampleIndex += end - i
            i = end
            if sampleIndex == nextTenMs {
                tenMsLevelsDB.append(Float16(Decibels.fromPower(tenMsSquares / Double(nextTenMs - tenMsStart))))
                tenMsSquares = 0
                tenMsStart = nextTenMs
                tenMsIndex += 1
                nextTenMs = Int((Double(tenMsIndex + 1) * sampleRateHz / 100).rounded())
                // Flush tiny filter states to zero so long digital silence never reaches denormals.
                if abs(sy1) < 1e-30 && abs(sy2) < 1e-30 { sy1 = 0; sy2 = 0 }
                if abs(hy1) < 1e-30 && abs(hy2) < 1e-30 { hy1 = 0; hy2 = 0 }
                if q < 1e-30 { p = 0; q = 0 }
            }
            if sampleIndex == nextHundredMs {
                kEnergies.append(Float(hundredMsEnergy))
                hundredMsEnergy = 0
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
        (self.sx1, self.sx2, self.sy1, self.sy2) = (sx1, sx2, sy1, sy2)
        (self.hx1, self.hx2, self.hy1, self.hy2) = (hx1, hx2, hy1, hy2)
        (self.p, self.q) = (p, q)
        self.sum = sum; self.squareSum = squareSum
        self.tenMsSquares = tenMsSquares; self.hundredMsEnergy = hundredMsEnergy
        self.clipRun = clipRun
    }

    // The passes of `consume`, each on its own so its state and coefficients stay in registers.

    @inline(never)
    static func sums(_ source: UnsafePointer<Float>, count: Int, sum: inout Double, squares: inout Double) {
        var s = sum, s2 = squares
        for t in 0..<count {
            let x = Double(source[t])
            s += x
            s2 += x * x
        }
        sum = s; squares = s2
    }

    /// The K-weighting shelf, direct form I. The y[n−1] term is added last: it alone is on the
    /// loop-carried critical path. Two samples per step, so the state shifts need no moves.
    @inline(never)
    static func shelf(_ source: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Double>,
                      b0: Double, b1: Double, b2: Double, a1: Double, a2: Double,
                      x1: inout Double, x2: inout Double, y1: inout Double, y2: inout Double) {
        var (sx1, sx2, sy1, sy2) = (x1, x2, y1, y2)
        var t = 0
        while t + 2 <= count {
            let u0 = Double(source[t]), u1 = Double(source[t + 1])
            let v0 = (b0 * u0 + b1 * sx1 + b2 * sx2 - a2 * sy2) - a1 * sy1
            let v1 = (b0 * u1 + b1 * u0 + b2 * sx1 - a2 * sy1) - a1 * v0
            out[t] = v0; out[t + 1] = v1
            sx2 = u0; sx1 = u1; sy2 = v0; sy1 = v1
            t += 2
        }
        if t < count {
            let u = Double(source[t])
            let v = (b0 * u + b1 * sx1 + b2 * sx2 - a2 * sy2) - a1 * sy1
            out[t] = v
            sx2 = sx1; sx1 = u; sy2 = sy1; sy1 = v
        }
        (x1, x2, y1, y2) = (sx1, sx2, sy1, sy2)
    }

    /// The RLB high-pass (numerator [1, −2, 1]), direct form I, adding z² to `energy`.
    @inline(never)
    static func highPassEnergy(_ source: UnsafePointer<Double>, count: Int, a1: Double, a2: Double,
                               x1: inout Double, x2: inout Double, y1: inout Double, y2: inout Double,
                               energy: inout Double) {
        var (hx1, hx2, hy1, hy2) = (x1, x2, y1, y2)
        var e = energy
        var t = 0
        while t + 2 <= count {
            let u0 = source[t], u1 = source[t + 1]
            let z0 = (u0 - 2 * hx1 + hx2 - a2 * hy2) - a1 * hy1
            e += z0 * z0
            let z1 = (u1 - 2 * u0 + hx1 - a2 * hy1) - a1 * z0
            e += z1 * z1
            hx2 = u0; hx1 = u1; hy2 = z0; hy1 = z1
            t += 2
        }
        if t < count {
            let u = source[t]
            let z = (u - 2 * hx1 + hx2 - a2 * hy2) - a1 * hy1
            e += z * z
            hx2 = hx1; hx1 = u; hy2 = hy1; hy1 = z
        }
        (x1, x2, y1, y2) = (hx1, hx2, hy1, hy2)
        energy = e
    }

    /// Counts runs of ≥ 3 samples at or above `clipLevel` in magnitude into `clipped`; `run` is
    /// the run still open. Outside a run it only looks for the next loud sample.
    @inline(never)
    static func clipping(_ source: UnsafePointer<Float>, count: Int, clipLevel: Float, run: inout Int, clipped: inout Int) {
        var r = run, c = clipped
        var t = 0
        while t < count {
            if r == 0 {
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

    /// The P.56 envelope (process 2) over the stretch; where the number of thresholds it
    /// reaches changes, the run of the old number is counted (`closeRun`). The number changes
    /// exactly when q leaves [2^(level−16), 2^(level−15)), so the loop compares q with the
    /// bounds of the current number instead of deriving the number every sample.
    @inline(never)
    private func envelope(_ source: UnsafePointer<Float>, count: Int, firstIndex: Int, p: inout Double, q: inout Double) {
        var (pp, qq) = (p, q)
        let (g, h) = (self.g, oneMinusG)
        var bounds = SpeechVoltmeter.envelopeBounds(level: runLevel)
        for t in 0..<count {
            let ax = abs(Double(source[t]))
            pp = g * pp + h * ax
            qq = g * qq + h * pp
            if qq < bounds.lower || qq >= bounds.upper {
                let now = SpeechVoltmeter.level(ofEnvelope: qq)
                closeRun(through: firstIndex + t - 1)
                runLevel = now
                runStart = firstIndex + t
                bounds = SpeechVoltmeter.envelopeBounds(level: now)
            }
        }
        (p, q) = (pp, qq)
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
            tenMsLevelsDB.append(Float16(Decibels.fromPower(tenMsSquares / Double(sampleIndex - tenMsStart))))
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
        m.dcOffset = Self.ratio(sum / Double(n))
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
