import DSP
import Foundation

/// F0 of one channel every hop, by the autocorrelation method of Boersma (1993), "Accurate
/// short-term analysis of the fundamental frequency and the harmonics-to-noise ratio of a sampled
/// sound", IFA Proceedings 17, pp. 97–110 (the method of Praat's `To Pitch (ac)`).
///
/// A `FrameObserver` of the channel's `ChannelFrontEnd`: per frame it receives |X_k|² of the
/// Hann-windowed, zero-padded frame (a frame too quiet to be voiced on any path, `QuietFrameGate`,
/// keeps only its RMS and skips steps 1–3) and
/// 1. transforms it back once (Wiener–Khinchin) to the autocorrelation r_a(τ) of the windowed frame
///    (the front end's FFT is at least window + 1/minimum-F0 long, so lags do not wrap around);
/// 2. divides by the window's own autocorrelation: r_x(τ) ≈ (r_a(τ)/r_a(0)) / (r_w(τ)/r_w(0))
///    (Boersma 1993), which removes the window's taper so periodic frames score ≈ 1 at
///    their period even when the fundamental itself is missing (telephone band);
/// 3. keeps the `maximumCandidateCount` best local maxima in 1/maximumF0 … 1/minimumF0, each
///    refined by parabolic interpolation, stored compactly (4 bytes per candidate);
/// 4. at `finish`, chooses the path through voiced candidates and the unvoiced candidate with
///    a Viterbi pass (`PitchPath`): octave cost, octave-jump cost and voiced/unvoiced cost; then
///    a second pass over the same candidates with a soft cost outside the speaker's range found by
///    the first (Hirst 2011), which removes most octave errors of band-limited (telephone) voices
///    whose fundamental is missing, and with a silence reference without the call-progress tones
///    the first found.
///
/// Deviations from Boersma 1993 / Praat: the local mean is not subtracted (DC bin zeroed
/// instead); peaks are interpolated parabolically (Praat's "very accurate" sinc interpolation is
/// off by default too); the silence reference is the 99th percentile of frame RMS, not the
/// file's absolute peak, and the track's leaves call-progress tones out (`steadyToneFrames`); the
/// window is the front end's (40 ms Hann by default, i.e. 2 periods of 50 Hz, 3 periods of Praat's
/// default 75 Hz floor).
///
/// Long recordings are decoded a chunk at a time (`chunkFrames`, 5 minutes, with
/// `contextFrames` of context either side that are decoded but not kept), so candidates are
/// held for at most 2 chunks: a recording shorter than 10 minutes and 1 s is decoded in one piece. In longer
/// ones, the silence reference and the speaker range come from everything up to the end of the
/// chunk (histograms of frame RMS and of first-pass F0 carried from chunk to chunk).
///
/// Memory: per frame 1 + 4·6 + 4 = 29 bytes for the candidates of at most 2 chunks (1.8 MB);
/// the track keeps 2 bytes per frame. No allocation per frame beyond amortised array growth
/// (`expectedFrames` reserves).
public final class PitchTracker: FrameObserver {
    public let settings: PitchSettings
    public let timeBase: TimeBase
    public let fftSize: Int
    /// Most voiced candidates kept per frame (Praat keeps 15; the path rarely uses more than 3).
    public static let maximumCandidateCount = 6
    /// The track, available after the front end's `finish()`.
    public private(set) var track: PitchTrack?

    let minimumLag: Int
    let maximumLag: Int
    private let fft: RealFFT
    private let windowEnergy: Float
    /// r_w(0)/r_w(τ) for τ = 0 … maximumLag + 1, then `lanePadding` zeros.
    let inverseWindowCorrelation: UnsafeMutableBufferPointer<Float>
    /// Normalised autocorrelation of the current frame, τ = 0 … maximumLag + 1, then `lanePadding`
    /// lags the eight-lag loops may read or write past the end (never used as values).
    private let normalised: UnsafeMutableBufferPointer<Float>
    /// The current frame's candidates (`searchCandidates`), zero past their count.
    let scratchCode: UnsafeMutableBufferPointer<UInt16>
    let scratchStrength: UnsafeMutableBufferPointer<Int16>
    private let scratchRank: UnsafeMutableBufferPointer<Float>

