/// The one converter between samples, frames and seconds.
///
/// Frame `i` covers samples `i·hop ..< i·hop + window`; its time is the centre of that window,
/// `(i·hop + window/2) / rate` seconds (as in Praat, where a frame's time is its window's centre).
public struct TimeBase: Sendable, Equatable, Codable {
    public let sampleRateHz: Double
    public let hopSamples: Int
    public let windowSamples: Int

    public init(sampleRateHz: Double, hopSamples: Int, windowSamples: Int) {
        precondition(sampleRateHz > 0 && hopSamples > 0 && windowSamples > 0)
        self.sampleRateHz = sampleRateHz
        self.hopSamples = hopSamples
        self.windowSamples = windowSamples
    }

    public var hopSeconds: Double { Double(hopSamples) / sampleRateHz }
    public var windowSeconds: Double { Double(windowSamples) / sampleRateHz }

    /// Centre of frame `index`, in seconds from the start of the file.
    @inline(__always) public func seconds(ofFrame index: Int) -> Double {
        (Double(index * hopSamples) + Double(windowSamples) / 2) / sampleRateHz
    }

    /// The frame whose centre is nearest to `seconds` (may be negative or past the end).
    @inline(__always) public func frame(nearest seconds: Double) -> Int {
        Int(((seconds * sampleRateHz - Double(windowSamples) / 2) / Double(hopSamples)).rounded())
    }

    @inline(__always) public func seconds(ofSample index: Int) -> Double { Double(index) / sampleRateHz }

    /// Number of whole frames in `sampleCount` samples.
    public func frameCount(sampleCount: Int) -> Int {
        sampleCount < windowSamples ? 0 : (sampleCount - windowSamples) / hopSamples + 1
    }
}
