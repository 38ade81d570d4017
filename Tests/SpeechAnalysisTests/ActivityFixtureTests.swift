import AudioIO
import DSP
import Foundation
@testable import SpeechAnalysis
import Testing
import TestSupport

/// Speech activity against the fixtures' ground-truth `speech_segments` (issue 2 accuracy
/// targets). Frame scoring and pooling: see `ActivityScore`.
@Suite("Activity on fixtures")
struct ActivityFixtureTests {
    static func contours(_ samples: [Float], rateHz: Double) -> ChannelContours {
        let fe = ChannelFrontEnd(sampleRateHz: rateHz, retainBandLevels: true)
        fe.consume(samples)
        return fe.finish()
    }

    static func pairs(_ segments: [Segment]) -> [(Double, Double)] { segments.map { ($0.start, $0.end) } }

    struct Clip {
        var stem: String; var samples: [Float]; var rateHz: Double; var truth: [(Double, Double)]
        /// Corpus and voice group: the stem's first two parts (`zh_thchs30`, `en_mfa`, …).
        var source: String { Fixtures.source(stem) }
        /// THCHS-30's `speech_segments` (energy VAD on the source) leave out whole phrases: in
        /// D4_894 the truth holds 2.9 s of speech in 0.87–7.75 s, while the 100 ms levels stand
        /// 10–20 dB over the −38 dBFS room floor through 0.8–4.1, 4.7–6.6 and 6.9–8.6 s (31
        /// syllables in 2.9 s would be 10.7 per second). Its activity figures are reported, not
        /// held to the targets.
        var truthIsExactEnough: Bool { !Fixtures.truthLeavesOutSpeech(stem) }
    }