    /// Candidates of frames [storedFrom, storedFrom + storage.frameCount).
    // Per-frame state of a one-task class: no overlapping access, so no runtime exclusivity check (issue 18).
    @exclusivity(unchecked) private var storage: PitchCandidates
    private var storedFrom = 0
    /// The track so far: frames [0, f0Hz.count).
    @exclusivity(unchecked) private var f0Hz: [Float16] = []
    /// Frames decoded per chunk (5 minutes at a 10 ms hop) and context decoded either side.
    let chunkFrames: Int
    static let standardChunkFrames = 30_000
    static let contextFrames = 100
    /// Frame RMS of the frames decoded so far, and of those among them that the first pass found
    /// to be call-progress tones (`steadyToneFrames`).
    private var decodedRMS = FrameRMSHistogram()
    private var decodedToneRMS = FrameRMSHistogram()
    /// First-pass F0 codes (`PitchCandidates.code`) of the voiced frames decoded so far.
    private var decodedFirstPass: [Int32] = []
    private var decodedFirstPassCount = 0
    /// Which frames cannot be voiced, from their RMS and the loud frames so far (issue 18).
    @exclusivity(unchecked) private var gate: QuietFrameGate
    /// Frames the gate skipped (tests).
    private(set) var skippedFrameCount = 0
    /// Decoded spans that ended past the gate's `spanEndLimit` of their first frame (tests: must be 0).
    private(set) var spanOverLimitCount = 0
    /// N·Σw² · 1.001: energy per RMS² of a frame, with the margin of `lowBinsRuleOut`.
    private let lowBinsEnergyScale: Float
    /// Debug builds: frames `lowBinsRuleOut` analysed without the whole sum, and those among them the
    /// whole test would have skipped (tests: must be 0).
    private(set) var lowBinsRuledOutCount = 0, lowBinsMissCount = 0
    let sampleRate: Float, candidateFloor: Float, octaveCost: Float, minimumF0: Float, maximumF0: Float

    /// - Parameters:
    ///   - frontEnd: the channel's front end; the tracker adopts its framing and FFT size.
    ///     Attach with `frontEnd.frameObservers.append(tracker)`.
    ///   - expectedFrames: frames to reserve room for (0 if unknown).
    public convenience init(frontEnd: ChannelFrontEnd, settings: PitchSettings = .standard,
                            measurePlans: Bool = false, expectedFrames: Int = 0) {
        self.init(timeBase: frontEnd.timeBase, fftSize: frontEnd.fftSize, settings: settings,
                  measurePlans: measurePlans, expectedFrames: expectedFrames)
    }

    public convenience init(timeBase: TimeBase, fftSize: Int, settings: PitchSettings = .standard,
                            measurePlans: Bool = false, expectedFrames: Int = 0) {
        self.init(timeBase: timeBase, fftSize: fftSize, settings: settings, measurePlans: measurePlans,
                  expectedFrames: expectedFrames, chunkFrames: Self.standardChunkFrames)
    }

    /// - Parameter chunkFrames: frames decoded per chunk (tests use short chunks).
    /// - Parameter skipsQuietFrames: whether `QuietFrameGate` may skip frames (tests compare both).
    /// - Parameter skipsQuietRuns: whether it may also skip a frame by its run test (tests compare).
    init(timeBase: TimeBase, fftSize: Int, settings: PitchSettings, measurePlans: Bool, expectedFrames: Int,
         chunkFrames: Int, skipsQuietFrames: Bool = true, skipsQuietRuns: Bool = true) {
        self.chunkFrames = max(chunkFrames, 2 * Self.contextFrames)
        self.settings = settings
        self.timeBase = timeBase
        self.fftSize = fftSize
        let rate = timeBase.sampleRateHz
        let window = timeBase.windowSamples
        minimumLag = max(2, Int((rate / settings.maximumF0Hz).rounded(.down)))
        maximumLag = Int((rate / settings.minimumF0Hz).rounded(.up))
        precondition(maximumLag + 1 < window,
                     "pitch floor \(settings.minimumF0Hz) Hz needs a window longer than 1/floor")
        precondition(maximumLag + 1 + max(window, Self.lanePadding) <= fftSize,
                     "FFT size \(fftSize) too short for the pitch floor: raise FrontEndSettings.lowestF0Hz's reach")
        fft = RealFFT(size: fftSize, measure: measurePlans)

        // Window autocorrelation by the same FFT path the frames take.
        let hann = Window.hann(window)
        windowEnergy = hann.reduce(0) { $0 + $1 * $1 }
        lowBinsEnergyScale = Float(fftSize) * windowEnergy * 1.001
        for i in 0..<fftSize { fft.input[i] = i < window ? hann[i] : 0 }
        fft.forward()
        let bins = fftSize / 2 + 1
        for k in 0..<bins {
            let re = fft.spectrum[2 * k], im = fft.spectrum[2 * k + 1]
            fft.spectrum[2 * k] = re * re + im * im
            fft.spectrum[2 * k + 1] = 0
        }
        fft.inverse()
        inverseWindowCorrelation = .allocate(capacity: maximumLag + 2 + Self.lanePadding)
        inverseWindowCorrelation.initialize(repeating: 0)
        let rw0 = fft.input[0]
        for lag in 0...(maximumLag + 1) { inverseWindowCorrelation[lag] = rw0 / fft.input[lag] }
        normalised = .allocate(capacity: maximumLag + 2 + Self.lanePadding)
        normalised.initialize(repeating: 0)
        scratchCode = .allocate(capacity: Self.maximumCandidateCount)
        scratchStrength = .allocate(capacity: Self.maximumCandidateCount)
        sampleRate = Float(timeBase.sampleRateHz)
        candidateFloor = Float(0.5 * settings.voicingThreshold)
        octaveCost = Float(settings.octaveCost)
        minimumF0 = Float(settings.minimumF0Hz)
        maximumF0 = Float(settings.maximumF0Hz)
        scratchRank = .allocate(capacity: Self.maximumCandidateCount)
        let held = min(expectedFrames, 2 * self.chunkFrames + 2 * Self.contextFrames)
        storage = PitchCandidates(capacity: Self.maximumCandidateCount, expectedFrames: held)
        gate = QuietFrameGate(settings: settings, hopSeconds: timeBase.hopSeconds, chunkFrames: self.chunkFrames,
                              contextFrames: Self.contextFrames, enabled: skipsQuietFrames, skipsRuns: skipsQuietRuns)
        f0Hz.reserveCapacity(expectedFrames)
    }

