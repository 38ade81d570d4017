import DSP

/// Per-frame features of one channel, computed once by `ChannelFrontEnd` and read by every
/// later analysis. Frame `i` is centred at `timeBase.seconds(ofFrame: i)`.
///
/// Memory: 2 bytes per frame (0.2 kB per second of audio per channel at a 10 ms hop) for the
/// level, a half-precision float (to within 0.03 dB), plus the tone bin (1 byte) of the frames
/// ring-back and hold detection read, as far as the analysis has released the others
/// (`ToneFrames`). The 16 band levels of each frame (16 bytes) are not kept: the analyses that
/// read them (speech activity, syllable nuclei, spectral steadiness) observe them while the
/// file streams (`BandLevelObserver`). Tests and tools that want them ask the front end to
/// retain them (`retainBandLevels`).
public struct ChannelContours: Sendable {
    public var timeBase: TimeBase
    public var fftSize: Int
    /// Level of each frame in the analysis band (250–3800 Hz), dBFS: a full-scale sine in the
    /// band reads −3.01 dB. Hann-window power normalised by the window's energy.
    public var levelDB: [Float16] = []
    /// Band levels, `AnalysisBands.count` per frame, quantised to 0.5 dB (see `bandLevelDB`);
    /// empty unless the front end was asked to retain them.
    public var bandLevelCodes: [UInt8] = []
    /// Per frame, the strongest in-band FFT bin (divided by `toneBinsPerCode`) where it stands at
    /// least `toneDominanceDB` over the mean in-band bin (a tone: ring-back, music notes; see
    /// `toneHz`), else 0.
    public var tones = ToneFrames()

    /// Strongest bin over the mean in-band bin, dB, from which a frame's peak counts as a tone.
    /// A steady tone puts its energy in the ~4 bins of the Hann main lobe out of the ~170–230 in
    /// the 250–3800 Hz band; noise reads ~5–8 dB. Project choice, checked on every ring-back
    /// cadence in the tests.
    public static let toneDominanceDB: Float = 11

    /// Width of one FFT bin, Hz.
    public var binHz: Float { Float(timeBase.sampleRateHz / Double(fftSize)) }
    /// FFT bins per tone code: 1 unless the analysis band holds more than 255 bins (long
    /// windows), when neighbouring bins share a code.
    public var toneBinsPerCode: Int {
        let highestBin = Int((AnalysisBands.edgesHz.last! * Double(fftSize) / timeBase.sampleRateHz).rounded(.up))
        return max(1, (highestBin + 254) / 255)
    }

    public init(timeBase: TimeBase, fftSize: Int) {
        self.timeBase = timeBase
        self.fftSize = fftSize
    }

    public var frameCount: Int { levelDB.count }
    public var durationSeconds: Double { Double(frameCount) * timeBase.hopSeconds }

    /// Frequency of frame `i`'s dominant tone, Hz; nil when no bin dominates (or the frame's
    /// tone bin was released).
    @inline(__always) public func toneHz(frame i: Int) -> Float? {
        let code = tones.bin(frame: i)
        return code == 0 ? nil : Float(Int(code) * toneBinsPerCode) * binHz
    }

    /// Quantisation of band levels: code = round(2·(dB + 127.5)), clamped to 0…255.
    @inline(__always) public static func code(forDB dB: Float) -> UInt8 {
        let x = (dB + 127.5) * 2
        return x <= 0 ? 0 : x >= 255 ? 255 : UInt8(Int(x + 0.5))   // round half up, no libm call
    }

