import DSP

/// Per-frame features of one channel, computed once by `ChannelFrontEnd` and read by every
/// later analysis. Frame `i` is centred at `timeBase.seconds(ofFrame: i)`.
///
/// Memory: 12 bytes per frame (1.2 kB per second of audio per channel at a 10 ms hop). The 16
/// band levels of each frame (16 bytes) are not kept: speech activity reads them while the
/// file streams (`SpeechActivityStream`), and the two features later analyses derive from them
/// (the vowel-band envelope and the spectral change) are computed per frame here. Tests and
/// tools that want the band levels ask the front end to retain them (`retainBandLevels`).
public struct ChannelContours: Sendable {
    public var timeBase: TimeBase
    public var fftSize: Int
    /// Level of each frame in the analysis band (250–3800 Hz), dBFS: a full-scale sine in the
    /// band reads −3.01 dB. Hann-window power normalised by the window's energy.
    public var levelDB: [Float] = []
    /// Band levels, `AnalysisBands.count` per frame, quantised to 0.5 dB (see `bandLevelDB`);
    /// empty unless the front end was asked to retain them.
    public var bandLevelCodes: [UInt8] = []
    /// Frequency of the strongest bin in the analysis band, Hz.
    public var peakHz: [Float16] = []
    /// Strongest in-band bin over the mean in-band bin, dB (tones ≫ speech ≫ noise).
    public var peakToMeanDB: [Float16] = []
    /// Vowel-band envelope of the frame, dB, before smoothing (see `SyllableNuclei.envelopeDB`).
    public var vowelEnvelopeDB: [Float16] = []
    /// Change of spectral shape from the frame `spectralChangeLagFrames` earlier, dB (see
    /// `FilledPauseDetector.spectralChangeDB`); 0 for the first frames.
    public var spectralChangeDB: [Float16] = []
    /// Frames between the two frames compared by `spectralChangeDB` (20 ms).
    public var spectralChangeLagFrames: Int { max(1, Int((0.02 / timeBase.hopSeconds).rounded())) }

    public init(timeBase: TimeBase, fftSize: Int) {
        self.timeBase = timeBase
        self.fftSize = fftSize
    }

    public var frameCount: Int { levelDB.count }
    public var durationSeconds: Double { Double(frameCount) * timeBase.hopSeconds }

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
    mutating func appendFrames(levelDB: UnsafeBufferPointer<Float>, peakHz: UnsafeBufferPointer<Float16>,
                               peakToMeanDB: UnsafeBufferPointer<Float16>, vowelEnvelopeDB: UnsafeBufferPointer<Float16>,
                               spectralChangeDB: UnsafeBufferPointer<Float16>) {
        self.levelDB.append(contentsOf: levelDB)
        self.peakHz.append(contentsOf: peakHz)
        self.peakToMeanDB.append(contentsOf: peakToMeanDB)
        self.vowelEnvelopeDB.append(contentsOf: vowelEnvelopeDB)
        self.spectralChangeDB.append(contentsOf: spectralChangeDB)
    }

    mutating func reserve(frames: Int, bandLevels: Bool) {
        levelDB.reserveCapacity(frames)
        if bandLevels { bandLevelCodes.reserveCapacity(frames * AnalysisBands.count) }
        peakHz.reserveCapacity(frames)
        peakToMeanDB.reserveCapacity(frames)
        vowelEnvelopeDB.reserveCapacity(frames)
        spectralChangeDB.reserveCapacity(frames)
    }
}
