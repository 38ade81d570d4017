import AudioIO
import DSP
import Foundation
import SpeechAnalysis

/// File → `CallAnalysis`: decodes once, streaming blocks through one front end per channel.
public enum CallAnalyzer {
    /// - Parameter timeLimitSeconds: stop decoding (throwing `AnalysisError.timedOut`) once this
    ///   much wall time has passed; checked between blocks (`--timeout`; the CLI's runner also
    ///   abandons a file that overruns inside one block).
    /// - Parameter secondThread: share the stream with a second thread (`ChannelPipeline`; for a
    ///   core that would otherwise be idle). The result is the same.
    public static func analyze(path: String, options: AnalysisOptions = .standard,
                               timeLimitSeconds: Double? = nil, secondThread: Bool = false) throws -> CallAnalysis {
        let started = ContinuousClock.now
        let reader = try AudioFileReader(path: path)
        let info = reader.info
        if info.declaredDurationSeconds > options.maxDurationSeconds {
            throw AudioIOError.tooLong(path: path, durationSeconds: info.declaredDurationSeconds,
                                       limitSeconds: options.maxDurationSeconds)
        }
        let picked = try pickChannels(path: path, channelCount: info.channelCount, options: options)
        let rate = Double(info.sampleRateHz)
        // Frames allowed by the duration limit; a non-finite or huge limit must not trap in Int().
        let maxFrames = options.maxDurationSeconds.isNaN ? 0 : Int(min(max(0, options.maxDurationSeconds * rate), 1e15))
        let expectedFrames = min(info.declaredFrameCount, maxFrames) /
            max(1, options.frontEnd.timeBase(sampleRateHz: rate).hopSamples)
        let stream = CallStream(picks: picked, sampleRateHz: rate, options: options, expectedFrames: expectedFrames,
                                expectedSamples: min(info.declaredFrameCount, maxFrames),
                                secondThread: secondThread)
        let deadline = timeLimitSeconds.map { started + .milliseconds(Int64(min(max(0, $0), 1e9) * 1000)) }
        while true {
            if let deadline, ContinuousClock.now >= deadline {
                throw AnalysisError.timedOut(path: path, limitSeconds: timeLimitSeconds ?? 0)
            }
            let n = try reader.readBlock()
            if n == 0 { break }
            if picked.count == 2 {
                reader.channelBlocks[picked[0].index].withUnsafeBufferPointer { a in
                    reader.channelBlocks[picked[1].index].withUnsafeBufferPointer { b in
                        stream.consume(UnsafeBufferPointer(rebasing: a[0..<n]), UnsafeBufferPointer(rebasing: b[0..<n]))
                    }
                }
            } else {
                for (k, pick) in picked.enumerated() {
                    reader.channelBlocks[pick.index].withUnsafeBufferPointer { block in
                        stream.consume(channel: k, UnsafeBufferPointer(rebasing: block[0..<n]))
                    }
                }
            }
            stream.endBlock()
            if reader.framesRead > maxFrames {
                throw AudioIOError.tooLong(path: path, durationSeconds: Double(reader.framesRead) / rate,
                                           limitSeconds: options.maxDurationSeconds)
            }
        }
        guard reader.framesRead > 0 else { throw AudioIOError.noAudio(path: path) }
        var warnings: [String] = []
        if reader.nonFiniteSampleCount > 0 {
            warnings.append("\(reader.nonFiniteSampleCount) NaN or infinite samples were replaced by silence")
        }
        if reader.clampedSampleCount > 0 {
            warnings.append("\(reader.clampedSampleCount) samples beyond ±\(Int(AudioFileReader.sampleLimit)) (+60 dBFS) were clamped: the file's float data is probably corrupt")
        }
        let durationSeconds = Double(reader.framesRead) / rate
        let audio = AudioSummary(format: info.formatName, sampleRateHz: info.sampleRateHz,
                                 channelCount: info.channelCount, durationSeconds: Rounding.seconds(durationSeconds))
        guard let channels = stream.finish() else {
            throw AnalysisError.tooShort(path: path, durationSeconds: durationSeconds)
        }
        return analyze(channels, picks: picked, file: path, audio: audio,
                       durationSeconds: durationSeconds, warnings: warnings, options: options)
    }