    deinit {
        inverseWindowCorrelation.deallocate()
        normalised.deallocate()
        scratchCode.deallocate()
        scratchStrength.deallocate()
        scratchRank.deallocate()
    }

    public func observe(frameIndex: Int, powerSpectrum: UnsafeBufferPointer<Float>) {
        precondition(frameIndex == storedFrom + storage.frameCount, "frames must arrive in order")
        defer {
            if storedFrom + storage.frameCount >= f0Hz.count + 2 * chunkFrames + Self.contextFrames {
                decode(through: f0Hz.count + chunkFrames)
            }
        }
        let bins = powerSpectrum.count
        // Frames too quiet to be voiced on any path skip the inverse FFT and the candidate search
        // (`QuietFrameGate`: alone, or with the quiet frames just before it). Their energy r_a(0)·N
        // is the sum of the two-sided spectrum, DC removed.
        // A frame whose lowest bins alone carry more energy than a skipped frame can have is analysed
        // without the whole sum (`lowBinsRuleOut`).
        if gate.thresholdRMS > 0, !lowBinsRuleOut(powerSpectrum) {
            let directEnergy = Self.twoSidedSum(powerSpectrum)
            let directRMS = (directEnergy / (Float(fftSize) * windowEnergy)).squareRoot()
            if directEnergy > 0, gate.skips(rms: directRMS) {
                for j in 0..<Self.maximumCandidateCount { scratchCode[j] = 0; scratchStrength[j] = 0 }
                storage.append(rms: directRMS, codes: scratchCode, strengths: scratchStrength, count: 0)
                gate.add(rms: directRMS, frameIndex: frameIndex, toneWindows: 0)
                skippedFrameCount += 1
                return
            }
        }
        let spectrum = fft.spectrum
        // Interleave |X_k|² as real parts with zero imaginary parts, eight bins per step (pointer
        // arithmetic, so the index needs no overflow checks).
        let source = powerSpectrum.baseAddress!, target = spectrum.baseAddress!
        var bin = 0
        while bin &+ 8 <= bins {
            let p = UnsafeRawPointer(source + bin).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(target + 2 &* bin).storeBytes(
                of: SIMD16<Float>(p[0], 0, p[1], 0, p[2], 0, p[3], 0, p[4], 0, p[5], 0, p[6], 0, p[7], 0),
                as: SIMD16<Float>.self)
            bin &+= 8
        }
        while bin < bins {
            target[2 &* bin] = source[bin]
            target[2 &* bin &+ 1] = 0
            bin &+= 1
        }
        spectrum[0] = 0  // DC removed (stands in for Boersma's local-mean subtraction)
        fft.inverse()  // input[τ] = N · r_a(τ)
        let a = fft.input
        let energy = a[0]
        guard energy > 0, energy.isFinite else {
            for j in 0..<Self.maximumCandidateCount { scratchCode[j] = 0; scratchStrength[j] = 0 }
            storage.append(rms: 0, codes: scratchCode, strengths: scratchStrength, count: 0)
            gate.add(rms: 0, frameIndex: frameIndex, toneWindows: 0)
            return
        }
        let rms = (energy / (Float(fftSize) * windowEnergy)).squareRoot()
        let count = searchCandidates(autocorrelation: a, energy: energy)
        gate.add(rms: rms, frameIndex: frameIndex,
                 toneWindows: gate.rmsPerLoud > 0 ? gate.toneWindows(scratchCode, count: count) : 0)
        storage.append(rms: rms, codes: scratchCode, strengths: scratchStrength, count: count)
    }