    /// The code of a mean-square power directly, with the libm-free `Decibels.fastFromPower`
    /// (error 0.004 dB, far under the 0.5 dB step).
    @inline(__always) public static func code(forPower p: Float) -> UInt8 {
        guard p > 1e-30 else { return 0 }
        return code(forDB: Decibels.fastFromPower(p))
    }
    /// `code(forPower:)` of 16 powers at once, lane for lane the same operations, so the same codes
    /// (issue 18: the 16 band codes of a frame were a chain of scalar polynomials). Only plain
    /// arithmetic, comparisons and bit operations: the generic SIMD helpers (`rounded`,
    /// `replacing`, `clamped`) run lane by lane.
    @inline(__always) static func codes(forPowers p: SIMD16<Float>) -> SIMD16<Int32> {
        let bits = unsafeBitCast(p, to: SIMD16<Int32>.self)
        let exponent = SIMD16<Float>(((bits &>> 23) & 0xFF) &- 127)
        let m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: SIMD16<Float>.self)
        let log2m = ((0.15391477 * m - 1.02950006) * m + 3.01074372) * m - 2.13382433   // as Decibels.fastFromPower
        let dB = 3.0103 * (exponent + log2m)
        // code(forDB:): 0 at or below 0, 255 at or above 255, else y = x + 0.5 rounded toward zero.
        let x = (dB + 127.5) * 2
        let y = x + 0.5
        // y + 1.5·2²³ rounds y to an integer (nearest, ties to even) held in the low mantissa bits
        // (|y| < 2²²: x lies in −145…1032); one less where that rounded up, so ⌊y⌋.
        let magic: Float = 12_582_912
        let shifted = y + magic
        let nearest = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- Int32(bitPattern: magic.bitPattern)
        let roundedUp = unsafeBitCast((shifted - magic) .> y, to: SIMD16<Int32>.self)   // −1 where so
        let floor = nearest &+ roundedUp
        let high = unsafeBitCast(x .>= 255, to: SIMD16<Int32>.self)
        // Powers at or below 1e−20 (and NaN) are −200 dB: code 0.
        let zero = unsafeBitCast((x .<= 0) .| .!(p .> 1e-20), to: SIMD16<Int32>.self)
        return ((floor & ~high) | (255 & high)) & ~zero
    }
    @inline(__always) public static func dB(forCode code: UInt8) -> Float { Float(code) * 0.5 - 127.5 }
    /// Mean-square power of each code (the table the band-level readers share).
    static let powerOfCode: [Float] = (0..<256).map { Float(Decibels.toPower(Double(dB(forCode: UInt8($0))))) }

    @inline(__always) public func bandLevelDB(frame: Int, band: Int) -> Float {
        Self.dB(forCode: bandLevelCodes[frame * AnalysisBands.count + band])
    }

    /// Hands frame `frame`'s retained band codes and level to `observer`, as the front end did
    /// while it ran: replays retained contours into an analysis that observes band levels.
    public func replayBandLevels(frame: Int, to observer: any BandLevelObserver) {
        let bands = AnalysisBands.count
        bandLevelCodes.withUnsafeBufferPointer { codes in
            observer.observe(frameIndex: frame, bandCodes: UnsafeBufferPointer(rebasing: codes[(frame * bands)..<((frame + 1) * bands)]),
                             levelDB: HalfPrecision.float(levelDB[frame]))
        }
    }

    /// Appends the features of `levelDB.count` frames (the front end stages them).
    mutating func appendFrames(levelDB: UnsafeBufferPointer<Float16>, toneBins: UnsafeBufferPointer<UInt8>) {
        self.levelDB.append(contentsOf: levelDB)
        tones.append(toneBins)
    }

    mutating func reserve(frames: Int, bandLevels: Bool) {
        levelDB.reserveCapacity(frames)
        if bandLevels { bandLevelCodes.reserveCapacity(frames * AnalysisBands.count) }

    }
}

/// One channel's tone bins (`ChannelContours.tones`), kept only where they are read: the
/// frames not yet released, and the stretches an analysis chose to keep when it released the
/// others (`release`). A released frame reads as no tone.
public struct ToneFrames: Sendable {
    /// Bins of frames [start, start + bins.count).
    public struct Piece: Sendable {
        public var start: Int
        public var bins: [UInt8]
    }
    /// Kept stretches of released frames, ascending.
    public private(set) var kept: [Piece] = []
    /// Bins of the frames not yet released, from `releasedBefore`.
    private var open: [UInt8] = []
    /// Frames before this are released.
    public private(set) var releasedBefore = 0

    public init() {}

    public var frameCount: Int { releasedBefore + open.count }

    mutating func append(_ bins: UnsafeBufferPointer<UInt8>) { open.append(contentsOf: bins) }

    /// Releases frames before `end`, keeping those in `keep` (ascending ranges).
    public mutating func release(before end: Int, keeping keep: [Range<Int>]) {
        let end = min(end, frameCount)
        guard end > releasedBefore else { return }
        for r in keep {
            let lo = max(r.lowerBound, releasedBefore), hi = min(r.upperBound, end)
            guard lo < hi else { continue }
            let bins = open[(lo - releasedBefore)..<(hi - releasedBefore)]
            if let last = kept.last, last.start + last.bins.count == lo {
                kept[kept.count - 1].bins.append(contentsOf: bins)
            } else {
                kept.append(Piece(start: lo, bins: Array(bins)))
            }
        }
        open.removeFirst(end - releasedBefore)
        releasedBefore = end
    }

    /// Frame `i`'s tone bin (0: none, or released).
    @inline(__always) public func bin(frame i: Int) -> UInt8 {
        if i >= releasedBefore { return i < frameCount ? open[i - releasedBefore] : 0 }
        // The last kept piece starting at or before i.
        var lo = 0, hi = kept.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if kept[mid].start <= i { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return 0 }
        let piece = kept[lo - 1]
        return i < piece.start + piece.bins.count ? piece.bins[i - piece.start] : 0
    }
}
