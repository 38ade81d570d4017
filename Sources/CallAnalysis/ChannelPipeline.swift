import Dispatch
import DSP
import SpeechAnalysis

/// Shares one call's stream between the stream's thread and a second thread, a decoded block at
/// a time (issue 18: one long call on two cores):
/// - the second thread runs the front ends (window, FFT, band codes) and pitch trackers of
///   channels 1…, then the level meters of every channel, block after block;
/// - the stream's thread runs channel 0's front end and pitch tracker, and hands the band codes of
///   every channel to the band observers (speech activity, syllables, spectral steadiness)
///   `lagBlocks` blocks behind, channel by channel and frame by frame, exactly as the front ends
///   would have handed them over on one thread. When speech activity decides a chunk, the two channels' evidence is
///   built on both threads (`SpeechActivityStream.runChannels`).
///
/// Every front end, pitch tracker and band observer sees the same calls in the same order as on
/// one thread (a pitch tracker reads only its own channel's spectra, so it may run beside the
/// others). Two kinds of call arrive later, at the start of the second thread's next block:
/// - a level meter hears of final speech runs after more of its samples. It uses them only to
///   count the 10 ms blocks before a time into its noise floor (`ChannelLevelMeter.speechRunsFinal`,
///   `NoiseFloor.settle`), and that time lies behind the first frame speech activity has not
///   finished, at least a chunk plus its look-around (≥ 340 frames) behind the frames decoded: the
///   meter has measured those blocks either way, so it counts the same ones;
/// - the tone keeper's releases of the second thread's front ends' tone bins (see `ToneKeeper.release`).
/// So the report is the same (`PitchPipelineTests`).
///
/// Buffers, allocated once: `lagBlocks` + 2 sets of each channel's samples of one block (one being
/// copied in, the rest queued for or being read by the second thread) and `lagBlocks` + 1 blocks of
/// band codes per channel: about 0.6 MB for a stereo call; no allocation per frame. Used by one task
/// (not Sendable). The second thread touches only its front ends and pitch trackers, the level
/// meters and the buffers it was handed; no buffer is written by one thread while the other uses it.
final class ChannelPipeline {
    /// Records a front end's band levels of each block, in its buffers in turn.
    private final class BandStage: BandLevelObserver {
        final class Block {
            var firstFrame = 0
            var frameCount = 0
            var codes: [UInt8] = []
            var levelsDB: [Float] = []
        }
        /// Each used by one thread at a time (the outer array never changes).
        let blocks: [Block]
        init(blockCount: Int) { blocks = (0..<blockCount).map { _ in Block() } }
        /// The buffer `observe` fills (set by the thread that runs the front end).
        var filling = 0
        func observe(frameIndex: Int, bandCodes: UnsafeBufferPointer<UInt8>, levelDB: Float) {
            let block = blocks[filling]
            if block.frameCount == 0 { block.firstFrame = frameIndex }
            block.codes.append(contentsOf: bandCodes)
            block.levelsDB.append(levelDB)
            block.frameCount += 1
        }
    }