    /// Steps 2 and 3 for one frame: from `a` = N · r_a(τ) (τ = 0 … maximumLag + 1) and
    /// `energy` = a[0] (positive, finite), writes the candidates to `scratchCode` and
    /// `scratchStrength` (zero past the count) and returns their count.
    ///
    /// Eight lags per step: the normalisation is elementwise, the same two products per lag as one
    /// lag at a time, and the local-maximum test compares the same values, so candidates, their
    /// order and their values are the scalar loop's bit for bit (`PitchCandidateTwinTests`).
    func searchCandidates(autocorrelation a: UnsafeMutableBufferPointer<Float>, energy: Float) -> Int {
        for j in 0..<Self.maximumCandidateCount { scratchCode[j] = 0; scratchStrength[j] = 0 }
        let scale = 1 / energy
        let lo = minimumLag - 1, hi = maximumLag + 1
        // Pointer arithmetic, so the lag indices need no overflow checks. The last step may run
        // up to 7 lags past hi, into the padding (and of `a`, into lags below the FFT size).
        let r = a.baseAddress!, w = inverseWindowCorrelation.baseAddress!, n = normalised.baseAddress!
        let lanes = SIMD8<Float>.scalarCount
        var lag = lo
        while lag <= hi {
            let v = UnsafeRawPointer(r + lag).loadUnaligned(as: SIMD8<Float>.self) * scale
                * UnsafeRawPointer(w + lag).loadUnaligned(as: SIMD8<Float>.self)  // r_a / r_w (Boersma 1993)
            UnsafeMutableRawPointer(n + lag).storeBytes(of: v, as: SIMD8<Float>.self)
            lag &+= lanes
        }

        // Local maxima above the floor (Praat: half the voicing threshold), eight lags per test;
        // the last test keeps only the lanes up to maximumLag.
        let floor = SIMD8<Float>(repeating: candidateFloor)
        var count = 0
        lag = minimumLag
        while lag <= maximumLag {
            let previous = UnsafeRawPointer(n + (lag &- 1)).loadUnaligned(as: SIMD8<Float>.self)
            let current = UnsafeRawPointer(n + lag).loadUnaligned(as: SIMD8<Float>.self)
            let next = UnsafeRawPointer(n + (lag &+ 1)).loadUnaligned(as: SIMD8<Float>.self)
            var peaks = (current .> floor) .& (current .> previous) .& (current .>= next)
            if lag &+ lanes > maximumLag &+ 1 {
                peaks = peaks .& (laneIndices .< SIMD8(repeating: Int32(truncatingIfNeeded: maximumLag &+ 1 &- lag)))
            }
            if any(peaks) {
                // One bit per peak, taken lowest lag first.
                var bits = SIMD8<Int32>(repeating: 0).replacing(with: laneBits, where: peaks).wrappedSum()
                while bits != 0 {
                    consider(lag: lag &+ bits.trailingZeroBitCount, count: &count)
                    bits &= bits &- 1
                }
            }
            lag &+= lanes
        }
        return count
    }

    /// Lags past maximumLag + 1 that the eight-lag loops may touch.
    static let lanePadding = 8
    /// Lane j holds j, and 1 << j (stored, not static: a static SIMD constant is initialised lazily
    /// and checked at every use).
    private let laneIndices = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
    private let laneBits = SIMD8<Int32>(1, 2, 4, 8, 16, 32, 64, 128)

    /// Refines the local maximum of `normalised` at `lag` and keeps it if it ranks among the best.
    @inline(__always) private func consider(lag: Int, count: inout Int) {
        let n = normalised.baseAddress! + lag
        let previous = n[-1], current = n[0], next = n[1]
        // Parabolic interpolation of the peak (position and height).
        let dr = 0.5 * (next - previous), d2r = 2 * current - previous - next
        let offset = d2r > 0 ? dr / d2r : 0
        var strength = current + 0.5 * dr * offset
        let f0 = sampleRate / (Float(lag) + offset)
        guard f0 >= minimumF0 && f0 <= maximumF0 else { return }
        if strength > 1 { strength = 1 / strength }  // as Praat: reflect overshoots
        let octavesAboveFloor = log2(f0 / minimumF0)
        let rank = strength + octaveCost * octavesAboveFloor  // octave cost (Boersma 1993)
        var slot = -1
        if count < Self.maximumCandidateCount {
            slot = count
            count += 1
        } else {
            var weakest = 0
            for j in 1..<count where scratchRank[j] < scratchRank[weakest] { weakest = j }
            if rank > scratchRank[weakest] { slot = weakest }
        }
        if slot >= 0 {
            scratchRank[slot] = rank
            scratchStrength[slot] = PitchCandidates.strengthCode(strength)
            scratchCode[slot] = PitchCandidates.code(f0Hz: f0)
        }
    }

    /// Bins 1 … `lowBins` of the one-sided spectrum (1 kHz at 8 kHz and N = 512): where a telephone
    /// voice's energy lies, so a loud frame is told from their sum alone.
    static let lowBins = 64

    /// Whether bins 1 … `lowBins` alone show frame `p` too loud for the gate to skip: twice their
    /// sum (its energy in the two-sided spectrum, a lower bound of `twoSidedSum`) at or above the
    /// energy of the largest RMS the gate skips (`QuietFrameGate.thresholdRMS` alone, or
    /// `runFrameLimitRMS` with a quiet run), 0.1 % up. Exact: both sums add non-negative terms in
    /// Float, each within n·2⁻²⁴ ≈ 3·10⁻⁵ (n ≤ 513 bins) of its exact value, and RMS = √(E/(N·Σw²))
    /// is monotone in E with a rounding of a few units of 2⁻²⁴, so when this holds the whole sum's
    /// RMS is at or above both limits and the frame would not be skipped. In debug builds the
    /// whole test runs as well, and `lowBinsMissCount` counts frames it would have skipped (tests: 0).
    @inline(__always) func lowBinsRuleOut(_ p: UnsafeBufferPointer<Float>) -> Bool {
        guard p.count > Self.lowBins + 1 else { return false }
        let base = p.baseAddress! + 1
        var sum = SIMD8<Float>(repeating: 0)
        var k = 0
        while k < Self.lowBins {
            sum += UnsafeRawPointer(base + k).loadUnaligned(as: SIMD8<Float>.self)
            k &+= 8
        }
        let limitRMS = max(gate.thresholdRMS, gate.runFrameLimitRMS)
        let ruledOut = 2 * sum.sum() >= limitRMS * limitRMS * lowBinsEnergyScale
        #if DEBUG
        if ruledOut {
            let energy = Self.twoSidedSum(p)
            let rms = (energy / (Float(fftSize) * windowEnergy)).squareRoot()
            if energy > 0, gate.skips(rms: rms) { lowBinsMissCount += 1 }
            lowBinsRuledOutCount += 1
        }
        #endif
        return ruledOut
    }

