import DSP

/// Speech activity of one call's channels, decided while the file streams, so the band levels
/// (16 bytes per frame and channel) are never held for the whole file.
///
/// Attach `input(channel:)` to each channel's `ChannelFrontEnd` as a `BandLevelObserver`, feed
/// the channels in step (block by block), then call `finish()`. Steps 1–3 of
/// `SpeechActivityDetector` (floors, score, hysteresis, gates, crosstalk) read at most
/// `lookaroundFrames` frames either side of a frame; the stream decides them a chunk at a time,
/// once the chunk's look-ahead has arrived, over a window with that margin either side, and
/// keeps only their per-frame outcome. The result is the same as deciding the whole file at
/// once, with one exception: the echo delay used by the crosstalk gate is the one estimated
/// from the frames seen so far, up to the first 10 minutes (all frames for calls up to 10
/// minutes; the first 10 minutes for longer ones). Step 4 (the run rules) then finishes the
/// decided frames piece by piece at quiet stretches (see `SpeechActivityDetector.Evidence`).
/// Memory, per channel, whatever the file's length: at most 2 chunks plus 2 look-arounds of
/// band levels (about 1.2 MB), the outcome of the frames not yet finished (9 bytes per frame,
/// normally under 2 chunks: about 0.5 MB), and the speech runs (16 bytes per run).
public final class SpeechActivityStream {
    public let timeBase: TimeBase
    public let settings: SpeechActivitySettings
    public let channelCount: Int

    private let look = SpeechActivityDetector.Constants.lookaroundFrames
    private let chunk: Int
    private let gate: CrosstalkGate
    /// Channel 0's echo delay behind channel 1, and channel 1's behind channel 0 (two channels).
    private var echo: [EchoLagEstimator]
    /// Band codes and levels of frames [bufferStart, bufferStart + buffers[c].count) of channel c.
    private let buffers: [FrameBuffer]
    private var bufferStart = 0
    /// Frames [0, decided) of every channel have their evidence.
    private var decided = 0
    /// Frames [0, correlated) have been added to the echo estimators.
    private var correlated = 0
    private var evidence: [SpeechActivityDetector.Evidence]
    /// Each channel's hysteresis state just before the next window's first frame.
    private var hysteresisOn: [Bool]
    /// What the stretch of frames the hysteresis holds on has held so far (two channels).
    enum Stretch { case none, leakageOnly, ownOnset }
    /// Per channel (two channels), just before the next window's first frame: what the current
    /// stretch the hysteresis holds on has held (`none`: no leakage, or the hysteresis is off).
    private var hysteresisStretch: [Stretch]

    /// - Parameter chunkFrames: frames decided per step (default 5 minutes; tests use less, to
    ///   take a long call's path on a short one).
    public convenience init(timeBase: TimeBase, channelCount: Int, settings: SpeechActivitySettings = .standard,
                            chunkFrames: Int? = nil) {
        self.init(timeBase: timeBase, channelCount: channelCount, settings: settings,
                  chunkFrames: chunkFrames ?? SpeechActivityDetector.Constants.chunkFrames)
    }

    /// Frames the echo delay is estimated from (10 minutes at a 10 ms hop).
    static let echoEstimationFrames = 60_000

    /// Tests: an echo delay to use instead of the estimate.
    var fixedEchoLagFrames: Int?
    /// Tests: how much lower the onset is in steady noise (0: the full onset everywhere).
    var steadyNoiseReliefDB = SpeechActivityDetector.Constants.steadyNoiseOnsetReliefDB
    /// Tests: how long run ends are held on noisy channels, seconds; at most the default, which
    /// the quiet margin around a cut (`quietFramesAroundCut`) is sized for.
    var noisyTailSeconds = SpeechActivityDetector.Constants.noisyTailSeconds {
        didSet {
            precondition(noisyTailSeconds <= SpeechActivityDetector.Constants.noisyTailSeconds,
                         "noisyTailSeconds \(noisyTailSeconds) over the default the cut margin is sized for")
            for c in evidence.indices { evidence[c].noisyTailSeconds = noisyTailSeconds }
        }
    }

    /// Runs `body(c)` once for each channel c in 0..<count and returns when every call has
    /// returned; the calls may run at once on different threads. Each builds channel c's
    /// evidence (floors, score, hysteresis: most of a chunk's work), which reads only that
    /// channel's band levels, so the result is the same however they run. nil: one after the other.
    /// (Issue 18: a caller sharing the call with a second thread hands it one channel.)
    public var runChannels: ((_ count: Int, _ body: @escaping (Int) -> Void) -> Void)?