    /// One channel's samples of one block, in storage that grows to a block once.
    private final class SampleBlock {
        private(set) var samples = UnsafeMutablePointer<Float>.allocate(capacity: 4096)
        private var capacity = 4096
        private(set) var count = 0
        func fill(_ source: UnsafeBufferPointer<Float>) {
            if source.count > capacity {
                samples.deallocate()
                capacity = source.count
                samples = .allocate(capacity: capacity)
            }
            if let base = source.baseAddress { samples.update(from: base, count: source.count) }
            count = source.count
        }
        var buffer: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: samples, count: count) }
        func clear() { count = 0 }
        deinit { samples.deallocate() }
    }

    /// Speech activity's run observer for a level meter: keeps the call for the second thread.
    final class LevelRuns: SpeechRunObserver {
        unowned let pipeline: ChannelPipeline
        let channel: Int
        init(pipeline: ChannelPipeline, channel: Int) { self.pipeline = pipeline; self.channel = channel }
        func speechRunsFinal(_ runs: [Range<Int>], before frame: Int, timeBase: TimeBase) {
            pipeline.pending.append(.runs(channel: channel, runs, before: frame, timeBase: timeBase))
        }
    }

    /// A call for the second thread to make before its next block.
    private enum Deferred {
        case runs(channel: Int, [Range<Int>], before: Int, timeBase: TimeBase)
        case releaseTones(channel: Int, before: Int, keeping: [Range<Int>])
    }

    private let frontEnds: [ChannelFrontEnd]
    private let meters: [ChannelLevelMeter]
    /// Each channel's band observers, fed by `replayBands`.
    private let bandObservers: [[any BandLevelObserver]]
    private let stages: [BandStage]
    /// `blocks[set][channel]`, sets used in turn.
    private let blocks: [[SampleBlock]]
    private var blockCount = 0
    /// Blocks the band observers run behind the front ends: slack for either thread to run ahead
    /// while the other is held up (a chunk of speech activity, the scheduler), about 8 s of an
    /// 8 kHz call; 16 gained about 4 % over 1 in a schedule simulated from per-thread CPU times.
    static let lagBlocks = 16
    private var pending: [Deferred] = []
    private let queue = DispatchQueue(label: "voiceqa.second-thread")
    /// The second thread's jobs not yet finished.
    private let busy = DispatchGroup()
    /// Signalled each time the second thread's front ends have finished a block.
    private let frontEndsDone = DispatchSemaphore(value: 0)
    private(set) var levelRuns: [LevelRuns] = []

    /// Takes over the front ends' band observers (each front end then feeds a stage instead), has
    /// `activity` build its channels' evidence on both threads, and `toneKeeper` release the second
    /// thread's front ends' tone bins through it.
    init(frontEnds: [ChannelFrontEnd], meters: [ChannelLevelMeter], activity: SpeechActivityStream, toneKeeper: ToneKeeper) {
        self.frontEnds = frontEnds
        self.meters = meters
        bandObservers = frontEnds.map(\.bandObservers)
        blocks = (0..<(Self.lagBlocks + 2)).map { _ in frontEnds.map { _ in SampleBlock() } }
        stages = frontEnds.map { _ in BandStage(blockCount: Self.lagBlocks + 1) }
        for (k, fe) in frontEnds.enumerated() { fe.bandObservers = [stages[k]] }
        levelRuns = meters.indices.map { LevelRuns(pipeline: self, channel: $0) }
        let queue = self.queue
        activity.runChannels = { count, body in
            nonisolated(unsafe) let body = body   // each call builds its own channel's evidence
            let done = DispatchSemaphore(value: 0)
            queue.async {
                for c in 1..<count { body(c) }
                done.signal()
            }
            body(0)
            done.wait()
        }
        toneKeeper.release = { [unowned self] channel, end, keep in
            if channel == 0 {
                frontEnds[0].releaseTones(before: end, keeping: keep)
            } else {
                pending.append(.releaseTones(channel: channel, before: end, keeping: keep))
            }
        }
    }

    deinit {
        busy.wait()
    }

    /// The next block's samples of channel `c`.
    func stage(samples: UnsafeBufferPointer<Float>, channel c: Int) {
        blocks[blockCount % blocks.count][c].fill(samples)
    }

    /// Starts the block staged on the second thread, hands the band codes of the block
    /// `lagBlocks` before it to the band observers, then runs channel 0's front end on the block staged.
    func endBlock() {
        let block = blockCount, calls = pending
        if !pending.isEmpty { pending.removeAll() }
        nonisolated(unsafe) let pipeline = self   // the two threads never touch the same state at once
        queue.async(group: busy) { pipeline.secondThread(block: block, calls: calls) }
        if block >= Self.lagBlocks { replayBands(block: block - Self.lagBlocks) }
        stages[0].filling = block % stages[0].blocks.count
        frontEnds[0].consume(blocks[block % blocks.count][0].buffer)
        blockCount = block + 1
    }

    private func secondThread(block: Int, calls: [Deferred]) {
        for call in calls {
            switch call {
            case let .runs(c, runs, frame, timeBase): meters[c].speechRunsFinal(runs, before: frame, timeBase: timeBase)
            case let .releaseTones(c, end, keep): frontEnds[c].releaseTones(before: end, keeping: keep)
            }
        }
        for c in frontEnds.indices.dropFirst() {
            stages[c].filling = block % stages[c].blocks.count
            frontEnds[c].consume(blocks[block % blocks.count][c].buffer)
        }
        frontEndsDone.signal()
        if meters.count == 2 {
            ChannelLevelMeter.consume(meters[0], blocks[block % blocks.count][0].buffer, meters[1], blocks[block % blocks.count][1].buffer)
        } else {
            for c in meters.indices { meters[c].consume(blocks[block % blocks.count][c].buffer) }
        }
    }

    /// Block `block`'s band levels to the band observers, channel by channel, in frame order
    /// (after the second thread's front ends have finished it).
    private func replayBands(block: Int) {
        frontEndsDone.wait()
        // The second thread has finished job `block`'s front ends, so job `block - 1` is over:
        // its samples are free for the next block.
        for samples in blocks[(block + blocks.count - 1) % blocks.count] { samples.clear() }
        let bands = AnalysisBands.count, b = block % stages[0].blocks.count
        for (c, stage) in stages.enumerated() {
            let staged = stage.blocks[b]
            staged.codes.withUnsafeBufferPointer { codes in
                for f in 0..<staged.frameCount {
                    let frame = UnsafeBufferPointer(rebasing: codes[(f * bands)..<((f + 1) * bands)])
                    for observer in bandObservers[c] {
                        observer.observe(frameIndex: staged.firstFrame + f, bandCodes: frame, levelDB: staged.levelsDB[f])
                    }
                }
            }
            staged.frameCount = 0
            staged.codes.removeAll(keepingCapacity: true)
            staged.levelsDB.removeAll(keepingCapacity: true)
        }
    }

    /// Hands the last blocks' band codes on, waits for the second thread, and makes the calls
    /// deferred for it here.
    func drain() {
        for block in max(0, blockCount - Self.lagBlocks)..<blockCount { replayBands(block: block) }
        blockCount = 0
        busy.wait()
        for call in pending {
            switch call {
            case let .runs(c, runs, frame, timeBase): meters[c].speechRunsFinal(runs, before: frame, timeBase: timeBase)
            case let .releaseTones(c, end, keep): frontEnds[c].releaseTones(before: end, keeping: keep)
            }
        }
        pending.removeAll()
    }
}