    /// P_1 + … + P_{n−2} twice, plus P_{n−1}: the sum over all N bins of the Hermitian spectrum
    /// whose one-sided half (k = 0 … N/2) is `p`, without bin 0.
    static func twoSidedSum(_ p: UnsafeBufferPointer<Float>) -> Float {
        let n = p.count
        guard n >= 2 else { return 0 }
        let base = p.baseAddress!
        var sum = SIMD8<Float>(repeating: 0)
        var k = 1
        // Sixteen bins per step, added to the lanes in the same order as eight per step.
        while k &+ 16 <= n &- 1 {
            sum += UnsafeRawPointer(base + k).loadUnaligned(as: SIMD8<Float>.self)
            sum += UnsafeRawPointer(base + (k &+ 8)).loadUnaligned(as: SIMD8<Float>.self)
            k &+= 16
        }
        while k &+ 8 <= n &- 1 {
            sum += UnsafeRawPointer(base + k).loadUnaligned(as: SIMD8<Float>.self)
            k &+= 8
        }
        var tail: Float = 0
        while k < n &- 1 { tail += base[k]; k &+= 1 }
        return 2 * (sum.sum() + tail) + p[n - 1]
    }

    public func finish(frameCount: Int) {
        precondition(frameCount == storedFrom + storage.frameCount,
                     "tracker saw \(storedFrom + storage.frameCount) of \(frameCount) frames")
        decode(through: frameCount)
        track = PitchTrack(timeBase: timeBase, f0Hz: f0Hz)
        storage = PitchCandidates(capacity: Self.maximumCandidateCount, expectedFrames: 0)
        f0Hz = []
    }

    /// Decodes frames [f0Hz.count, end) from the candidates of those frames and up to
    /// `contextFrames` either side, appends them to the track, and drops candidates no longer needed.
    private func decode(through end: Int) {
        let first = f0Hz.count
        guard end > first else { return }
        let spanStart = max(storedFrom, first - Self.contextFrames)
        let spanEnd = min(storedFrom + storage.frameCount, end + Self.contextFrames)
        if spanEnd > gate.spanEndLimit(spanStart) { spanOverLimitCount += 1 }
        let whole = spanStart == storedFrom && spanEnd == storedFrom + storage.frameCount
        let candidates = whole ? storage : storage.slice((spanStart - storedFrom)..<(spanEnd - storedFrom))
        let kept = (first - spanStart)..<(end - spanStart)
        // Silence reference and speaker range over everything up to the span's end (the whole
        // recording when it is decoded in one piece). The first pass, which finds the tones, takes
        // the reference over every frame.
        var rms = FrameRMSHistogram()
        rms.add(candidates.rms[(first - spanStart)...])
        let loud = (decodedRMS + rms).percentile99
        var track = PitchPath.choose(candidates, timeBase: timeBase, settings: settings, loudFrameRMS: loud)
        if decodedFirstPass.isEmpty { decodedFirstPass = [Int32](repeating: 0, count: 65_536) }
        // The speaker's range and the silence reference of the track are the voice's: call-progress
        // tones on the same channel (ring-back) would pull the range towards themselves, and a ring
        // louder than the voice would raise the reference, so the voice's quietest voiced frames
        // would turn unvoiced (27 fixture voices after 3 rings, `RingbackTests`: voicing changed on
        // 116 of 9,540 frames with the rings in the reference, 4 of 9,493 without). `QuietFrameGate`
        // stays exact: its bound counts no frame that can be a tone frame of a first pass, so it is
        // at most this tone-free reference as well as `loud`.
        let tone = Self.steadyToneFrames(track.f0Hz)
        var toneFreeLoud = loud
        if decodedToneRMS.total > 0 || tone[(first - spanStart)...].contains(true) {
            var spanTone = FrameRMSHistogram()
            for i in (first - spanStart)..<tone.count where tone[i] { spanTone.add(rms: candidates.rms[i]) }
            toneFreeLoud = (decodedRMS - decodedToneRMS + rms - spanTone).percentile99
            for i in kept where tone[i] { decodedToneRMS.add(rms: candidates.rms[i]) }
        }
        decodedRMS.add(candidates.rms[kept])
        var firstPass = decodedFirstPass, count = decodedFirstPassCount
        for i in (first - spanStart)..<track.frameCount where HalfPrecision.float(track.f0Hz[i]) > 0 && !tone[i] {
            firstPass[Int(PitchCandidates.code(f0Hz: HalfPrecision.float(track.f0Hz[i])))] += 1
            count += 1
        }
        for i in kept where HalfPrecision.float(track.f0Hz[i]) > 0 && !tone[i] {
            decodedFirstPass[Int(PitchCandidates.code(f0Hz: HalfPrecision.float(track.f0Hz[i])))] += 1
            decodedFirstPassCount += 1
        }
        if settings.speakerRangeCost > 0, let range = Self.speakerRange(codeHistogram: firstPass, count: count) {
            // Frames where the first pass glided above the ceiling from inside the range keep their
            // first-pass F0 free of the range cost (`glidedAboveCeiling`). The first pass is the
            // same with or without `QuietFrameGate`, so these frames are too.
            let glide = Self.glidedAboveCeiling(track.f0Hz, tone: tone, ceilingHz: range.upperBound,
                                                hopSeconds: timeBase.hopSeconds)
            track = PitchPath.choose(candidates, timeBase: timeBase, settings: settings, speakerRangeHz: range,
                                     glideCodes: glide, loudFrameRMS: toneFreeLoud)
        } else if toneFreeLoud != loud {
            track = PitchPath.choose(candidates, timeBase: timeBase, settings: settings, loudFrameRMS: toneFreeLoud)
        }
        f0Hz.append(contentsOf: track.f0Hz[kept])
        let drop = min(storage.frameCount, max(0, end - Self.contextFrames - storedFrom))
        if drop > 0 {
            storage.removeFirst(drop)
            storedFrom += drop
        }
    }