    /// Analyses audio already in memory (tests, synthesis). Channel roles as for files.
    public static func analyze(buffer: AudioBuffer, name: String = "<memory>",
                               options: AnalysisOptions = .standard) throws -> CallAnalysis {
        try analyze(buffer: buffer, name: name, options: options, streamTest: nil)
    }

    /// Tests: speech activity's chunk and the frames it decides before finishing pieces of the
    /// call (defaults 5 minutes each), so a short test call takes the path long calls take.
    struct StreamTest { var activityChunkFrames: Int; var finishActivityAfterFrames: Int }

    static func analyze(buffer: AudioBuffer, name: String = "<memory>", options: AnalysisOptions,
                        streamTest: StreamTest?, secondThread: Bool = false) throws -> CallAnalysis {
        let picked = try pickChannels(path: name, channelCount: buffer.channelCount, options: options)
        let stream = CallStream(picks: picked, sampleRateHz: buffer.sampleRateHz, options: options, streamTest: streamTest,
                                secondThread: secondThread)
        // The channels in step, block by block, as from a file.
        let samples = picked.map { buffer.channels[$0.index].map(AudioFileReader.sanitized) }
        let blockFrames = 4096, longest = samples.map(\.count).max() ?? 0
        for blockStart in stride(from: 0, to: longest, by: blockFrames) {
            for k in picked.indices {
                samples[k].withUnsafeBufferPointer { all in
                    // Channels of unequal length (the buffer's channels are mutable) end where they end.
                    let block = UnsafeBufferPointer(rebasing: all[min(all.count, blockStart)..<min(all.count, blockStart + blockFrames)])
                    stream.consume(channel: k, block)
                }
            }
            stream.endBlock()
        }
        guard let channels = stream.finish() else {
            throw AnalysisError.tooShort(path: name, durationSeconds: buffer.durationSeconds)
        }
        let audio = AudioSummary(format: "in-memory Float32", sampleRateHz: Int(buffer.sampleRateHz),
                                 channelCount: buffer.channelCount,
                                 durationSeconds: Rounding.seconds(buffer.durationSeconds))
        return analyze(channels, picks: picked, file: name, audio: audio,
                       durationSeconds: buffer.durationSeconds, warnings: [], options: options)
    }

    struct ChannelPick { var index: Int; var role: ChannelRole }

    /// What the stream leaves of one channel for the analyses after it.
    struct StreamedChannel {
        var contours: ChannelContours
        var activity: SpeechActivity
        var levelMeter: ChannelLevelMeter
        var pitchTrack: PitchTrack
        var nuclei: [Double]
        var steadySpectrum: SteadySpectrum?
    }

    /// One call's channels streamed through every per-frame analysis: front end, speech
    /// activity, level meter, pitch, syllable nuclei and (agent) spectral steadiness, wired so
    /// that speech activity tells the level meter and the syllable tracker which frames are
    /// final while the file streams.
    final class CallStream {
        let picks: [ChannelPick]
        let frontEnds: [ChannelFrontEnd]
        let levelMeters: [ChannelLevelMeter]
        let pitchTrackers: [PitchTracker]
        let syllableTrackers: [SyllableTracker]
        let steadiness: [SteadySpectrumTracker?]
        let activity: SpeechActivityStream
        let toneKeeper: ToneKeeper
        /// The second thread's share (`secondThread`), else nil.
        let pipeline: ChannelPipeline?

