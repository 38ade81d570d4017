import DSP

/// Per-frame features of one channel, computed once by `ChannelFrontEnd` and read by every
/// later analysis. Frame `i` is centred at `timeBase.seconds(ofFrame: i)`.
///
/// Memory: 5 bytes per frame (0.5 kB per second of audio per channel at a 10 ms hop), each
/// feature at the precision its readers need: the level as a half-precision float (to within
/// 0.03 dB), the others as one-byte codes. The 16 band levels of each frame (16 bytes) are not
/// kept: speech activity reads them while the file streams (`SpeechActivityStream`), and the
/// two features later analyses derive from them (the vowel-band envelope and the spectral
/// change) are computed per frame here. Tests and tools that want the band levels ask the
/// front end to retain them (`retainBandLevels`).
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
    /// Vowel-band envelope of the frame before smoothing (see `SyllableNuclei.envelopeDB`), as a
    /// 0.5 dB code (`code(forDB:)`, like the band levels it is made from).
    public var vowelEnvelopeCodes: [UInt8] = []
    /// Change of spectral shape from the frame `spectralChangeLagFrames` earlier (see
    /// `FilledPauseDetector.spectralChangeDB`) in steps of 1/16 dB, rounded up, to 15.94 dB (more
    /// is clamped there); 0 for the first frames. Rounded up, a value compares with any
    /// threshold on that grid (the filled-pause detector's 0.5…10 dB, default 2.5 dB) exactly
    /// as before it was coded.
    public var spectralChangeCodes: [UInt8] = []
    /// Frames between the two frames compared by `spectralChangeDB` (20 ms).
    public var spectralChangeLagFrames: Int { max(1, Int((0.02 / timeBase.hopSeconds).rounded())) }

    /// Strongest bin over the mean in-band bin, dB, from which a frame's peak counts as a tone.
    /// A steady tone puts its energy in the ~4 bins of the Hann main lobe out of the ~170–230 in
    /// the 250–3800 Hz band; noise reads ~5–8 dB. Project choice, checked on every ring-back
    /// cadence in the tests.
    public static let toneDominanceDB: Float = 11
    /// Steps of `spectralChangeCodes` per dB.
    static let spectralChangeStepsPerDB: Float = 16

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
    @inline(__always) public func vowelEnvelopeDB(frame i: Int) -> Float { Self.dB(forCode: vowelEnvelopeCodes[i]) }
    @inline(__always) public func spectralChangeDB(frame i: Int) -> Float {
        Float(spectralChangeCodes[i]) / Self.spectralChangeStepsPerDB
    }
    @inline(__always) static func spectralChangeCode(forDB dB: Float) -> UInt8 {
        let x = (dB * spectralChangeStepsPerDB).rounded(.up)
        return x <= 0 ? 0 : x >= 255 ? 255 : UInt8(x)
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
    mutating func appendFrames(levelDB: UnsafeBufferPointer<Float16>, toneBins: UnsafeBufferPointer<UInt8>,
                               vowelEnvelopeCodes: UnsafeBufferPointer<UInt8>, spectralChangeCodes: UnsafeBufferPointer<UInt8>) {
        self.levelDB.append(contentsOf: levelDB)
        self.toneBins.append(contentsOf: toneBins)
        self.vowelEnvelopeCodes.append(contentsOf: vowelEnvelopeCodes)
        self.spectralChangeCodes.append(contentsOf: spectralChangeCodes)
    }

    mutating func reserve(frames: Int, bandLevels: Bool) {
        levelDB.reserveCapacity(frames)
        if bandLevels { bandLevelCodes.reserveCapacity(frames * AnalysisBands.count) }
        toneBins.reserveCapacity(frames)
        vowelEnvelopeCodes.reserveCapacity(frames)
        spectralChangeCodes.reserveCapacity(frames)
    }
}