    /// Consumers of each channel's speech runs as they become final (`addRunObserver`).
    private var runObservers: [[any SpeechRunObserver]]

    /// Has `observer` told of channel `channel`'s speech runs each time a piece of it is finished
    /// while the file streams (in calls longer than 10 minutes; shorter ones are finished at the end).
    public func addRunObserver(_ observer: any SpeechRunObserver, channel: Int) {
        runObservers[channel].append(observer)
    }

    /// Tests: where each piece of each channel ended, the last at the channel's end (set by `finish`).
    private(set) var pieceEnds: [[Int]] = []

    /// Frames decided before the run rules finish pieces (see `SpeechActivityDetector.Evidence`;
    /// default: the first 5-minute chunk, decided once 10 minutes have arrived). Lower it only to
    /// test the streamed path on short recordings.
    public var finishAfterFrames: Int {
        get { evidence[0].finishAfterFrames }
        set { for c in evidence.indices { evidence[c].finishAfterFrames = newValue } }
    }

    /// Tests: frames a piece may reach without a quiet stretch (see `Evidence`).
    var forcedCutFrames: Int {
        get { evidence[0].forcedCutFrames }
        set { for c in evidence.indices { evidence[c].forcedCutFrames = newValue } }
    }

    /// - Parameter chunkFrames: frames decided per step (tests use small chunks to show the
    ///   result does not depend on them); at least the look-around.
    init(timeBase: TimeBase, channelCount: Int, settings: SpeechActivitySettings, chunkFrames: Int) {
        chunk = max(chunkFrames, SpeechActivityDetector.Constants.lookaroundFrames)
        self.timeBase = timeBase
        self.settings = settings
        self.channelCount = channelCount
        gate = CrosstalkGate(marginDB: Float(settings.crosstalkMarginDB), bandActiveDB: Float(settings.continueSNRDB),
                             otherSpeechDB: Float(settings.onsetSNRDB))
        echo = channelCount == 2 ? [EchoLagEstimator(maximumLagFrames: CrosstalkGate.maximumLagFrames),
                                    EchoLagEstimator(maximumLagFrames: CrosstalkGate.maximumLagFrames)] : []
        buffers = (0..<channelCount).map { _ in
            // Room for 2 chunks, 2 look-arounds, and one channel running a decode block ahead
            // (4096 samples are at most 1024 frames at any hop of 4 samples or more).
            FrameBuffer(capacity: 2 * max(chunkFrames, SpeechActivityDetector.Constants.lookaroundFrames)
                            + 2 * SpeechActivityDetector.Constants.lookaroundFrames + 1024)
        }
        evidence = Array(repeating: SpeechActivityDetector.Evidence(timeBase: timeBase), count: channelCount)
        hysteresisOn = Array(repeating: false, count: channelCount)
        hysteresisStretch = Array(repeating: .none, count: channelCount)
        runObservers = Array(repeating: [], count: channelCount)
    }

    /// The observer that feeds channel `channel`: attach it to that channel's front end.
    public func input(channel: Int) -> any BandLevelObserver { Input(stream: self, channel: channel) }

    /// Frames of channel `c` seen so far.
    func frameCount(channel c: Int) -> Int { bufferStart + buffers[c].count }

    /// Adds the next frame of channel `channel`.
    public func append(channel c: Int, bandCodes: UnsafeBufferPointer<UInt8>, levelDB: Float) {
        precondition(bandCodes.count == AnalysisBands.count, "a frame has \(AnalysisBands.count) band levels")
        let buffer = buffers[c]
        buffer.append(bandCodes.baseAddress!, levelDB: levelDB)
        let due = decided + 2 * chunk + look
        guard bufferStart + buffer.count >= due else { return }
        let available = bufferStart + (buffers.map(\.count).min() ?? 0)
        guard available >= due else { return }
        correlate(upTo: available)
        decide(from: decided, to: Array(repeating: decided + chunk, count: channelCount),
               available: Array(repeating: available, count: channelCount))
        trim(before: decided - look)
        for c in 0..<channelCount {
            let finished = evidence[c].start
            evidence[c].finishPieces(settings: settings)
            guard evidence[c].start > finished else { continue }
            for observer in runObservers[c] {
                observer.speechRunsFinal(evidence[c].runs, before: evidence[c].start, timeBase: timeBase)
            }
        }
    }