    static func speechClips() throws -> [Clip] {
        try Fixtures.stems(in: "speech").map { stem in
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("speech", stem))
            let truth = Fixtures.speechSegments(try Fixtures.truth("speech", stem)).first ?? []
            return Clip(stem: stem, samples: buffer.channels[0], rateHz: buffer.sampleRateHz, truth: truth)
        }
    }

    /// Scores `clips` after `transform`; returns the pooled score and all boundary errors over
    /// the clips whose truth is exact enough, and prints the score of each source (n = files),
    /// the worst file's, and THCHS-30's apart.
    static func score(_ clips: [Clip], label: String = "", transform: (Int, Clip) -> [Float]) -> (ActivityScore, [Double]) {
        var total = ActivityScore(), errors: [Double] = [], bySource: [String: (ActivityScore, Int)] = [:]
        var worst = (1.0, "")
        for (k, clip) in clips.enumerated() {
            let x = transform(k, clip)
            let activity = SpeechActivityDetector.detect(contours(x, rateHz: clip.rateHz))
            let detected = pairs(activity.segments)
            var s = ActivityScore()
            s.add(detected: detected, truth: clip.truth, durationSeconds: Double(x.count) / clip.rateHz)
            bySource[clip.source, default: (ActivityScore(), 0)].0 = (bySource[clip.source]?.0 ?? ActivityScore()) + s
            bySource[clip.source]!.1 += 1
            guard clip.truthIsExactEnough else { continue }
            if s.f1 < worst.0 { worst = (s.f1, clip.stem) }
            total = total + s
            errors += ActivityScore.boundaryErrors(detected: detected, truth: clip.truth)
        }
        if !label.isEmpty {
            for (source, (s, n)) in bySource.sorted(by: { $0.key < $1.key }) { print("activity \(label) \(source) (n \(n)): \(s)") }
            print("activity \(label) worst file \(worst.1): \(String(format: "%.3f", worst.0))")
        }
        return (total, errors)
    }

    @Test func cleanSpeech() throws {
        let (score, errors) = Self.score(try Self.speechClips(), label: "clean") { _, clip in clip.samples }
        let median = ActivityScore.median(errors)
        print("activity clean (all but THCHS-30): \(score), boundary median \(String(format: "%.3f", median)) s")
        #expect(score.f1 >= 0.97)   // issue 2 target (Silero 0.97, webrtcvad 0.96)
        #expect(median <= 0.05)     // issue 2: boundaries within 50 ms median (5 frames)
    }

    /// Clip `clip` (number `index` of `speechClips()`, which seeds the noise) with white noise
    /// `snrDB` under its mean speech power.
    static func withWhiteNoise(_ clip: Clip, index: Int, snrDB: Double) -> [Float] {
        let p = NoiseMixing.meanPower(clip.samples, sampleRateHz: clip.rateHz, over: clip.truth)
        let noise = Synth.whiteNoise(durationSeconds: Double(clip.samples.count) / clip.rateHz,
                                     sampleRateHz: clip.rateHz, rms: 1, seed: UInt64(100 + index))
        return NoiseMixing.add(noise, to: clip.samples, speechPower: p, snrDB: snrDB)
    }

    @Test func whiteNoiseAt10DB() throws {
        let (score, errors) = Self.score(try Self.speechClips(), label: "white 10 dB") { k, clip in
            Self.withWhiteNoise(clip, index: k, snrDB: 10)
        }
        print("activity white 10 dB: \(score), boundary median \(String(format: "%.3f", ActivityScore.median(errors))) s")
        #expect(score.f1 >= 0.95)   // issue 17 target (issue 2's was 0.90)
    }

    /// The 13 utterances the babble target of issue 2 was set on (before issue 17's batch).
    static let issue2Stems = Set(["en_arctic_slt_a0009", "ja_commonvoice_38843402", "ja_commonvoice_38853932",
                                           "ja_commonvoice_38864552", "zh_aishell1_BAC009S0764W0122"])
        .union((1...8).map { "en_ljspeech_LJ001_000\($0)" })

    /// Babble: six talkers from the other fixture utterances of the same sample rate (looped,
    /// random offsets; for a rate with fewer than six, all the others resampled), 10 dB below
    /// the speech, as for white noise. The issue 2 target holds on its 13 utterances with babble
    /// from them; on issue 17's batch (long silences in the MFA clips and THCHS-30, which the
    /// babble fills) it is reported only: babble standing alone for seconds is taken for speech
    /// (docs/accuracy.md, still open).
    @Test(.disabled(if: Sanitizer.isActive, "accuracy sweep")) func babbleAt10DB() throws {
        let all = try Self.speechClips()
        for (group, clips) in [("issue 2", all.filter { Self.issue2Stems.contains($0.stem) }),
                               ("issue 17 batch", all.filter { !Self.issue2Stems.contains($0.stem) })] {
            let (score, errors) = Self.score(clips, label: "babble 10 dB \(group)") { k, clip in
                var others = clips.filter { $0.stem != clip.stem && $0.rateHz == clip.rateHz }.map(\.samples)
                if others.count < 6 {  // a rate with few talkers (the one 32 kHz clip): the others resampled to it
                    others = clips.filter { $0.stem != clip.stem }.map { Telephone.resample($0.samples, fromHz: $0.rateHz, toHz: clip.rateHz) }
                }
                let babble = NoiseMixing.babble(from: others, talkerCount: 6, length: clip.samples.count, seed: UInt64(200 + k))
                let p = NoiseMixing.meanPower(clip.samples, sampleRateHz: clip.rateHz, over: clip.truth)
                return NoiseMixing.add(babble, to: clip.samples, speechPower: p, snrDB: 10)
            }
            print("activity babble 10 dB \(group) (n \(clips.count)): \(score), boundary median \(String(format: "%.3f", ActivityScore.median(errors))) s")
            if group == "issue 2" { #expect(score.f1 >= 0.90) }  // issue 2 target
        }
    }

    /// A fixture call read once with what the tests here score: its truth, each channel's contours
    /// and the two channels' speech activity.
    struct Call {
        var stem: String, buffer: AudioBuffer, truthJSON: [String: Any]
        var contours: [ChannelContours], activities: [SpeechActivity]
        var truth: [[(Double, Double)]] { Fixtures.speechSegments(truthJSON) }
    }

    /// Every fixture call, analysed once for the suite (the front end is most of each test's work,
    /// and five tests read the same calls).
    nonisolated(unsafe) static let fixtureCalls = Result {
        try Fixtures.stems(in: "calls").map { stem -> Call in
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", stem))
            let contours = buffer.channels.map { Self.contours($0, rateHz: buffer.sampleRateHz) }
            return Call(stem: stem, buffer: buffer, truthJSON: try Fixtures.truth("calls", stem), contours: contours,
                        activities: SpeechActivityDetector.detect(contours))
        }
    }

    /// `fixtureCalls` of the stems `Sanitizer.few` keeps of `count`.
    static func fewFixtureCalls(_ count: Int) throws -> [Call] {
        let calls = try fixtureCalls.get()
        let stems = Set(Sanitizer.few(calls.map(\.stem), count))
        return calls.filter { stems.contains($0.stem) }
    }

    @Test func twoChannelCalls() throws {
        var perChannel = [ActivityScore(), ActivityScore()]
        for call in try Self.fixtureCalls.get() {
            let (buffer, truth, activities) = (call.buffer, call.truth, call.activities)
            for ch in 0..<2 {
                var s = ActivityScore()
                s.add(detected: Self.pairs(activities[ch].segments), truth: truth[ch], durationSeconds: buffer.durationSeconds)
                print("activity call \(call.stem) ch\(ch): \(s)")
                perChannel[ch] = perChannel[ch] + s
            }
        }
        let pooled = perChannel[0] + perChannel[1]
        print("activity calls agent: \(perChannel[0]); customer: \(perChannel[1]); pooled: \(pooled)")
        #expect(pooled.f1 >= 0.93)   // issue 2 target (Silero 0.88–0.90, webrtcvad 0.72–0.82 here)
    }

    /// Issue 17's target for calls (F1 ≥ 0.96) on the frames whose truth is segment-level: the
    /// frames within 0.3 s of two kinds of placement are left out, because their truth is not:
    /// - AMI customer turns (`en_ami_excerpt_*`): their truth is one RTTM speaker turn, pauses
    ///   included. Of the customer frames the detector misses in them, 55 % lie ≥ 30 dB under the
    ///   clean AMI source's 95th-percentile frame level (median 31 dB under), against 8 % of the
    ///   frames it finds: silence inside a turn;
    /// - THCHS-30 agent turns: its energy-VAD truth leaves out whole phrases (webrtcvad in its
    ///   strictest mode finds 15–148 % more speech in each THCHS-30 clip, within −5…+7 % of the truth
    ///   on every exactly-annotated and LJ Speech clip; docs/accuracy.md).
    /// One-off measurements behind these figures: docs/accuracy.md, "Speech activity".
    ///
    /// By the agent's line noise: most of what is left is on the agents under babble or pink noise
    /// at 5–10 dB SNR (3 calls: F1 0.933, 0.921 before the steady-noise onset; the other 10 agents
    /// 0.974), where webrtcvad, in its best mode on the same frames, scores 0.63 (the other agents 0.95;
    /// one-off, Python webrtcvad 2.0.10, 30 ms frames, modes 0–3). What the two babble calls miss
    /// lies under the babble: 73–95 % of the missed frames carry less power than the noise-only
    /// mean (docs/accuracy.md).
    @Test func callsOnSegmentLevelTruth() throws {
        var perChannel = [ActivityScore(), ActivityScore()]
        var agentsByNoise = (loudBroadband: ActivityScore(), rest: ActivityScore())
        for call in try Self.fixtureCalls.get() {
            let (truthJSON, buffer, truth, activities) = (call.truthJSON, call.buffer, call.truth, call.activities)
            for ch in 0..<2 {
                let role = ch == 0 ? "agent" : "customer"
                let excluded = Fixtures.placementSpans(truthJSON, channel: role) {
                    $0.hasPrefix("en_ami_excerpt") || Fixtures.truthLeavesOutSpeech($0)
                }.map { ($0.0 - 0.3, $0.1 + 0.3) }
                var s = ActivityScore()
                s.add(detected: Self.pairs(activities[ch].segments), truth: truth[ch],
                      durationSeconds: buffer.durationSeconds, excluding: excluded)
                perChannel[ch] = perChannel[ch] + s
                if ch == 0 {
                    let noise = (truthJSON["noise"] as? [String: Any])?["agent"] as? [String: Any]
                    let type = noise?["type"] as? String ?? "", snrDB = noise?["snr_db"] as? Double ?? .infinity
                    if ["babble_like", "pink", "white"].contains(type) && snrDB <= 10 {
                        agentsByNoise.loudBroadband = agentsByNoise.loudBroadband + s
                    } else {
                        agentsByNoise.rest = agentsByNoise.rest + s
                    }
                }
            }
        }
        let pooled = perChannel[0] + perChannel[1]
        print("activity calls, segment-level truth (n 13 calls): agent \(perChannel[0]); customer \(perChannel[1]); pooled \(pooled)")
        print("activity calls, segment-level truth, agents under broadband noise at ≤ 10 dB SNR: \(agentsByNoise.loudBroadband); the other agents: \(agentsByNoise.rest)")
        #expect(pooled.f1 >= 0.96)   // issue 17 target; measured 0.963 (0.9598 before the steady-noise onset)
        #expect(agentsByNoise.rest.f1 >= 0.96)   // measured 0.974 (10 calls)
    }

    /// Held-out copies for the calls target: the agents of the 10 calls without loud broadband
    /// noise, with pink noise at 5 dB SNR and babble (6 fixture talkers not in the call, at 8 kHz)
    /// at 5 and 10 dB SNR added to the agent leg (SNR against the agent's mean power over its true
    /// speech segments), scored on the same frames as `callsOnSegmentLevelTruth`; the truth is the
    /// call's own. Babble made of fixture voices fills the calls' long silences between turns and
    /// is taken for speech there (the open item of the babble rows in docs/accuracy.md), so
    /// babble is reported only; pink noise holds the steady-noise onset's gain on calls it was not
    /// measured on (0.914 → 0.942 with it).
    @Test(.disabled(if: Sanitizer.isActive, "accuracy sweep")) func callAgentsWithAddedNoise() throws {
        let clips = try Self.speechClips()
        var scores: [String: ActivityScore] = [:]
        var k: UInt64 = 0
        for stem in Fixtures.stems(in: "calls") {
            let truthJSON = try Fixtures.truth("calls", stem)
            let noise = (truthJSON["noise"] as? [String: Any])?["agent"] as? [String: Any]
            let type = noise?["type"] as? String ?? "", snr = noise?["snr_db"] as? Double ?? .infinity
            if ["babble_like", "pink", "white"].contains(type) && snr <= 10 { continue }   // the three under test
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", stem))
            let truth = Fixtures.speechSegments(truthJSON)
            let excluded = Fixtures.placementSpans(truthJSON, channel: "agent") {
                $0.hasPrefix("en_ami_excerpt") || Fixtures.truthLeavesOutSpeech($0)
            }.map { ($0.0 - 0.3, $0.1 + 0.3) }
            let inCall = Set((truthJSON["placements"] as? [[String: Any]] ?? []).compactMap { $0["source_id"] as? String })
            let rate = buffer.sampleRateHz, agent = buffer.channels[0], n = agent.count
            let p = NoiseMixing.meanPower(agent, sampleRateHz: rate, over: truth[0])
            k += 1
            let talkers = clips.filter { !inCall.contains($0.stem) }.map { Telephone.resample($0.samples, fromHz: $0.rateHz, toHz: rate) }
            let babble = NoiseMixing.babble(from: talkers, talkerCount: 6, length: n, seed: 300 + k)
            let pink = Synth.pinkNoise(durationSeconds: Double(n) / rate, sampleRateHz: rate, rms: 1, seed: 400 + k)
            for (label, noise, snrDB) in [("pink 5 dB", pink, 5.0), ("babble 5 dB", babble, 5), ("babble 10 dB", babble, 10)] {
                let noisy = NoiseMixing.add(noise, to: agent, speechPower: p, snrDB: snrDB)
                let activities = SpeechActivityDetector.detect([Self.contours(noisy, rateHz: rate), Self.contours(buffer.channels[1], rateHz: rate)])
                var s = ActivityScore()
                s.add(detected: Self.pairs(activities[0].segments), truth: truth[0], durationSeconds: buffer.durationSeconds, excluding: excluded)
                scores[label] = (scores[label] ?? ActivityScore()) + s
            }
        }
        for (label, s) in scores.sorted(by: { $0.key < $1.key }) { print("activity call agents + \(label) (n \(k) calls): \(s)") }
        #expect(scores.count == 3)
        #expect((scores["pink 5 dB"]?.f1 ?? 0) >= 0.93)   // measured 0.942
    }

    /// The same calls with each leg through the GSM 6.10 full-rate codec (common in call
    /// recorders), written and read back by libsndfile: the codec's coarse spectral envelope
    /// must not cost more than 0.02 F1 against the µ-law originals (measured 0.941 → 0.932 with
    /// an independent scorer).
    @Test func gsmCodedCalls() throws {
        let dir = try TestAudioWriter.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gsm = try #require(TestAudioWriter.formats.first { $0.name == "WAV GSM 6.10" })
        var original = ActivityScore(), coded = ActivityScore()
        for call in try Self.fixtureCalls.get() {
            let (buffer, truth) = (call.buffer, call.truth)
            let legs = try buffer.channels.enumerated().map { c, samples -> [Float] in
                let path = dir.appendingPathComponent("\(call.stem)-\(c).wav").path
                try TestAudioWriter.write(AudioBuffer(sampleRateHz: buffer.sampleRateHz, mono: samples), to: path, format: gsm)
                return Array(try AudioFileReader.readAll(path: path).channels[0].prefix(samples.count))
            }
            let n = legs.map(\.count).min()!
            let codedActivities = SpeechActivityDetector.detect(legs.map { Self.contours(Array($0.prefix(n)), rateHz: buffer.sampleRateHz) })
            for c in 0..<2 {
                var s = ActivityScore()
                s.add(detected: Self.pairs(call.activities[c].segments), truth: truth[c], durationSeconds: buffer.durationSeconds)
                original = original + s
                s = ActivityScore()
                s.add(detected: Self.pairs(codedActivities[c].segments), truth: truth[c], durationSeconds: Double(n) / buffer.sampleRateHz)
                coded = coded + s
            }
        }
        print("activity calls µ-law: \(original); GSM 6.10: \(coded)")
        #expect(coded.f1 >= original.f1 - 0.02)
        #expect(coded.f1 >= 0.92)  // the calls' 0.93 target less that codec allowance, against the truth
    }

    /// Meeting excerpts: truth is whole speaker turns without inner pauses, so only reported.
    @Test func conversationsReported() throws {
        var total = ActivityScore()
        for stem in Fixtures.stems(in: "conversations") {
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("conversations", stem))
            let truth = Fixtures.speechSegments(try Fixtures.truth("conversations", stem))
            let activity = SpeechActivityDetector.detect(Self.contours(buffer.channels[0], rateHz: buffer.sampleRateHz))
            total.add(detected: Self.pairs(activity.segments), truth: truth.first ?? [], durationSeconds: buffer.durationSeconds)
        }
        print("activity conversations: \(total)")
        #expect(total.truePositives > 0)
    }

    /// The stream decides activity a chunk at a time over windows with a look-around margin; the
    /// segments must not depend on the chunk size. Chunks of 3.4 s (the smallest allowed) against
    /// the whole call at once, on every fixture call, both channels, at echo delays of 0, 3 and
    /// 30 frames (the ends of the searched range and a typical line delay): identical frame by frame. With the delay estimated, it
    /// is estimated from the frames seen when a chunk is decided (here from 10 s of the call
    /// instead of all of it; in use, from at least 10 minutes), which may move a few frames.
    @Test func chunkSizeDoesNotChangeActivity() throws {
        var differing = 0, differingEstimated = 0, total = 0
        for call in try Self.fewFixtureCalls(3) {
            let contours = call.contours
            // Under a sanitizer the estimated delay and one fixed: the fixed delays take one path.
            for lag in Sanitizer.few([nil, 0, 3, 30] as [Int?], 2) {
                let whole = SpeechActivityDetector.detect(contours, settings: .standard, chunkFrames: 1_000_000, fixedEchoLagFrames: lag)
                let chunked = SpeechActivityDetector.detect(contours, settings: .standard, chunkFrames: 340, fixedEchoLagFrames: lag)
                for c in 0..<2 {
                    #expect(whole[c].isSpeech.count == chunked[c].isSpeech.count)
                    let d = zip(whole[c].isSpeech, chunked[c].isSpeech).filter { $0 != $1 }.count
                    if lag == nil { differingEstimated += d; total += whole[c].isSpeech.count } else { differing += d }
                }
            }
        }
        print("activity chunked vs whole: \(differing) frames differ at fixed echo delays; \(differingEstimated) of \(total) with the delay estimated")
        #expect(differing == 0)
        #expect(Double(differingEstimated) <= 0.001 * Double(total))
    }

    /// The run rules (step 4) finish a long call piece by piece at quiet stretches, so nothing
    /// per frame is kept for the whole call. Finishing pieces from the 5th second on (in use:
    /// from the 10th minute), in 3.4 s chunks, against the whole call at once, on every fixture
    /// call, both channels: the pieces join up frame for frame. The one statistic over the whole
    /// channel (is it noisy?) is read from the frames so far when a piece is finished, so it
    /// could differ from the whole call's early in a call: on the customer channels of
    /// devcall3_ja_03 and devcall3_zh_00, which open with ring-back, the first piece (finished
    /// after 5 s here, after 10 minutes in use) reads the channel as noisy, and one run gets the
    /// noisy channel's 0.15 s tail: 15 frames each. On the agent of devcall_en_02 (hum at 5 dB)
    /// speech stands 14.4–15.2 dB over the noise in the first 20 s by that statistic, 16.8 dB
    /// over the whole call, next to the 15 dB limit: a piece finished there reads the channel
    /// as noisy, and its runs get the noisy channel's bridging and tail (51 frames; analysisVersion
    /// 13's lower onset in steady noise adds soft frames to the evidence and moved it by
    /// 0.2–0.7 dB). Nowhere else.
    /// With `forcedCutFrames`, a piece that has not fallen quiet for that long is cut anyway (in
    /// use after 10 minutes of sound: music, or noise taken for speech), in the middle of the
    /// longest quiet stretch in its second half, and a run cut there is joined again: forced
    /// after 10 s here, the decisions are still the whole call's.
    @Test(arguments: [nil, 1000] as [Int?])
    func piecesJoinUp(forcedCutFrames: Int?) throws {
        var differing = 0, total = 0, pieces = 0, channels = 0
        for call in try Self.fewFixtureCalls(3) {
            let (stem, contours) = (call.stem, call.contours)
            let whole = SpeechActivityDetector.detect(contours, settings: .standard, chunkFrames: 1_000_000, fixedEchoLagFrames: 3)
            var ends: [[Int]] = []
            let pieced = SpeechActivityDetector.detect(contours, settings: .standard, chunkFrames: 340, fixedEchoLagFrames: 3,
                                                       finishAfterFrames: 500, forcedCutFrames: forcedCutFrames, pieceEnds: &ends)
            for c in 0..<2 {
                #expect(whole[c].frameCount == pieced[c].frameCount)
                let d = zip(whole[c].isSpeech, pieced[c].isSpeech).filter { $0 != $1 }.count
                if d > 0 { print("activity in pieces: \(stem) ch\(c) \(d) frames differ, first at \(zip(whole[c].isSpeech, pieced[c].isSpeech).enumerated().first { $0.element.0 != $0.element.1 }!.offset)") }
                differing += d
                total += whole[c].frameCount
                // Runs cut at a piece's end are joined again: no two runs touch.
                #expect(zip(pieced[c].speechRuns, pieced[c].speechRuns.dropFirst()).allSatisfy { $0.upperBound < $1.lowerBound })
            }
            pieces += ends.map(\.count).reduce(0, +)
            channels += ends.count
        }
        print("activity in pieces (forced cut after \(forcedCutFrames.map(String.init) ?? "–") frames) vs whole: \(pieces) pieces over \(channels) channels; \(differing) of \(total) frames differ")
        #expect(pieces >= 3 * channels, "the calls must be finished in several pieces for this test to mean anything")
        #expect(differing <= 90)   // the three channels above (15 + 15 + 51 frames measured)
    }
}
