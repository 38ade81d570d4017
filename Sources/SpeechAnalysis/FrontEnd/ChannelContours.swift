import DSP

/// Per-frame features of one channel, computed once by `ChannelFrontEnd` and read by every
/// later analysis. Frame `i` is centred at `timeBase.seconds(ofFrame: i)`.
///
/// Memory: 3 bytes per frame (0.3 kB per second of audio per channel at a 10 ms hop): the level
/// as a half-precision float (to within 0.03 dB) and the tone bin. The 16 band levels of each
/// frame (16 bytes) are not kept: the analyses that read them (speech activity, syllable
/// nuclei, spectral steadiness) observe them while the file streams (`BandLevelObserver`).
/// Tests and tools that want them ask the front end to retain them (`retainBandLevels`).
public struct ChannelContours: Sendable {
    public var timeBase: TimeBase
    public var fftSize: Int
    /// Width of one FFT bin, Hz.
    public var binHz: Float
    /// Level of each frame in the analysis band (250–3800 Hz), dBFS: a full-scale sine in the
    /// band reads −3.01 dB. Hann-window power normalised by the window's energy.
    public var levelDB: [Float16] = []
    /// Band levels, `AnalysisBands.count` per frame, quantised to 0.5 dB (see `bandLevelDB`);
    /// empty unless the front end was asked to retain them.
    public var bandLevelCodes: [UInt8] = []
    /// The strongest in-band FFT bin where it stands at least `toneDominanceDB` over the mean
    /// in-band bin (a tone: ring-back, music notes; see `toneHz`), else 0.
    public var toneBins: [UInt8] = []

    /// Strongest bin over the mean in-band bin, dB, from which a frame's peak counts as a tone.
    /// A steady tone puts its energy in the ~4 bins of the Hann main lobe out of the ~170–230 in
    /// the 250–3800 Hz band; noise reads ~5–8 dB. Project choice, checked on every ring-back
    /// cadence in the tests.
    public static let toneDominanceDB: Float = 11

    public init(timeBase: TimeBase, fftSize: Int) {
        self.timeBase = timeBase
        self.fftSize = fftSize
        binHz = Float(timeBase.sampleRateHz / Double(fftSize))
    }

    public var frameCount: Int { levelDB.count }
    public var durationSeconds: Double { Double(frameCount) * timeBase.hopSeconds }

    /// Frequency of frame `i`'s dominant tone, Hz; nil when no bin dominates.
    @inline(__always) public func toneHz(frame i: Int) -> Float? {
        let bin = toneBins[i]
        return bin == 0 ? nil : Float(bin) * binHz
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
    @inline(__always) public static func dB(forCode code: UInt8) -> Float { Float(code) * 0.5 - 127.5 }
    /// Mean-square power of each code (the table the band-level readers share).
    static let powerOfCode: [Float] = (0..<256).map { Float(Decibels.toPower(Double(dB(forCode: UInt8($0))))) }

    @inline(__always) public func bandLevelDB(frame: Int, band: Int) -> Float {
        Self.dB(forCode: bandLevelCodes[frame * AnalysisBands.count + band])
    }

    /// Appends the features of `levelDB.count` frames (the front end stages them).
    mutating func appendFrames(levelDB: UnsafeBufferPointer<Float16>, toneBins: UnsafeBufferPointer<UInt8>) {
        self.levelDB.append(contentsOf: levelDB)
        self.toneBins.append(contentsOf: toneBins)
    }

    mutating func reserve(frames: Int, bandLevels: Bool) {
        levelDB.reserveCapacity(frames)
        if bandLevels { bandLevelCodes.reserveCapacity(frames * AnalysisBands.count) }
        toneBins.reserveCapacity(frames)
    }
}