    /// The speaker's plausible F0 range from a first pass: 0.75 × first quartile to 1.5 × third
    /// quartile of the voiced F0 (the two-pass floor and ceiling of Hirst 2011, "The analysis by
    /// synthesis of speech melody: from data to models", Journal of Speech Sciences 1(1)), the third
    /// quartile taken no higher than `quartileOctaveLimit` × the median, from a histogram of the F0
    /// codes (`PitchCandidates.code`) of `count` voiced frames. nil with fewer than
    /// `minimumFramesForRange` voiced frames.
    ///
    /// Why the limit: an octave error of the first pass moves a frame to a multiple of its F0 (×2
    /// an octave up; through the telephone band a 60 Hz voice, its 1st–4th harmonics cut by the
    /// 300 Hz high-pass, is followed at 4.5–7.3 × F0 on a quarter or more of its frames, issue 17).
    /// Once a quarter of the voiced frames err upward, the third quartile lands on them and the
    /// ceiling, 1.5 × q75, lies above the errors, so the second pass cannot take them back. The
    /// median moves only when half the frames err. A voice's own third quartile lies well within an
    /// octave of its median: Praat's wideband tracks of the 27 fixture voices (7 sources, 3
    /// languages) give q75/median 1.08–1.58 (the en_mfa male voices, rises included, 1.17–1.49). So
    /// q75 more than an octave above the median says that a quarter of the frames sit an octave or
    /// more above the voice's body — the signature of octave errors, not of a voice — and the
    /// ceiling is then held at 1.5 × 2 × median, 1.58 octaves above it, which still admits every
    /// real rise of those voices. A channel that carries several sources can pass the octave too
    /// (devcall_mixed_03's agent channel: voices and hold music); there the limit lowers the ceiling
    /// onto the music's notes (docs/accuracy.md, Pitch). The limit only lowers the ceiling; the first
    /// pass is the same with or without `QuietFrameGate`, so this range is too (the gate's proof).
    static func speakerRange(codeHistogram: [Int32], count: Int) -> ClosedRange<Float>? {
        guard count >= minimumFramesForRange else { return nil }
        // F0 at rank r, 0 ≤ r < count (the histogram holds `count` frames).
        func value(rank: Int) -> Float {
            var seen = 0
            for (code, n) in codeHistogram.enumerated() {
                seen += Int(n)
                if seen > rank { return PitchCandidates.f0Hz(code: UInt16(code)) }
            }
            return 0
        }
        let q25 = value(rank: count / 4), q50 = value(rank: count / 2), q75 = value(rank: (3 * count) / 4)
        return (0.75 * q25)...(1.5 * min(q75, quartileOctaveLimit * q50))
    }

    /// Highest ratio of the third quartile to the median that `speakerRange` takes from a first
    /// pass: an octave (the step of an octave error).
    static let quartileOctaveLimit: Float = 2

    /// Largest F0 step between first-pass frames 10 ms apart that counts as a glide, semitones
    /// (scaled by hop / 10 ms). Xu & Sun 2002, "Maximum speed of pitch change and how it may relate
    /// to speech", JASA 111(3): the fastest rises reach ≈ 10.8 + 5.6·d st/s for an excursion of d st,
    /// so 1.5 st per 10 ms covers excursions up to two octaves (falls are of the same order); the
    /// step of an octave error (12 st in 10 ms) is no glide.
    static let glideSemitonesPer10ms: Float = 1.5