    /// Decides the remaining frames and applies the run rules (step 4) to the rest of each channel.
    public func finish() -> [SpeechActivity] {
        let ends = buffers.map { bufferStart + $0.count }
        correlate(upTo: ends.min() ?? 0)
        if let last = ends.max(), last > decided {
            decide(from: decided, to: ends.map { max(decided, $0) }, available: ends)
        }
        let activities = (0..<channelCount).map { c in
            defer { evidence[c] = SpeechActivityDetector.Evidence(timeBase: timeBase) }  // free as we go
            let activity = evidence[c].finish(settings: settings)
            pieceEnds.append(evidence[c].pieceEnds)
            return activity
        }
        for buffer in buffers { buffer.release() }
        return activities
    }

    /// Adds frames [correlated, end) of both channels to the echo estimators, up to
    /// `echoEstimationFrames`: a call's echo path does not change, and 10 minutes fix its delay.
    private func correlate(upTo end: Int) {
        let end = min(end, Self.echoEstimationFrames)
        guard channelCount == 2, end > correlated else { return }
        let a = buffers[0].levels, b = buffers[1].levels
        for i in correlated..<end {
            let k = i - bufferStart
            echo[0].add(frameIndex: i, x: a[k], y: b + k)
            echo[1].add(frameIndex: i, x: b[k], y: a + k)
        }
        correlated = end
    }

    /// Decides frames [start, ends[c]) of each channel from windows reaching `look` frames past
    /// them (or to `available[c]`).
    private func decide(from start: Int, to ends: [Int], available: [Int]) {
        let bands = AnalysisBands.count
        let windowStart = max(0, start - look)
        var windows: [SpeechActivityDetector.WindowEvidence] = []
        let nextStart = ends.min() ?? start
        // Each channel's window on its own (`runChannels`), then in channel order.
        var built = [SpeechActivityDetector.WindowEvidence?](repeating: nil, count: channelCount)
        built.withUnsafeMutableBufferPointer { buffer in
            let slots = buffer   // each call writes its own slot
            let bufferStart = bufferStart, look = look, first = windowStart - bufferStart
            let bufferList = buffers, on = hysteresisOn, settings = settings, relief = steadyNoiseReliefDB
            let build = { (c: Int) in
                let local = first..<max(first, min(available[c], ends[c] + look) - bufferStart)
                slots[c] = ChannelContours.powerOfCode.withUnsafeBufferPointer { power in
                    SpeechActivityDetector.WindowEvidence(
                        start: windowStart,
                        codes: UnsafeBufferPointer(start: bufferList[c].codes + local.lowerBound * bands, count: local.count * bands),
                        levelDB: UnsafeBufferPointer(start: bufferList[c].levels + local.lowerBound, count: local.count),
                        settings: settings, powerOfCode: power,
                        coreStart: start, initiallyOn: on[c], stateFrame: nextStart, steadyNoiseReliefDB: relief)
                }
            }
            if let runChannels, channelCount > 1 {
                runChannels(channelCount, build)
            } else {
                for c in 0..<channelCount { build(c) }
            }
        }
        for c in 0..<channelCount {
            let w = built[c]!
            hysteresisOn[c] = w.stateBefore
            windows.append(w)
        }
        var leaks: [[Bool]] = []
        if channelCount == 2, ends[0] > 0, ends[1] > 0 {
            let lags = fixedEchoLagFrames.map { [$0, $0] } ?? [echo[0].lagFrames, echo[1].lagFrames]
            let verdicts = (0..<2).map { c in
                gate.verdicts(of: windows[c], codes: windowCodes(buffers[c], windows[c]),
                              from: windows[1 - c], codes: windowCodes(buffers[1 - c], windows[1 - c]),
                              frames: start..<ends[c], echoLagFrames: lags[c])
            }
            leaks = verdicts.map { v in v.map { $0 == CrosstalkGate.Verdict.leakage.rawValue } }
            let onset = Float(settings.onsetSNRDB), keep = Float(settings.continueSNRDB)
            for c in 0..<2 {
                // The hysteresis ran before the gate, so leakage could switch a channel on and its
                // continue threshold then held on the leakage's weak edges (the echo of a syllable's
                // decay or onset standing over this channel's floor in 1–2 bands, too few for the
                // copy test). In a stretch the hysteresis holds on with leakage in it and no onset of
                // this channel's own yet, a frame that shows nothing but the other party (`weakCopy`)
                // is leakage too. An onset of its own lasts while sound of its own does: a frame the
                // level or tone gates drop while the hysteresis holds on shows none, so after it the
                // stretch again holds only the other party until a frame of its own carries over the
                // onset threshold (the echo of a tonal vowel of the other party after one frame the
                // copy test missed is not held on as this channel's speech). A leakage frame does
                // not end it: during this channel's quiet speech under the other party, frames whose
                // own sound would miss the level gates alone are leakage between frames of its own.
                var state = hysteresisStretch[c]
                for k in leaks[c].indices {
                    let i = start + k - windowStart
                    let score = windows[c].score[i]
                    if score <= keep {
                        state = .none                             // the hysteresis is off here
                    } else if leaks[c][k] {
                        if state == .none { state = .leakageOnly }
                        windows[c].raw[i] = false
                    } else if windows[c].raw[i] {
                        // A stretch started under the full onset (the steady-noise onset) has no
                        // frame of its own over it yet either: there, too, a frame that shows
                        // nothing but the other party is leakage.
                        if state == .none && score <= onset { state = .leakageOnly }
                        if state == .leakageOnly && verdicts[c][k] == CrosstalkGate.Verdict.weakCopy.rawValue {
                            leaks[c][k] = true
                            windows[c].raw[i] = false
                        } else if score > onset {
                            state = .ownOnset
                        }
                    } else if state == .ownOnset {
                        state = .leakageOnly                      // dropped by the level or tone gates
                    }
                }
                hysteresisStretch[c] = state
            }
        }
        for c in 0..<channelCount where ends[c] > start {
            evidence[c].append(windows[c], frames: start..<ends[c], levelDB: buffers[c].levels + (start - bufferStart),
                               leakage: leaks.isEmpty ? nil : leaks[c])
        }
        decided = ends.min() ?? start
    }

