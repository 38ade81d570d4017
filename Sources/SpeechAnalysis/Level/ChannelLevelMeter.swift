import DSP
import Foundation

/// Streams one channel's samples (the same decoded blocks the front end receives, any block size)
/// through every level measure at once, then summarises them as `LoudnessMeasures`.
///
/// Per sample, one fused pass: K-weighting (two Double biquads, `KWeighting`), the P.56 envelope
/// and threshold counting (`SpeechVoltmeter`, run-length coded so the 15 thresholds cost nothing
/// per sample), DC and mean-square sums, and clipping runs; true peak runs on its own gated
/// interpolator (`TruePeakDetector`). No allocation per sample. What `finish` needs later is kept
/// compactly: K-weighted energy per 100 ms (Double, 80 B/s), raw mean square per 10 ms (Float,
/// 400 B/s), P.56 counts once per second (128 B/s) — about 0.6 kB per second of audio.
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
    private let lastActive: UnsafeMutablePointer<Int>        // last sample with q ≥ c_j
    // Sums.
    private var sampleIndex = 0
    private var sum = 0.0, squareSum = 0.0
    // 10 ms raw mean squares.
    private var tenMsIndex = 0, tenMsStart = 0, nextTenMs: Int
    private var tenMsSquares = 0.0
    private var tenMsMeanSquares: [Float] = []
    // 100 ms K-weighted energies (libebur128's block length: (rate + 5) / 10 samples).
    private let samplesPer100ms: Int
    private var nextHundredMs: Int
    private var hundredMsEnergy = 0.0
    private var kEnergies: [Double] = []
    // P.56 snapshots once per second (10 × 100 ms blocks).
    private var nextSecond: Int
    private var secondCounts: [Int] = []                     // 15 per second, cumulative a_j
    private var secondSquareSums: [Double] = []
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

    init(sampleRateHz: Double, settings: LevelSettings, measuresTruePeak: Bool, expectedSamples: Int = 0) {
        self.measuresTruePeak = measuresTruePeak
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
        tenMsMeanSquares.reserveCapacity(Int(expectedSeconds * 100) + 1)
        kEnergies.reserveCapacity(Int(expectedSeconds * 10) + 1)
        activeCounts = .allocate(capacity: SpeechVoltmeter.thresholdCount)
        activeCounts.initialize(repeating: 0, count: SpeechVoltmeter.thresholdCount)
        lastActive = .allocate(capacity: SpeechVoltmeter.thresholdCount)
        lastActive.initialize(repeating: Int.min / 2, count: SpeechVoltmeter.thresholdCount)  // "hang = I" at start
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
        // Hot state in locals; written back after the block.
        let (sb0, sb1, sb2, sa1, sa2) = (shelf.b0, shelf.b1, shelf.b2, shelf.a1, shelf.a2)
        let (ha1, ha2) = (highPass.a1, highPass.a2)       // numerator is [1, −2, 1]
        var (sx1, sx2, sy1, sy2) = (self.sx1, self.sx2, self.sy1, self.sy2)
        var (hx1, hx2, hy1, hy2) = (self.hx1, self.hx2, self.hy1, self.hy2)
        var (p, q) = (self.p, self.q)
        let (g, h) = (self.g, self.oneMinusG)
        var sum = self.sum, squareSum = self.squareSum
        var tenMsSquares = self.tenMsSquares, hundredMsEnergy = self.hundredMsEnergy
        var clipRun = self.clipRun
        let clipLevel = self.clipLevel
        var i = 0
        while i < samples.count {
            let boundary = min(nextTenMs, nextHundredMs, nextSecond)
            let end = min(samples.count, i + (boundary - sampleIndex))
            let base = sampleIndex - i                    // absolute index of samples[0]
            var blockSquares = 0.0
            for t in i..<end {
                let xf = samples[t]
                let x = Double(xf)
                sum += x
                blockSquares += x * x
                // K-weighting: shelf then RLB high-pass (BS.1770-4 Annex 1).
                // The y[n−1] term is added last: it alone is on the loop-carried critical path.
                let y = (sb0 * x + sb1 * sx1 + sb2 * sx2 - sa2 * sy2) - sa1 * sy1
                sx2 = sx1; sx1 = x; sy2 = sy1; sy1 = y
                let z = (y - 2 * hx1 + hx2 - ha2 * hy2) - ha1 * hy1
                hx2 = hx1; hx1 = y; hy2 = hy1; hy1 = z
                hundredMsEnergy += z * z
                // P.56 process 2: envelope, then the number of thresholds it reaches.
                let ax = abs(x)
                p = g * p + h * ax
                q = g * q + h * p
                let level = SpeechVoltmeter.level(ofEnvelope: q)
                if level != runLevel {
                    closeRun(through: base + t - 1)
                    runLevel = level
                    runStart = base + t
                }
                // Clipping: runs of ≥ 3 samples at or within 0.1 dB of full scale.
                if abs(xf) >= clipLevel {
                    clipRun += 1
                } else if clipRun > 0 {
                    if clipRun >= 3 { clippedCount += clipRun }
                    clipRun = 0
                }
            }
            squareSum += blockSquares
            tenMsSquares += blockSquares
            sampleIndex += end - i
            i = end
            if sampleIndex == nextTenMs {
                tenMsMeanSquares.append(Float(tenMsSquares / Double(nextTenMs - tenMsStart)))
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
                kEnergies.append(hundredMsEnergy)
                hundredMsEnergy = 0
                nextHundredMs += samplesPer100ms
            }
            if sampleIndex == nextSecond {
                closeRun(through: sampleIndex - 1)
                runStart = sampleIndex
                for j in 0..<SpeechVoltmeter.thresholdCount { secondCounts.append(activeCounts[j]) }
                secondSquareSums.append(squareSum)
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
            tenMsMeanSquares.append(Float(tenMsSquares / Double(sampleIndex - tenMsStart)))
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

        let noise = NoiseFloor.measure(blockMeanSquares: tenMsMeanSquares, blockSeconds: 0.01,
                                       speechSegments: speechSegments, guardSeconds: settings.noiseGuardSeconds,
                                       outlierDB: settings.noiseOutlierDB)
        m.noiseFloorDBFS = noise.noiseFloorDBFS.map(Self.dB)
        m.snrDB = noise.snrDB.map(Self.dB)

        let durationSeconds = Double(n) / sampleRateHz
        let speechSeconds = speechSegments.reduce(0.0) { $0 + max(0, min($1.end, durationSeconds) - max($1.start, 0)) }
        let speechSamples = speechSeconds > 0 ? speechSeconds * sampleRateHz : p56.activityFactor * Double(n)
        m.clippedSampleRatio = speechSamples >= 1 ? Self.ratio(min(1, Double(clippedCount) / speechSamples)) : nil
        m.dcOffset = Self.ratio(sum / Double(n))
        return m
    }

    /// P.56 level of each third, from the per-second cumulative counts (thirds rounded to whole
    /// seconds; the envelope and hangover carry over across the cut, as in one continuous run).
    private func thirds(totalSamples n: Int) -> [Double?] {
        let samplesPerSecond = 10 * samplesPer100ms
        let seconds = Double(n) / Double(samplesPerSecond)
        guard seconds >= 3 else { return [] }
        let cuts = [Int((seconds / 3).rounded()), Int((2 * seconds / 3).rounded())]
        let stored = secondSquareSums.count
        guard cuts[1] <= stored, cuts[0] >= 1 else { return [] }
        let t = SpeechVoltmeter.thresholdCount
        var result: [Double?] = []
        var previousCounts = [Int](repeating: 0, count: t), previousSquares = 0.0, previousSamples = 0
        var counts = [Int](repeating: 0, count: t)
        for third in 0..<3 {
            let squares: Double, samples: Int
            if third < 2 {
                let s = cuts[third]
                for j in 0..<t { counts[j] = secondCounts[(s - 1) * t + j] }
                squares = secondSquareSums[s - 1]
                samples = s * samplesPerSecond
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