    /// Per frame of a first-pass track, the F0 code (`PitchCandidates.code`) of a frame on a glided
    /// excursion above `ceilingHz`, else 0. An excursion is a run of voiced frames above the ceiling;
    /// it is glided when the first pass glided into it and out of it: its voiced run starts at or
    /// under the ceiling and every step from that onset through the excursion is at most
    /// `glideSemitonesPer10ms`, and the frame after it is unvoiced or a step that small away. A real
    /// rise moves like that (en_mfa_mcauliffe_english_fast through the telephone band: onset 183 Hz,
    /// ceiling 200 Hz, up to 246 Hz by steps ≤ 1.03 st and back). An octave-up error jumps into the
    /// range's top or past the ceiling (zh_thchs30_D4_974's copy: 147 → 320 → 417 Hz), starts voiced
    /// above it, or, where the first pass follows the second harmonic after a real octave drop
    /// (en_ljspeech_LJ001_0004's copy at 2.31 s: 481 → 502 → 528 Hz while the F0 falls to 260 Hz),
    /// ends with a jump down to the F0. Call-progress tone frames (`steadyToneFrames`) are never
    /// glided. The first pass has no range cost and is the same with or without `QuietFrameGate`,
    /// so these codes are too (the gate's proof).
    static func glidedAboveCeiling(_ f0Hz: [Float16], tone: [Bool], ceilingHz: Float, hopSeconds: Double) -> [UInt16] {
        let n = f0Hz.count
        var codes = [UInt16](repeating: 0, count: n)
        let ceiling = Int(PitchCandidates.code(f0Hz: ceilingHz))
        let stepCodes = Int(glideSemitonesPer10ms / 12 * PitchCandidates.codesPerOctave * Float(hopSeconds / 0.01))
        // First-pass codes, 0 where unvoiced or a tone.
        let code = (0..<n).map { i -> Int in
            let f = HalfPrecision.float(f0Hz[i])
            return f > 0 && !tone[i] ? Int(PitchCandidates.code(f0Hz: f)) : 0
        }
        var glided = false  // every step of the voiced run so far a glide, from an onset at or under the ceiling
        var i = 0
        while i < n {
            guard code[i] > 0 else { glided = false; i += 1; continue }
            glided = i == 0 || code[i - 1] == 0 ? code[i] <= ceiling : glided && abs(code[i] - code[i - 1]) <= stepCodes
            guard code[i] > ceiling, glided else { i += 1; continue }
            // A glided entry above the ceiling: the excursion is glided if it is left by a glide.
            var end = i
            while end + 1 < n, code[end + 1] > ceiling, abs(code[end + 1] - code[end]) <= stepCodes { end += 1 }
            let next = end + 1
            let leftByGlide = next == n || code[next] == 0 || abs(code[next] - code[end]) <= stepCodes
            if leftByGlide { for m in i...end { codes[m] = UInt16(code[m]) } }
            glided = leftByGlide
            i = next
        }
        return codes
    }

    /// Voiced frames needed before the first pass is trusted to set a speaker range (0.5 s).
    static let minimumFramesForRange = 50

    /// Which frames of a first-pass track belong to a call-progress tone (ring-back, dial, busy):
    /// a run of at least `steadyToneMinimumFrames` voiced frames whose F0 moves less than
    /// `steadyToneStepRatio` from one frame to the next, stays within `steadyToneSpanRatio` of the
    /// run's first frame, and starts inside `callProgressToneHz`.
    ///
    /// Call-progress tones are steady by design and sit in a narrow band: ITU-T E.180/Q.35
    /// (03/1998) gives ringing, busy and congestion tones 340–500 Hz (preferably 400–450 Hz), and
    /// the ring-back on the fixture calls (400–461 Hz) moves ≤ 0.4 % per frame and ≤ 0.5 % over a
    /// ring. A voice rarely holds its F0 that still for 0.35 s in that band, and no voice of the 27
    /// fixture utterances does, wideband or through the telephone (`RingbackTests`).
    /// Steady notes of hold music are not call-progress tones and stay in: on the one fixture
    /// channel with a hold, whose agent channel carries three voices, leaving its bass notes out
    /// makes the agents' pitch worse (docs/accuracy.md, Pitch). The tone frames stay in the
    /// track; they are only left out of the speaker range (`speakerRange`) and of the silence
    /// reference the track is chosen with (`decode`).
    static func steadyToneFrames(_ f0Hz: [Float16]) -> [Bool] {
        var tone = [Bool](repeating: false, count: f0Hz.count)
        var i = 0
        while i < f0Hz.count {
            let start = HalfPrecision.float(f0Hz[i])
            guard callProgressToneHz.contains(start) else { i += 1; continue }
            var j = i + 1
            while j < f0Hz.count {
                let f = HalfPrecision.float(f0Hz[j]), previous = HalfPrecision.float(f0Hz[j - 1])
                guard f > 0, abs(f / previous - 1) < steadyToneStepRatio, abs(f / start - 1) < steadyToneSpanRatio else { break }
                j += 1
            }
            if j - i >= steadyToneMinimumFrames {
                // The frames whose window straddles the tone's start or end are partly tone, their
                // F0 a little off the run's (up to 2.5 % on the test cadences).
                var from = i, to = j
                while from > max(0, i - toneEdgeFrames), f0Hz[from - 1] > 0 { from -= 1 }
                while to < min(f0Hz.count, j + toneEdgeFrames), f0Hz[to] > 0 { to += 1 }
                for k in from..<to { tone[k] = true }
                j = to
            }
            i = j
        }
        return tone
    }

