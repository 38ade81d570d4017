import Dispatch
import DSP
import SpeechAnalysis

/// Runs a call's pitch trackers and level meters on a second thread, a block behind the front
/// ends (issue 18: one long call on two cores). Pitch reads only its channel's power spectra until
/// the end, so it is independent of everything else the stream does: each front end hands its
/// frames' spectra to a `Stage` (a `FrameObserver` that copies them), and after each decoded block
/// `flush()` passes the staged frames to the worker, which feeds them to the trackers in order
/// while the front ends go on with the next block. A level meter reads its channel's samples and
/// speech activity's final runs: both are recorded in the order the stream would have handed them
/// over (`stage(samples:)`, `LevelRuns`) and replayed in that order. Every tracker and meter sees
/// exactly the calls, in the same order, as when it is fed directly, so the results are the same.
///
/// Two sets of buffers (staged, in flight) of about one block of frames each; no allocation per
/// frame once they have grown to a block. Used by one task (not Sendable); the worker only touches
/// the in-flight buffers and the trackers between `flush()` and the next `flush()` or `drain()`.
final class PitchPipeline {
    /// The `FrameObserver` a front end feeds for channel `channel`.
    final class Stage: FrameObserver {
        unowned let pipeline: PitchPipeline
        let channel: Int
        init(pipeline: PitchPipeline, channel: Int) { self.pipeline = pipeline; self.channel = channel }
        func observe(frameIndex: Int, powerSpectrum: UnsafeBufferPointer<Float>) {
            pipeline.stage(channel: channel, frameIndex: frameIndex, powerSpectrum: powerSpectrum)
        }
        func finish(frameCount: Int) { pipeline.finish(channel: channel, frameCount: frameCount) }
    }

    /// Speech activity's run observer for a level meter: records the call for the worker.
    final class LevelRuns: SpeechRunObserver {
        unowned let pipeline: PitchPipeline
        let channel: Int
        init(pipeline: PitchPipeline, channel: Int) { self.pipeline = pipeline; self.channel = channel }
        func speechRunsFinal(_ runs: [Range<Int>], before frame: Int, timeBase: TimeBase) {
            pipeline.staged[channel].levelEvents.append(.runs(runs, before: frame, timeBase: timeBase))
        }
    }

    private enum LevelEvent {
        /// `count` samples from `offset` in `samples`.
        case samples(offset: Int, count: Int)
        case runs([Range<Int>], before: Int, timeBase: TimeBase)
    }

    private struct Frames {
        var first = 0
        var count = 0
        var spectra: [Float] = []
        var samples: [Float] = []
        var levelEvents: [LevelEvent] = []
    }

    private let trackers: [PitchTracker]
    private let meters: [ChannelLevelMeter]
    private var staged: [Frames]
    private var inFlight: [Frames]
    private let queue = DispatchQueue(label: "voiceqa.pitch")
    private let group = DispatchGroup()
    private(set) var stages: [Stage] = []
    private(set) var levelRuns: [LevelRuns] = []

    init(trackers: [PitchTracker], meters: [ChannelLevelMeter]) {
        self.trackers = trackers
        self.meters = meters
        staged = Array(repeating: Frames(), count: trackers.count)
        inFlight = staged
        stages = trackers.indices.map { Stage(pipeline: self, channel: $0) }
        levelRuns = meters.indices.map { LevelRuns(pipeline: self, channel: $0) }
    }

    /// The next samples of channel `c` for its level meter.
    func stage(samples: UnsafeBufferPointer<Float>, channel c: Int) {
        staged[c].levelEvents.append(.samples(offset: staged[c].samples.count, count: samples.count))
        staged[c].samples.append(contentsOf: samples)
    }

    deinit { group.wait() }

    private func stage(channel c: Int, frameIndex: Int, powerSpectrum: UnsafeBufferPointer<Float>) {
        if staged[c].count == 0 { staged[c].first = frameIndex }
        staged[c].spectra.append(contentsOf: powerSpectrum)
        staged[c].count += 1
    }

    /// Hands the frames staged so far to the worker (after it has finished the previous ones).
    func flush() {
        group.wait()
        swap(&staged, &inFlight)
        for c in staged.indices {
            staged[c].count = 0
            staged[c].spectra.removeAll(keepingCapacity: true)
            staged[c].samples.removeAll(keepingCapacity: true)
            staged[c].levelEvents.removeAll(keepingCapacity: true)
        }
        nonisolated(unsafe) let pipeline = self   // the worker and this task never touch the same buffers
        queue.async(group: group) { pipeline.runInFlight() }
    }

    /// Every staged frame given to the trackers, the worker idle.
    func drain() {
        flush()
        group.wait()
    }

    private func runInFlight() {
        for c in inFlight.indices {
            let frames = inFlight[c]
            let bins = frames.count > 0 ? frames.spectra.count / frames.count : 0
            frames.spectra.withUnsafeBufferPointer { all in
                for f in 0..<frames.count {
                    trackers[c].observe(frameIndex: frames.first + f,
                                        powerSpectrum: UnsafeBufferPointer(rebasing: all[(f * bins)..<((f + 1) * bins)]))
                }
            }
            frames.samples.withUnsafeBufferPointer { all in
                for event in frames.levelEvents {
                    switch event {
                    case let .samples(offset, count):
                        meters[c].consume(UnsafeBufferPointer(rebasing: all[offset..<(offset + count)]))
                    case let .runs(runs, frame, timeBase):
                        meters[c].speechRunsFinal(runs, before: frame, timeBase: timeBase)
                    }
                }
            }
        }
    }

    private func finish(channel c: Int, frameCount: Int) {
        drain()
        trackers[c].finish(frameCount: frameCount)
    }
}