        init(picks: [ChannelPick], sampleRateHz rate: Double, options: AnalysisOptions,
             expectedFrames: Int = 0, expectedSamples: Int = 0, streamTest: StreamTest? = nil,
             secondThread: Bool = false) {
            self.picks = picks
            frontEnds = picks.map { _ in
                ChannelFrontEnd(sampleRateHz: rate, settings: options.frontEnd,
                                measurePlans: options.measureFFTPlans, expectedFrames: expectedFrames)
            }
            let timeBase = frontEnds[0].timeBase
            activity = SpeechActivityStream(timeBase: timeBase, channelCount: picks.count, settings: options.activity,
                                            chunkFrames: streamTest?.activityChunkFrames)
            if let frames = streamTest?.finishActivityAfterFrames { activity.finishAfterFrames = frames }
            levelMeters = picks.map { _ in
                ChannelLevelMeter(sampleRateHz: rate, settings: options.level, expectedSamples: expectedSamples)
            }
            pitchTrackers = frontEnds.map { fe in
                PitchTracker(frontEnd: fe, settings: options.pitch, measurePlans: options.measureFFTPlans,
                             expectedFrames: expectedFrames)
            }
            syllableTrackers = picks.map { pick in
                var settings = RateSettings.standard
                if pick.role == .agent { settings.language = options.language }
                return SyllableTracker(timeBase: timeBase, settings: settings)
            }
            steadiness = picks.map { $0.role == .agent ? SteadySpectrumTracker(timeBase: timeBase, settings: options.filledPauses) : nil }
            toneKeeper = ToneKeeper(frontEnds: frontEnds, agentChannel: picks.firstIndex { $0.role == .agent } ?? 0,
                                    settings: options.turnTaking)
            for k in picks.indices {
                frontEnds[k].frameObservers.append(pitchTrackers[k])
                frontEnds[k].bandObservers.append(activity.input(channel: k))
                frontEnds[k].bandObservers.append(syllableTrackers[k])
                if let s = steadiness[k] { frontEnds[k].bandObservers.append(s) }
            }
            pipeline = secondThread ? ChannelPipeline(frontEnds: frontEnds, meters: levelMeters, activity: activity,
                                                        toneKeeper: toneKeeper) : nil
            for k in picks.indices {
                activity.addRunObserver(toneKeeper.observer(channel: k), channel: k)
                activity.addRunObserver(pipeline.map { $0.levelRuns[k] } ?? levelMeters[k], channel: k)
                activity.addRunObserver(syllableTrackers[k], channel: k)
            }
        }

        /// The next samples of channel `k` (with a second thread: the next block's, run at `endBlock()`).
        func consume(channel k: Int, _ samples: UnsafeBufferPointer<Float>) {
            if let pipeline { pipeline.stage(samples: samples, channel: k); return }
            frontEnds[k].consume(samples)
            levelMeters[k].consume(samples)
        }

        /// The next samples of both channels of a two-channel call: the front ends in channel
        /// order, then the two level meters side by side (`ChannelLevelMeter.consume(_:_:_:_:)`).
        /// The same calls as `consume(channel:)` for each channel, but a meter's samples come
        /// after the other channel's front end: the meters hear of speech runs only for frames
        /// well behind (`speechRunsFinal`), so this changes nothing.
        func consume(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) {
            guard pipeline == nil, levelMeters.count == 2 else {
                consume(channel: 0, a)
                consume(channel: 1, b)
                return
            }
            frontEnds[0].consume(a)
            frontEnds[1].consume(b)
            ChannelLevelMeter.consume(levelMeters[0], a, levelMeters[1], b)
        }

        /// After each block of every channel: runs it, if there is a second thread.
        func endBlock() { pipeline?.endBlock() }

        /// Ends the stream; nil when a channel had no whole frame.
        func finish() -> [StreamedChannel]? {
            pipeline?.drain()   // the second thread idle, the level meters' runs passed on
            let contours = frontEnds.map { $0.finish() }
            guard contours.allSatisfy({ $0.frameCount > 0 }) else { return nil }
            let activities = activity.finish()
            pipeline?.drain()
            return picks.indices.map { k in
                StreamedChannel(contours: contours[k], activity: activities[k], levelMeter: levelMeters[k],
                                pitchTrack: pitchTrackers[k].track!,
                                nuclei: syllableTrackers[k].finish(speechRuns: activities[k].speechRuns),
                                steadySpectrum: steadiness[k]?.frames)
            }
        }
    }

    static func pickChannels(path: String, channelCount: Int, options: AnalysisOptions) throws -> [ChannelPick] {
        if let pair = options.channelPair {
            for c in pair where !(0..<channelCount).contains(c) {
                throw AnalysisError.channelOutOfRange(path: path, channel: c, channelCount: channelCount)
            }
            return [ChannelPick(index: pair[0], role: .agent), ChannelPick(index: pair[1], role: .customer)]
        }
        switch channelCount {
        case 1: return [ChannelPick(index: 0, role: .agent)]
        case 2:
            guard (0...1).contains(options.agentChannel) else {
                throw AnalysisError.channelOutOfRange(path: path, channel: options.agentChannel, channelCount: 2)
            }
            return [ChannelPick(index: options.agentChannel, role: .agent),
                    ChannelPick(index: 1 - options.agentChannel, role: .customer)].sorted { $0.index < $1.index }
        default: throw AnalysisError.needChannelChoice(path: path, channelCount: channelCount)
        }
    }

