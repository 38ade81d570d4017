import DSP

/// Per-frame features of one channel, computed once by `ChannelFrontEnd` and read by every
/// later analysis. Frame `i` is centred at `timeBase.seconds(ofFrame: i)`.
///
/// Memory: about 24 bytes per frame (2.4 kB per second of audio per channel at a 10 ms hop).
public struct ChannelContours: Sendable {
    public var timeBase: TimeBase
    public var fftSize: Int
    /// Level of each frame in the analysis band (250–3800 Hz), dBFS: a full-scale sine in the
    /// band reads −3.01 dB. Hann-window power normalised by the window's energy.
    public var levelDB: [Float] = []
    /// Band levels, `AnalysisBands.count` per frame, quantised to 0.5 dB (see `bandLevelDB`).
    public var bandLevelCodes: [UInt8] = []
    /// Frequency of the strongest bin in the analysis band, Hz.
    public var peakHz: [Float] = []
    /// Strongest in-band bin over the mean in-band bin, dB (tones ≫ speech ≫ noise).
    public var peakToMeanDB: [Float] = []

    public init(timeBase: TimeBase, fftSize: Int) {
        self.timeBase = timeBase
        self.fftSize = fftSize
    }

    public var frameCount: Int { levelDB.count }
    public var durationSeconds: Double { Double(frameCount) * timeBase.hopSeconds }

    /// Quantisation of band levels: code = round(2·(dB + 127.5)), clamped to 0…255.
    @inline(__always) public static func code(forDB dB: Float) -> UInt8 {
        UInt8(max(0, min(255, ((dB + 127.5) * 2).rounded())))
    }
    @inline(__always) public static func dB(forCode code: UInt8) -> Float { Float(code) * 0.5 - 127.5 }

    @inline(__always) public func bandLevelDB(frame: Int, band: Int) -> Float {
        Self.dB(forCode: bandLevelCodes[frame * AnalysisBands.count + band])
    }

    mutating func reserve(frames: Int) {
        levelDB.reserveCapacity(frames)
        bandLevelCodes.reserveCapacity(frames * AnalysisBands.count)
        peakHz.reserveCapacity(frames)
        peakToMeanDB.reserveCapacity(frames)
    }
}
