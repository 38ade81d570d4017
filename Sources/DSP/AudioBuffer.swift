/// Decoded audio held in memory: Float samples in −1…1, native rate, one array per channel.
/// Long files are streamed instead (see `AudioIO.AudioFileReader`); this type serves tests,
/// synthesis and short clips.
public struct AudioBuffer: Sendable, Equatable {
    public var sampleRateHz: Double
    public var channels: [[Float]]

    public init(sampleRateHz: Double, channels: [[Float]]) {
        precondition(!channels.isEmpty, "an AudioBuffer has at least one channel")
        precondition(channels.allSatisfy { $0.count == channels[0].count }, "channels differ in length")
        self.sampleRateHz = sampleRateHz
        self.channels = channels
    }

    public init(sampleRateHz: Double, mono: [Float]) {
        self.init(sampleRateHz: sampleRateHz, channels: [mono])
    }

    public var channelCount: Int { channels.count }
    public var frameCount: Int { channels[0].count }
    public var durationSeconds: Double { Double(frameCount) / sampleRateHz }
}