    /// 0.35 s (the shortest ring burst of E.180 Suppl. 2's common cadences is the UK's 0.4 s);
    /// steps under 0.5 % (≈ 0.09 st per 10 ms) and a span within ±1 % (≈ ±0.17 st).
    static let steadyToneMinimumFrames = 35, steadyToneStepRatio: Float = 0.005, steadyToneSpanRatio: Float = 0.01
    /// Voiced frames either side of a tone run counted with it: a 40 ms window (the front end's
    /// default) reaches into the tone from up to 3 frames away at a 10 ms step.
    static let toneEdgeFrames = 3
    /// E.180's band for ringing, busy and congestion tones.
    static let callProgressToneHz: ClosedRange<Float> = 340...500

    /// Convenience for in-memory audio: frames `samples` with a fresh front end and returns the track.
    public static func track(_ samples: [Float], sampleRateHz: Double, frontEnd: FrontEndSettings = .standard,
                             settings: PitchSettings = .standard) -> PitchTrack {
        let fe = ChannelFrontEnd(sampleRateHz: sampleRateHz, settings: frontEnd)
        let tracker = PitchTracker(frontEnd: fe, settings: settings)
        fe.frameObservers.append(tracker)
        fe.consume(samples)
        _ = fe.finish()
        return tracker.track!
    }
}

/// Voiced candidates of every frame, stored compactly: F0 as a log-frequency code (¼ cent
/// steps above 10 Hz), autocorrelation peak as Int16 (1/32767 steps), and the frame's RMS.
struct PitchCandidates {
    let capacity: Int
    private(set) var counts: [UInt8] = []
    private(set) var codes: [UInt16] = []
    private(set) var strengths: [Int16] = []
    private(set) var rms: [Float] = []

    static let codesPerOctave: Float = 4800  // ¼ cent
    static let referenceHz: Float = 10

    init(capacity: Int, expectedFrames: Int) {
        self.capacity = capacity
        counts.reserveCapacity(expectedFrames)
        codes.reserveCapacity(expectedFrames * capacity)
        strengths.reserveCapacity(expectedFrames * capacity)
        rms.reserveCapacity(expectedFrames)
    }

    var frameCount: Int { counts.count }

    @inline(__always) static func code(f0Hz: Float) -> UInt16 {
        // As UInt16(max(0, min(65535, v.rounded()))), NaN to 65535 included, with the rounding
        // of `Rounding.nearestInt` (issue 18, sixth round; twin in `SixthRoundTwinTests`).
        let v = codesPerOctave * log2(f0Hz / referenceHz)
        guard v >= 0 else { return v.isNaN ? 65535 : 0 }
        guard v < 65535 else { return 65535 }
        return UInt16(truncatingIfNeeded: Rounding.nearestInt(nonNegative: v))
    }
    @inline(__always) static func f0Hz(code: UInt16) -> Float {
        referenceHz * exp2(Float(code) / codesPerOctave)
    }

    /// Appends one frame; `c` and `s` hold `capacity` entries, those past `count` zero.
    mutating func append(rms frameRMS: Float, codes c: UnsafeMutableBufferPointer<UInt16>,
                         strengths s: UnsafeMutableBufferPointer<Int16>, count: Int) {
        counts.append(UInt8(count))
        rms.append(frameRMS)
        codes.append(contentsOf: UnsafeBufferPointer(c))
        strengths.append(contentsOf: UnsafeBufferPointer(s))
    }

    @inline(__always) static func strengthCode(_ r: Float) -> Int16 { Int16(max(-1, min(1, r)) * 32767) }

    @inline(__always) func code(frame: Int, candidate: Int) -> UInt16 { codes[frame * capacity + candidate] }

    /// A copy of frames `range`.
    func slice(_ range: Range<Int>) -> PitchCandidates {
        var s = PitchCandidates(capacity: capacity, expectedFrames: 0)
        s.counts = Array(counts[range])
        s.rms = Array(rms[range])
        s.codes = Array(codes[(range.lowerBound * capacity)..<(range.upperBound * capacity)])
        s.strengths = Array(strengths[(range.lowerBound * capacity)..<(range.upperBound * capacity)])
        return s
    }

    /// Drops the first `k` frames (capacity is kept for the frames to come).
    mutating func removeFirst(_ k: Int) {
        counts.removeFirst(k)
        rms.removeFirst(k)
        codes.removeFirst(k * capacity)
        strengths.removeFirst(k * capacity)
    }
}