    /// The band codes of `window`'s frames within a channel's buffer.
    private func windowCodes(_ buffer: FrameBuffer, _ window: SpeechActivityDetector.WindowEvidence) -> UnsafeBufferPointer<UInt8> {
        let bands = AnalysisBands.count
        return UnsafeBufferPointer(start: buffer.codes + (window.start - bufferStart) * bands, count: window.count * bands)
    }

    /// Drops buffered frames before `frame`.
    private func trim(before frame: Int) {
        let k = frame - bufferStart
        guard k > 0 else { return }
        for buffer in buffers { buffer.removeFirst(k) }
        bufferStart = frame
    }

    /// One channel's band codes and levels, in storage allocated once (grown only if one
    /// channel runs far ahead of the others).
    final class FrameBuffer {
        private(set) var capacity: Int
        private(set) var codes: UnsafeMutablePointer<UInt8>
        private(set) var levels: UnsafeMutablePointer<Float>
        private(set) var count = 0

        init(capacity: Int) {
            self.capacity = capacity
            codes = .allocate(capacity: capacity * AnalysisBands.count)
            levels = .allocate(capacity: capacity)
        }

        deinit {
            codes.deallocate()
            levels.deallocate()
        }

        @inline(__always) func append(_ bandCodes: UnsafePointer<UInt8>, levelDB: Float) {
            if count == capacity { resize(to: 2 * capacity) }
            (codes + count * AnalysisBands.count).update(from: bandCodes, count: AnalysisBands.count)
            levels[count] = levelDB
            count += 1
        }

        func removeFirst(_ k: Int) {
            let k = min(k, count)
            (codes).update(from: codes + k * AnalysisBands.count, count: (count - k) * AnalysisBands.count)
            levels.update(from: levels + k, count: count - k)
            count -= k
        }

        /// Frees the storage (the stream is finished).
        func release() { resize(to: 1); count = 0 }

        private func resize(to newCapacity: Int) {
            let newCodes = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity * AnalysisBands.count)
            let newLevels = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity)
            let kept = min(count, newCapacity)
            newCodes.update(from: codes, count: kept * AnalysisBands.count)
            newLevels.update(from: levels, count: kept)
            codes.deallocate()
            levels.deallocate()
            codes = newCodes
            levels = newLevels
            capacity = newCapacity
        }
    }

    private final class Input: BandLevelObserver {
        let stream: SpeechActivityStream
        let channel: Int
        init(stream: SpeechActivityStream, channel: Int) { self.stream = stream; self.channel = channel }
        func observe(frameIndex: Int, bandCodes: UnsafeBufferPointer<UInt8>, levelDB: Float) {
            precondition(frameIndex == stream.frameCount(channel: channel), "frames of channel \(channel) out of order")
            stream.append(channel: channel, bandCodes: bandCodes, levelDB: levelDB)
        }
    }
}

/// A consumer of one channel's speech runs as they become final, so that analyses of speech
/// (syllable peaks, the noise floor) run while the file streams instead of keeping per-frame
/// data for the whole file.
public protocol SpeechRunObserver: AnyObject {
    /// `runs`: every speech run of the channel so far (half-open frame ranges, ascending), final
    /// for the frames before `frame`; the last may still grow if it reaches `frame`.
    func speechRunsFinal(_ runs: [Range<Int>], before frame: Int, timeBase: TimeBase)
}
