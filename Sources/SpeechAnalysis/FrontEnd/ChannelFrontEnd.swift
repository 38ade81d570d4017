import CKernels
import DSP
import Foundation

/// Frames one channel as its samples stream in (any block size), windows and transforms each
/// frame once, and hands the frame's power spectrum to every per-frame feature.
///
/// One instance per channel and task (owns an FFTW plan; not Sendable). No allocation per frame.
public final class ChannelFrontEnd {
    public let timeBase: TimeBase
    public let fftSize: Int
    /// The frames so far (complete after `finish()`; up to 255 frames are staged before they appear).
    @exclusivity(unchecked) public private(set) var contours: ChannelContours
    /// Optional per-frame consumers that read the same power spectrum (pitch).
    /// (Set up before the stream starts; the per-frame path calls them through `slots`.)
    public var frameObservers: [any FrameObserver] = [] {
        didSet { slots = ObserverSlots(band: bandObservers, frame: frameObservers) }
    }
    /// Optional per-frame consumers of the band levels (speech activity).
    public var bandObservers: [any BandLevelObserver] = [] {
        didSet { slots = ObserverSlots(band: bandObservers, frame: frameObservers) }
    }
    /// The observers in `let` slots of one object, which `consume` hands to `analyseFrame`: an
    /// existential read from a `let` property of an object the caller holds is borrowed for the
    /// call, where one read from an unowned(unsafe) reference (the fifth round's form) or from an
    /// array element was retained and released around every call (issue 18, sixth round: four
    /// pairs per frame, ≈ 1.5 % of the CPU time). Four band and two frame observers have slots;
    /// more go through arrays.
    private final class ObserverSlots {
        let band0, band1, band2, band3: (any BandLevelObserver)?
        let bandRest: [any BandLevelObserver]
        let frame0, frame1: (any FrameObserver)?
        let frameRest: [any FrameObserver]
        init(band: [any BandLevelObserver], frame: [any FrameObserver]) {
            (band0, band1, band2, band3) = (band.count > 0 ? band[0] : nil, band.count > 1 ? band[1] : nil,
                                            band.count > 2 ? band[2] : nil, band.count > 3 ? band[3] : nil)
            bandRest = Array(band.dropFirst(4))
            (frame0, frame1) = (frame.count > 0 ? frame[0] : nil, frame.count > 1 ? frame[1] : nil)
            frameRest = Array(frame.dropFirst(2))
        }
    }
    private var slots = ObserverSlots(band: [], frame: [])
    /// Whether `contours.bandLevelCodes` keeps every frame's band levels (16 bytes per frame).
    public let retainsBandLevels: Bool