    static func analyze(_ streamed: [StreamedChannel], picks: [ChannelPick], file: String, audio: AudioSummary,
                        durationSeconds: Double, warnings: [String], options: AnalysisOptions) -> CallAnalysis {
        var warnings = warnings
        if picks.count == 1 {
            warnings.append("mono recording: the one voice is judged as the agent; measures that need two parties are not measurable")
        }
        var channels: [ChannelAnalysis] = []
        for (k, pick) in picks.enumerated() {
            let activity = streamed[k].activity
            let segments = activity.segments.map(Rounding.segment)
            let speechSeconds = segments.reduce(0) { $0 + $1.durationSeconds }
            if segments.isEmpty { warnings.append("channel \(pick.index) (\(pick.role.rawValue)): no speech found") }
            let summary = SpeechSummary(
                segments: segments, speechSeconds: Rounding.seconds(speechSeconds),
                speechRatio: Rounding.ratio(durationSeconds > 0 ? speechSeconds / durationSeconds : 0),
                pauses: PauseSummary(speech: segments, settings: options.pauses).rounded())
            var rateSettings = RateSettings.standard
            if pick.role == .agent { rateSettings.language = options.language }
            let rate = SpeakingRate.measure(nuclei: streamed[k].nuclei, speech: activity.segments, pauses: options.pauses,
                                            settings: rateSettings)
            let pitch = PitchMeasures(track: streamed[k].pitchTrack,
                                      utterances: Segment.interPauseUnits(activity.segments, pauses: options.pauses),
                                      greeting: pick.role == .agent, includeTrack: options.pitchTrack)
            channels.append(ChannelAnalysis(index: pick.index, role: pick.role, speech: summary,
                                            contours: streamed[k].contours, activity: activity, rate: rate,
                                            loudness: streamed[k].levelMeter.finish(speechSegments: activity.segments),
                                            pitchTrack: streamed[k].pitchTrack, pitch: pitch?.rounded(),
                                            steadySpectrum: streamed[k].steadySpectrum))
        }
        let conversation = conversationAnalysis(channels, durationSeconds: durationSeconds, options: options)
        let holds = (conversation?.holds ?? []).map { Segment(start: $0.start, end: $0.end) }
        for k in channels.indices {
            let others = channels.indices.filter { $0 != k }
            let otherSpeech = others.flatMap { channels[$0].speech.segments }.sorted { $0.start < $1.start }
            let otherRole: Conversation.Party = channels[k].role == .agent ? .customer : .agent
            let backchannels = (conversation?.backchannels ?? []).filter { $0.by == otherRole }
                .map { Segment(start: $0.time, end: $0.time + $0.durationSeconds) }
            channels[k].speech.withinTurnPauses = PauseSummary(
                withinTurnsOf: channels[k].speech.segments, other: otherSpeech, backchannels: backchannels, holds: holds,
                settings: options.pauses).rounded()
        }
        return CallAnalysis(file: file, audio: audio, channels: channels, conversation: conversation,
                            warnings: warnings, options: options)
    }
}

extension CallAnalyzer {
    static func conversationAnalysis(_ channels: [ChannelAnalysis], durationSeconds: Double,
                                     options: AnalysisOptions) -> Conversation? {
        guard let agent = channels.first(where: { $0.role == .agent }) else { return nil }
        let customer = channels.first { $0.role == .customer }
        var conversation = TurnTaking.analyze(
            agent: PartyInput(segments: agent.activity.segments, contours: agent.contours),
            customer: customer.map { PartyInput(segments: $0.activity.segments, contours: $0.contours) },
            durationSeconds: durationSeconds, settings: options.turnTaking).rounded()
        addProsody(&conversation, agent: agent, customer: customer, options: options)
        return conversation
    }
}

extension PauseSummary {
    func rounded() -> PauseSummary {
        var r = self
        r.meanSeconds = meanSeconds.map(Rounding.seconds)
        r.longestSeconds = longestSeconds.map(Rounding.seconds)
        r.totalSeconds = Rounding.seconds(totalSeconds)
        r.items = items.map(Rounding.segment)
        return r
    }
}
