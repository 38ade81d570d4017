import DSP

/// Releases, while the file streams, the tone bins (`ChannelContours.tones`) that ring-back and
/// hold detection will never read, so a long call keeps them only where they matter.
///
/// Ring-back detection reads the frames before the agent's first speech (`TurnTaking`), hold
/// detection the mutual silences of both parties of at least `musicHoldSeconds`
/// (`HoldDetector`). Each time speech activity finishes frames of a channel, the keeper takes
/// the frames every channel has finished and keeps, of those, the frames before the agent's
/// first speech run and the gaps between the parties' runs that are long enough, each with 2
/// frames to spare; the rest is released. A gap still open at the end of the finished frames
/// (nobody has spoken since) is kept until it closes.
public final class ToneKeeper {
    private let frontEnds: [ChannelFrontEnd]
    private let agentChannel: Int
    private let minimumGapFrames: Int
    private static let spareFrames = 2
    private var runs: [[Range<Int>]]
    private var finished: [Int]
    private var released = 0

    /// Makes a release of channel `channel`'s tone bins (`ChannelFrontEnd.releaseTones`); nil: right
    /// away. A caller running a front end on another thread passes the call to that thread (issue 18):
    /// the release is the same made later, since `end` never passes the frames the front end had
    /// analysed when the keeper named it, and `ToneFrames.release` clamps only there.
    public var release: ((_ channel: Int, _ end: Int, _ keep: [Range<Int>]) -> Void)?

    public init(frontEnds: [ChannelFrontEnd], agentChannel: Int, settings: TurnTakingSettings = .standard) {
        self.frontEnds = frontEnds
        self.agentChannel = agentChannel
        let hop = frontEnds[0].timeBase.hopSeconds
        minimumGapFrames = max(1, Int((settings.musicHoldSeconds / hop).rounded(.down)) - 2)
        runs = Array(repeating: [], count: frontEnds.count)
        finished = Array(repeating: 0, count: frontEnds.count)
    }

    /// The observer of channel `channel`'s speech runs: add it to the activity stream for that channel.
    public func observer(channel: Int) -> any SpeechRunObserver { ChannelObserver(keeper: self, channel: channel) }

    private func update(channel c: Int, runs channelRuns: [Range<Int>], before frame: Int) {
        runs[c] = channelRuns
        finished[c] = frame
        let horizon = finished.min() ?? 0
        guard horizon > released else { return }
        let spare = Self.spareFrames
        // Speech of either party that starts before the horizon, merged.
        let union = FrameRuns.union(runs.flatMap { $0 }.filter { $0.lowerBound < horizon })
        var keep: [Range<Int>] = []
        // Ring-back: before the agent's first speech (all of it while the agent has not spoken),
        // and to the end of any run that starts before it: ring-back taken for speech is removed
        // from the segments before holds are sought, which can open a silence from there.
        var ringEnd = horizon
        if let agentStart = runs[agentChannel].first?.lowerBound {
            ringEnd = agentStart + spare
            for r in union where r.lowerBound < agentStart { ringEnd = max(ringEnd, r.upperBound + spare) }
        }
        keep.append(0..<ringEnd)
        // Holds: mutual silences long enough, both ends known.
        for (a, b) in zip(union, union.dropFirst()) where b.lowerBound - a.upperBound >= minimumGapFrames {
            keep.append((a.upperBound - spare)..<(b.lowerBound + spare))
        }
        var end = horizon
        if let last = union.last, last.upperBound < horizon { end = last.upperBound - spare }
        end = max(released, end)
        guard end > released else { return }
        let kept = FrameRuns.union(keep.map { r in r.clamped(to: released..<end) })
        for (k, fe) in frontEnds.enumerated() {
            if let release { release(k, end, kept) } else { fe.releaseTones(before: end, keeping: kept) }
        }
        released = end
    }

    /// Holds the keeper weakly: the keeper holds the front ends, which hold the activity
    /// stream's inputs, which hold the stream and so this observer.
    private final class ChannelObserver: SpeechRunObserver {
        weak var keeper: ToneKeeper?
        let channel: Int
        init(keeper: ToneKeeper, channel: Int) { self.keeper = keeper; self.channel = channel }
        func speechRunsFinal(_ runs: [Range<Int>], before frame: Int, timeBase: TimeBase) {
            keeper?.update(channel: channel, runs: runs, before: frame)
        }
    }
}