    private let fft: RealFFT
    private let window: [Float]
    private let windowEnergy: Float
    private let bandBins: [Range<Int>]
    private let inBandBins: Range<Int>
    // Per-frame state of a one-task class: no overlapping access, so no runtime exclusivity check (issue 18).
    @exclusivity(unchecked) private var power: [Float]
    @exclusivity(unchecked) private var pending: [Float]
    private var pendingCount = 0
    private var frameStart = 0
    private var frameIndex = 0
    /// Band codes of the current frame.
    private let codes: UnsafeMutableBufferPointer<UInt8>
    /// Band mean squares of the current frame (16, aligned for one SIMD16 load).
    private let bandPower = UnsafeMutablePointer<Float>(OpaquePointer(UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)))
    /// A bin whose power is this many times the mean in-band bin's is a tone's.
    private let tonePowerRatio = Float(Decibels.toPower(Double(ChannelContours.toneDominanceDB)))
    private let toneBinsPerCode: Int
    /// Features of frames not yet appended to `contours`: appended `stagingFrames` at a time, so
    /// the per-frame path does no array bookkeeping.
    private static let stagingFrames = 256
    private let stagedLevelDB = UnsafeMutablePointer<Float16>.allocate(capacity: stagingFrames)
    private let stagedToneBins = UnsafeMutablePointer<UInt8>.allocate(capacity: stagingFrames)
    private var stagedCount = 0

    /// - Parameters:
    ///   - expectedFrames: frames to reserve room for (the declared length), 0 if unknown.
    ///   - retainBandLevels: keep every frame's band levels in the contours (tests, tools).
    public init(sampleRateHz: Double, settings: FrontEndSettings = .standard, measurePlans: Bool = false,
                expectedFrames: Int = 0, retainBandLevels: Bool = false) {
        timeBase = settings.timeBase(sampleRateHz: sampleRateHz)
        fftSize = settings.fftSize(sampleRateHz: sampleRateHz)
        fft = RealFFT(size: fftSize, measure: measurePlans, inverse: false)
        window = Window.hann(timeBase.windowSamples)
        windowEnergy = window.reduce(0) { $0 + $1 * $1 }
        bandBins = AnalysisBands.binRanges(sampleRateHz: sampleRateHz, fftSize: fftSize)
        precondition(AnalysisBands.count == 16, "the band codes are computed 16 at a time (SIMD16)")
        inBandBins = bandBins.first!.lowerBound..<bandBins.last!.upperBound
        power = [Float](repeating: 0, count: fftSize / 2 + 1)
        pending = [Float](repeating: 0, count: timeBase.windowSamples + 8192)
        contours = ChannelContours(timeBase: timeBase, fftSize: fftSize)
        retainsBandLevels = retainBandLevels
        toneBinsPerCode = contours.toneBinsPerCode
        contours.reserve(frames: expectedFrames, bandLevels: retainBandLevels)
        codes = .allocate(capacity: AnalysisBands.count)
        codes.initialize(repeating: 0)
    }

    deinit {
        UnsafeMutableRawPointer(bandPower).deallocate()
        codes.deallocate()
        stagedLevelDB.deallocate()
        stagedToneBins.deallocate()
    }

    private func appendStaged() {
        let n = stagedCount
        contours.appendFrames(levelDB: UnsafeBufferPointer(start: stagedLevelDB, count: n),
                              toneBins: UnsafeBufferPointer(start: stagedToneBins, count: n))
        stagedCount = 0
    }

    /// Feeds the next samples of the channel.
    public func consume(_ samples: UnsafeBufferPointer<Float>) {
        let slots = self.slots   // one retain per block, none per frame
        var offset = 0
        while offset < samples.count {
            if pendingCount == pending.count { compact() }
            let n = min(samples.count - offset, pending.count - pendingCount)
            let destinationIndex = pendingCount
            pending.withUnsafeMutableBufferPointer { p in
                (p.baseAddress! + destinationIndex).update(from: samples.baseAddress! + offset, count: n)
            }
            pendingCount += n
            offset += n
            while pendingCount - frameStart >= timeBase.windowSamples {
                analyseFrame(at: frameStart, slots)
                frameStart += timeBase.hopSamples
            }
        }
    }

    public func consume(_ samples: [Float]) {
        samples.withUnsafeBufferPointer { consume($0) }
    }

    /// Releases the tone bins of frames before `end` except those in `keep` (see `ToneFrames`).
    public func releaseTones(before end: Int, keeping keep: [Range<Int>]) {
        appendStaged()
        contours.tones.release(before: end, keeping: keep)
    }

    /// Ends the stream and returns the contours (frames past the last whole window are dropped).
    public func finish() -> ChannelContours {
        appendStaged()
        for observer in frameObservers { observer.finish(frameCount: frameIndex) }
        return contours
    }

    private func compact() {
        let keep = max(0, pendingCount - frameStart)
        pending.withUnsafeMutableBufferPointer { p in
            if keep > 0 && frameStart > 0 {
                p.baseAddress!.update(from: p.baseAddress! + frameStart, count: keep)
            }
        }
        pendingCount = keep
        frameStart = 0
    }

    private func analyseFrame(at start: Int, _ slots: ObserverSlots) {
        let w = timeBase.windowSamples
        let destination = fft.input.baseAddress!
        // The window, the power spectrum and the strongest in-band bin are C vector loops
        // (`CKernels`, 16 floats per step with AVX-512 where the CPU has it; the same IEEE
        // operations per element as the Swift loops they replaced, issue 18, sixth round).
        pending.withUnsafeBufferPointer { p in
            window.withUnsafeBufferPointer { win in
                voiceqa_multiply(p.baseAddress! + start, win.baseAddress!, destination, w)
            }
        }
        fft.forward()
        let spectrum = fft.spectrum.baseAddress!
        let binCount = power.count
        power.withUnsafeMutableBufferPointer { pw in
            let powerPointer = pw.baseAddress!
            voiceqa_power_spectrum(spectrum, powerPointer, binCount)   // re·re + im·im
            // Band mean square = 2·ΣP_k / (N·Σw²) (Parseval, one-sided spectrum).
            let scale = 2 / (Float(fftSize) * windowEnergy)
            let bands = AnalysisBands.count
            let codes = self.codes.baseAddress!
            var total: Float = 0
            let bandPower = self.bandPower
            for b in 0..<bands {
                var s: Float = 0
                for k in bandBins[b] { s += pw[k] }
                total += s
                bandPower[b] = s * scale
            }
            let powers = UnsafeRawPointer(bandPower).load(as: SIMD16<Float>.self)
            let bandCodes = ChannelContours.codes(forPowers: powers)
            for b in 0..<16 { codes[b] = UInt8(truncatingIfNeeded: bandCodes[b]) }
            // Kept at half precision (0.03 dB), and handed on as kept, so every reader sees one value.
            let levelHalf = HalfPrecision.half(Decibels.fromPower(total * scale)), levelDB = HalfPrecision.float(levelHalf)
            if retainsBandLevels { contours.bandLevelCodes.append(contentsOf: UnsafeBufferPointer(start: codes, count: bands)) }
            let peakBin = inBandBins.lowerBound
                + voiceqa_index_of_maximum(powerPointer + inBandBins.lowerBound, inBandBins.count)
            let meanPower = total / Float(inBandBins.count)
            let isTone = meanPower > 0 && pw[peakBin] >= tonePowerRatio * meanPower
            let slot = stagedCount
            stagedLevelDB[slot] = levelHalf
            stagedToneBins[slot] = isTone ? UInt8(min(255, peakBin / toneBinsPerCode)) : 0
            stagedCount = slot + 1
            if stagedCount == Self.stagingFrames { appendStaged() }
            // In the order the observers were given (optional chaining on the `let` slots: no retain).
            let bandView = UnsafeBufferPointer(start: codes, count: bands), frame = frameIndex
            slots.band0?.observe(frameIndex: frame, bandCodes: bandView, levelDB: levelDB)
            slots.band1?.observe(frameIndex: frame, bandCodes: bandView, levelDB: levelDB)
            slots.band2?.observe(frameIndex: frame, bandCodes: bandView, levelDB: levelDB)
            slots.band3?.observe(frameIndex: frame, bandCodes: bandView, levelDB: levelDB)
            for observer in slots.bandRest { observer.observe(frameIndex: frame, bandCodes: bandView, levelDB: levelDB) }
            let spectrumView = UnsafeBufferPointer(pw)
            slots.frame0?.observe(frameIndex: frame, powerSpectrum: spectrumView)
            slots.frame1?.observe(frameIndex: frame, powerSpectrum: spectrumView)
            for observer in slots.frameRest { observer.observe(frameIndex: frame, powerSpectrum: spectrumView) }
        }
        frameIndex += 1
    }
}

/// A per-frame consumer of one channel's band levels: `AnalysisBands.count` codes of 0.5 dB
/// (`ChannelContours.code(forPower:)`) and the in-band level, dBFS. The buffer is only valid
/// during the call.
public protocol BandLevelObserver: AnyObject {
    func observe(frameIndex: Int, bandCodes: UnsafeBufferPointer<UInt8>, levelDB: Float)
}

/// A per-frame feature that reads the shared power spectrum |X_k|² (k = 0…N/2) of the
/// Hann-windowed, zero-padded frame.
public protocol FrameObserver: AnyObject {
    func observe(frameIndex: Int, powerSpectrum: UnsafeBufferPointer<Float>)
    func finish(frameCount: Int)
}
