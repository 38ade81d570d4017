import AudioIO
import DSP
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

/// Issue 17 study (run on demand: `VOICEQA_LATENCY_STUDY=1 swift test --filter LatencyNoiseStudy`):
/// every response latency of the level-matched built calls (`TurnTakingSyntheticCallTests`),
/// edge by edge — where the customer's turn end and the agent's turn start were found against
/// their truth — with the clean signal's level at each true edge against the added noise, under
/// each noise the tests use. One TSV row per latency, to stdout.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["VOICEQA_LATENCY_STUDY"] != nil))
struct LatencyNoiseStudy {
    typealias Calls = TurnTakingSyntheticCallTests

    /// One noisy built call of `Calls.noisyCall` with what the study reads of it: each channel's
    /// true speech (agent, customer) and contours (band levels kept).
    struct Call {
        let clean: AudioBuffer, noisy: AudioBuffer, truth: Calls.Truth
        let speech: [[(Double, Double)]]
        let contours: [ChannelContours]

        init(_ kind: Calls.NoiseKind, snrDB: Double, seed: UInt64, babbleTalkers: Int = 6) {
            let call = Calls.noisyCall(kind, snrDB: snrDB, seed: seed, babbleTalkers: babbleTalkers)
            clean = call.clean; noisy = call.noisy; truth = call.truth
            let (builder, _) = Calls.scenario(seed: seed, levelled: true)
            speech = [builder.agentSegments, builder.customerSegments]
            contours = Calls.contours(noisy)
        }

        /// True speech on both channels, seconds.
        var speechSeconds: Double { speech.joined().reduce(0) { $0 + $1.1 - $1.0 } }

        /// Turn-taking from `activity` of this call's channels.
        func conversation(_ activity: [SpeechActivity]) -> Conversation {
            Calls.conversation(contours, activity, durationSeconds: noisy.durationSeconds)
        }
    }

    /// The seeds of the built calls `TurnTakingSyntheticCallTests` scores (all 6 in a plain run).
    static let seeds = Calls.seeds(6)

    /// Speech activity of `contours` with run ends held `tailSeconds` on noisy channels.
    static func activity(_ contours: [ChannelContours], tailSeconds: Double) -> [SpeechActivity] {
        SpeechActivityDetector.detect(contours, settings: .standard, chunkFrames: SpeechActivityDetector.Constants.chunkFrames,
                                      noisyTailSeconds: tailSeconds)
    }

    /// Power of `x` in 10 ms frames over `from..<to` seconds, dB.
    static func frameLevelsDB(_ x: [Float], from: Double, to: Double) -> [Double] {
        let hop = Int(0.01 * CallBuilder.rateHz)
        var out: [Double] = []
        var i = max(0, Int(from * CallBuilder.rateHz))
        while i + hop <= min(x.count, Int(to * CallBuilder.rateHz)) {
            var sum = 0.0
            for j in i..<(i + hop) { sum += Double(x[j]) * Double(x[j]) }
            out.append(10 * log10(max(1e-12, sum / Double(hop))))
            i += hop
        }
        return out
    }

    /// The mean power of frames whose levels are `levelsDB`, dB.
    static func meanPowerDB(_ levelsDB: [Double]) -> Double {
        10 * log10(levelsDB.map { pow(10, $0 / 10) }.reduce(0, +) / Double(max(1, levelsDB.count)))
    }

    /// `Statistics.percentile` (p in 0…100), −1 for no values.
    static func percentile(_ v: [Double], _ p: Double) -> Double { Statistics.percentile(v, p) ?? -1 }

    static let configurations: [(String, Calls.NoiseKind?, Double)] = [
        ("clean", nil, 0), ("white20", .white, 20), ("white10", .white, 10), ("white5", .white, 5),
        ("babble20", .babble, 20), ("babble10", .babble, 10),
    ]

    @Test func latencyEdges() throws {
        print("config\tseed\tk\tcustomer\tagent\ttrueEnd\tdEnd\ttrueStart\tdStart\tdLatency\tnoiseDB\tendLast50DB\tendLast100to50DB\tstartFirst50DB")
        for (name, kind, snr) in Self.configurations {
            var errors: [Double] = []
            for seed in Self.seeds {
                let call = Call(kind ?? .white, snrDB: kind == nil ? 200 : snr, seed: seed)
                let c = call.conversation(SpeechActivityDetector.detect(call.contours))
                let customerClean = call.clean.channels[1], agentClean = call.clean.channels[0]
                let noise = zip(call.noisy.channels[1], customerClean).map { $0 - $1 }
                let noiseDB = 10 * log10(max(1e-12, Synth.rms(noise) * Synth.rms(noise)))
                for (k, l) in call.truth.latencies.enumerated() {
                    let talkers = call.truth.latencyTalkers[k]
                    let last50 = Self.frameLevelsDB(customerClean, from: l.customerEnd - 0.05, to: l.customerEnd)
                    let last100 = Self.frameLevelsDB(customerClean, from: l.customerEnd - 0.10, to: l.customerEnd - 0.05)
                    let first50 = Self.frameLevelsDB(agentClean, from: l.agentStart, to: l.agentStart + 0.05)
                    var row = "\(name)\t\(seed)\t\(k)\t\(talkers.customer)\t\(talkers.agent)\t\(String(format: "%.3f", l.customerEnd))"
                    if let m = Calls.found(l, in: c) {
                        let dLatency = m.seconds - (l.agentStart - l.customerEnd)
                        errors.append(abs(dLatency))
                        row += String(format: "\t%+.3f\t%.3f\t%+.3f\t%+.3f", m.customerEnd - l.customerEnd, l.agentStart,
                                      m.agentStart - l.agentStart, dLatency)
                    } else {
                        row += String(format: "\tmissed\t%.3f\tmissed\tmissed", l.agentStart)
                    }
                    row += String(format: "\t%.1f\t%.1f\t%.1f\t%.1f", noiseDB, Self.meanPowerDB(last50), Self.meanPowerDB(last100),
                                  Self.meanPowerDB(first50))
                    print(row)
                }
            }
            print("summary\t\(name)\tMAE \(Statistics.mean(errors) ?? -1) over \(errors.count)")
        }
    }

    /// The smoothed score and the raw decision (steps 1–3) of one channel, frame by frame.
    static func evidence(_ contours: ChannelContours) -> SpeechActivityDetector.WindowEvidence {
        let n = contours.frameCount
        let levels = (0..<n).map { Float(contours.levelDB[$0]) }
        return contours.bandLevelCodes.withUnsafeBufferPointer { codes in
            levels.withUnsafeBufferPointer { lv in
                ChannelContours.powerOfCode.withUnsafeBufferPointer { power in
                    SpeechActivityDetector.WindowEvidence(start: 0, codes: UnsafeBufferPointer(rebasing: codes[0..<(n * AnalysisBands.count)]),
                                                          levelDB: lv, settings: .standard, powerOfCode: power)
                }
            }
        }
    }

    /// Around each true customer turn end: the score of the frames from 0.3 s before to 0.3 s
    /// after it (`*` where steps 1–3 call the frame speech), and the noise-only frames' score
    /// percentiles on the channel (frames ≥ 0.3 s from any true speech).
    @Test(arguments: [10.0, 5.0, 20.0])
    func scoresAtTurnEnds(snrDB: Double) throws {
        var noiseScores: [Double] = []
        for seed in Self.seeds {
            let call = Call(.white, snrDB: snrDB, seed: seed)
            let contours = call.contours[1]
            let w = Self.evidence(contours)
            let hop = contours.timeBase.hopSeconds
            for i in 0..<w.count {
                let t = contours.timeBase.seconds(ofFrame: i)
                if !call.speech[1].contains(where: { t > $0.0 - 0.3 && t < $0.1 + 0.3 }) { noiseScores.append(Double(w.score[i])) }
            }
            for (k, l) in call.truth.latencies.enumerated() {
                let e = Int((l.customerEnd / hop).rounded())
                let trace = (max(0, e - 30)..<min(w.count, e + 30)).map { i in
                    String(format: "%.0f", w.score[i]) + (w.raw[i] ? "*" : "") + (i == e ? "|" : "")
                }
                print("trace\t\(snrDB)\t\(seed)\t\(k)\t\(call.truth.latencyTalkers[k].customer)\t" + trace.joined(separator: " "))
            }
        }
        let p = [50, 90, 99, 99.9].map { String(format: "%.1f", Self.percentile(noiseScores, $0)) }
        print("noise-only score \(snrDB) dB: p50/p90/p99/p99.9 \(p.joined(separator: " / ")) over \(noiseScores.count)")
    }

    /// Phrase ends of the fixture utterances under white noise (`phraseEndErrors`), with the hold
    /// off and at its default, per source.
    @Test(arguments: [10.0, 5.0])
    func phraseEndsOnClips(snrDB: Double) throws {
        let clips = try ActivityFixtureTests.speechClips()
        for tail in [0.0, 0.15] {
            var bySource: [String: [Double]] = [:]
            for (k, clip) in clips.enumerated() where clip.truthIsExactEnough {
                bySource[clip.source, default: []] += Self.phraseEndErrors(clip, index: k, snrDB: snrDB, tailSeconds: tail)
            }
            for (source, d) in bySource.sorted(by: { $0.key < $1.key }) {
                print(String(format: "phrase ends %.0f dB tail %.2f %@ (n %d): median %+.3f, MAE %.3f", snrDB, tail, source, d.count,
                             Statistics.median(d) ?? 0, Statistics.mean(d.map(abs)) ?? 0))
            }
            let all = bySource.values.flatMap { $0 }
            print(String(format: "phrase ends %.0f dB tail %.2f all (n %d): median %+.3f, MAE %.3f", snrDB, tail, all.count,
                         Statistics.median(all) ?? 0, Statistics.mean(all.map(abs)) ?? 0))
        }
    }

    /// The built calls' latency MAE and the clips' phrase-end MAE (en apart from ja + zh) with
    /// run ends held `tail` on noisy channels: what a different constant hold would give.
    @Test(arguments: [10.0, 5.0])
    func tailSweep(snrDB: Double) throws {
        let clips = try ActivityFixtureTests.speechClips()
        let calls = Self.seeds.map { Call(.white, snrDB: snrDB, seed: $0) }
        for tail in [0.0, 0.04, 0.06, 0.08, 0.10, 0.12, 0.15] {
            var errors: [String: [Double]] = [:]
            for call in calls {
                let c = call.conversation(Self.activity(call.contours, tailSeconds: tail))
                for (k, l) in call.truth.latencies.enumerated() {
                    let group = call.truth.latencyTalkers[k].customer.hasPrefix("en") ? "en" : "ja+zh"
                    if let m = Calls.found(l, in: c) {
                        errors["calls " + group, default: []].append(abs(m.seconds - (l.agentStart - l.customerEnd)))
                    } else { errors["calls missed", default: []].append(1) }
                }
            }
            for (k, clip) in clips.enumerated() where clip.truthIsExactEnough {
                errors[clip.stem.hasPrefix("en") ? "clips en" : "clips ja+zh", default: []]
                    += Self.phraseEndErrors(clip, index: k, snrDB: snrDB, tailSeconds: tail)
            }
            let line = errors.sorted { $0.key < $1.key }.map { key, d in
                String(format: "%@ n %d MAE %.3f median %+.3f", key, d.count, Statistics.mean(d.map(abs)) ?? 0, Statistics.median(d) ?? 0)
            }
            print(String(format: "sweep %.0f dB tail %.2f: ", snrDB, tail) + line.joined(separator: "; "))
        }
    }

    /// The phrase ends of `clip`: its true segment ends followed by ≥ 0.3 s without speech (as a
    /// turn end is), seconds.
    static func phraseEnds(_ clip: ActivityFixtureTests.Clip) -> [Double] {
        clip.truth.indices.compactMap { j in
            let nextStart = j + 1 < clip.truth.count ? clip.truth[j + 1].0 : Double(clip.samples.count) / clip.rateHz
            return nextStart - clip.truth[j].1 >= 0.3 ? clip.truth[j].1 : nil
        }
    }

    /// Phrase ends of fixture utterance `clip` under white noise at `snrDB` (as
    /// `ActivityFixtureTests` mixes clip `index`): the signed error of the nearest detected end
    /// within 0.3 s, with run ends held `tailSeconds` on noisy channels.
    static func phraseEndErrors(_ clip: ActivityFixtureTests.Clip, index k: Int, snrDB: Double, tailSeconds: Double) -> [Double] {
        let x = ActivityFixtureTests.withWhiteNoise(clip, index: k, snrDB: snrDB)
        let ends = Self.activity([ActivityFixtureTests.contours(x, rateHz: clip.rateHz)], tailSeconds: tailSeconds)[0].segments.map(\.end)
        var errors: [Double] = []
        for trueEnd in Self.phraseEnds(clip) {
            guard let e = ends.min(by: { abs($0 - trueEnd) < abs($1 - trueEnd) }), abs(e - trueEnd) < 0.3 else {
                print("phrase end \(clip.stem) \(trueEnd): none within 0.3 s"); continue
            }
            errors.append(e - trueEnd)
        }
        return errors
    }

    /// Whether the decay before a run's end predicts how much of the phrase end sank: for each
    /// phrase end of the clips (hold off), the score fall over the last frames the raw
    /// decision keeps, and the signed end error.
    @Test func decayAgainstLoss() throws {
        let clips = try ActivityFixtureTests.speechClips()
        for snrDB in [10.0, 5.0] {
            for (k, clip) in clips.enumerated() where clip.truthIsExactEnough {
                let contours = ActivityFixtureTests.contours(ActivityFixtureTests.withWhiteNoise(clip, index: k, snrDB: snrDB), rateHz: clip.rateHz)
                let w = Self.evidence(contours)
                let hop = contours.timeBase.hopSeconds
                for trueEnd in Self.phraseEnds(clip) {
                    // The last raw speech frame within 0.4 s before the true end (or 0.1 s after).
                    let e = Int((trueEnd / hop).rounded())
                    guard let last = stride(from: min(w.count - 1, e + 10), through: max(0, e - 40), by: -1).first(where: { w.raw[$0] }) else { continue }
                    let peak = (max(0, last - 15)...last).map { w.score[$0] }.max() ?? 0
                    // Frames from the last frame at ≥ 12 dB to the last raw frame.
                    let lastHigh = stride(from: last, through: max(0, last - 30), by: -1).first(where: { w.score[$0] >= 12 }) ?? last
                    let slope = Double(w.score[lastHigh] - w.score[last]) / Double(max(1, last - lastHigh))
                    let trace = (max(0, last - 8)...min(w.count - 1, last + 2)).map { String(format: "%.0f", w.score[$0]) }.joined(separator: " ")
                    print(String(format: "decay %.0f dB %@ end %.2f loss %+.3f peak %.0f fall frames %d slope %.1f dB/frame | %@", snrDB, clip.stem, trueEnd,
                                 Double(last + 1) * hop - trueEnd, peak, last - lastHigh, slope, trace))
                }
            }
        }
    }

    /// The customer channels of the noisy built calls as raw 32-bit float files (16 kHz) with
    /// their true turn ends, into the directory `VOICEQA_LATENCY_STUDY` names (if it is one), for
    /// a reference detector to be scored on the same ends.
    @Test func exportCustomerChannels() throws {
        let directory = ProcessInfo.processInfo.environment["VOICEQA_LATENCY_STUDY"] ?? ""
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else { return }
        var ends = "file\tcustomer\ttrueEnd\tagentStart\n"
        for snrDB in [200.0, 20, 10, 5] {
            for seed in Self.seeds {
                let call = Calls.noisyCall(.white, snrDB: snrDB, seed: seed)
                let name = String(format: "white%.0f_%d.f32", snrDB, seed)
                let data = call.noisy.channels[1].withUnsafeBufferPointer { Data(buffer: $0) }
                try data.write(to: URL(fileURLWithPath: directory + "/" + name))
                for (k, l) in call.truth.latencies.enumerated() {
                    ends += "\(name)\t\(call.truth.latencyTalkers[k].customer)\t\(l.customerEnd)\t\(l.agentStart)\n"
                }
            }
        }
        try ends.write(toFile: directory + "/ends.tsv", atomically: true, encoding: .utf8)
    }
}

extension LatencyNoiseStudy {
    /// Under babble the built calls' latencies are all missed: how much of each channel is taken
    /// for speech, against the truth.
    @Test func babbleCoverage() throws {
        for snrDB in [20.0, 10.0] {
            for seed in UInt64(1)...2 {
                let call = Call(.babble, snrDB: snrDB, seed: seed)
                let activity = SpeechActivityDetector.detect(call.contours)
                let truth = call.speech.map { $0.reduce(0) { $0 + $1.1 - $1.0 } }
                for c in 0..<2 {
                    print(String(format: "babble %.0f dB seed %d channel %d: %.1f s of speech found in %d runs (truth %.1f s) of %.1f s",
                                 snrDB, seed, c, activity[c].speechSeconds, activity[c].segments.count, truth[c], call.noisy.durationSeconds))
                }
            }
        }
    }

    /// Why a babble channel is one run: per channel, the smoothed score of the babble-only frames
    /// (≥ 0.3 s from the channel's true speech) and of the speech frames against the onset and
    /// continue thresholds, the floor's lift (steadiness), the share of babble-only frames the
    /// raw decision (steps 1–3) calls speech, and the longest stretch of babble-only frames
    /// under the continue threshold (what could end a run).
    @Test func babbleScores() throws {
        func pct(_ v: [Float], _ p: Double) -> Float { Float(Self.percentile(v.map(Double.init), p)) }
        Self.forEachBabbleChannel { snrDB, seed, c, call in
            let contours = call.contours[c], truth = call.speech[c]
            let w = Self.evidence(contours)
            let n = contours.frameCount
            var lift: [Int32] = []
            _ = contours.bandLevelCodes.withUnsafeBufferPointer {
                BandNoiseFloor().floorCodes(UnsafeBufferPointer(rebasing: $0[0..<(n * AnalysisBands.count)]), frameCount: n, lift: &lift)
            }
            let hop = contours.timeBase.hopSeconds
            var noise: [Float] = [], speech: [Float] = [], noiseLift: [Float] = [], speechLift: [Float] = []
            var noiseRaw = 0, below = 0, longestBelow = 0, noiseStretch = 0, longestNoise = 0
            for i in 0..<w.count {
                let t = contours.timeBase.seconds(ofFrame: i)
                let liftDB = Float(lift[i]) / Float(2 * AnalysisBands.count)
                if truth.contains(where: { t >= $0.0 && t < $0.1 }) { speech.append(w.score[i]); speechLift.append(liftDB) }
                if !truth.contains(where: { t > $0.0 - 0.3 && t < $0.1 + 0.3 }) {
                    noise.append(w.score[i]); noiseLift.append(liftDB)
                    if w.raw[i] { noiseRaw += 1 }
                    noiseStretch += 1; longestNoise = max(longestNoise, noiseStretch)
                    if w.score[i] <= 6 { below += 1; longestBelow = max(longestBelow, below) } else { below = 0 }
                } else { below = 0; noiseStretch = 0 }
            }
            let ps = [10.0, 50, 90, 99]
            print(String(format: "babble %.0f dB seed %d ch %d: noise-only n %d score p10/50/90/99 %@, >6 %.0f%%, >9 %.0f%%, >12 %.0f%%, raw %.0f%%; lift p5/50 %.1f/%.1f; longest ≤6 stretch %.2f s of longest noise %.2f s | speech n %d score p10/50/90 %@, lift p50 %.1f",
                         snrDB, seed, c, noise.count, ps.map { String(format: "%.1f", pct(noise, $0)) }.joined(separator: "/"),
                         100 * Double(noise.filter { $0 > 6 }.count) / Double(max(1, noise.count)),
                         100 * Double(noise.filter { $0 > 9 }.count) / Double(max(1, noise.count)),
                         100 * Double(noise.filter { $0 > 12 }.count) / Double(max(1, noise.count)),
                         100 * Double(noiseRaw) / Double(max(1, noise.count)), pct(noiseLift, 5), pct(noiseLift, 50),
                         Double(longestBelow) * hop, Double(longestNoise) * hop, speech.count,
                         [10.0, 50, 90].map { String(format: "%.1f", pct(speech, $0)) }.joined(separator: "/"), pct(speechLift, 50)))
            // A trace: 2 s of a babble-only stretch, score and raw decision.
            if let k = (0..<w.count).first(where: { i in
                let t = contours.timeBase.seconds(ofFrame: i)
                return !truth.contains(where: { t > $0.0 - 0.3 && t < $0.1 + 2.3 }) && t > 1 }) {
                print("trace ch \(c) from \(String(format: "%.2f", Double(k) * hop)) s: " + (k..<min(w.count, k + 100)).map { String(format: "%.0f", w.score[$0]) + (w.raw[$0] ? "*" : "") }.joined(separator: " "))
            }
        }
    }

    /// `body(snrDB, seed, channel, call)` for each channel of the babble-noised built calls,
    /// seeds 1–2, at 20 and 10 dB SNR.
    static func forEachBabbleChannel(_ body: (Double, UInt64, Int, Call) -> Void) {
        for snrDB in [20.0, 10.0] {
            for seed in UInt64(1)...2 {
                let call = Call(.babble, snrDB: snrDB, seed: seed)
                for c in 0..<2 { body(snrDB, seed, c, call) }
            }
        }
    }
}

extension LatencyNoiseStudy {
    /// The built babble's own level modulation (the babble alone, 10 ms frames, dB re its mean
    /// power), and on the noisy channel the in-band level of the babble-only frames against the
    /// speech frames: what a level rule would have to separate.
    @Test func babbleLevels() throws {
        let pct = Self.percentile
        Self.forEachBabbleChannel { snrDB, seed, c, call in
            let contours = call.contours[c], truth = call.speech[c]
            let babble = zip(call.noisy.channels[c], call.clean.channels[c]).map { $0 - $1 }
            let levels = Self.frameLevelsDB(babble, from: 0, to: call.noisy.durationSeconds)
            let meanDB = Self.meanPowerDB(levels)
            let rel = levels.map { $0 - meanDB }
            var noise: [Double] = [], speech: [Double] = []
            for i in 0..<contours.frameCount {
                let t = contours.timeBase.seconds(ofFrame: i)
                if truth.contains(where: { t >= $0.0 && t < $0.1 }) { speech.append(Double(contours.levelDB[i])) }
                if !truth.contains(where: { t > $0.0 - 0.3 && t < $0.1 + 0.3 }) { noise.append(Double(contours.levelDB[i])) }
            }
            let speechMedian = pct(speech, 50)
            print(String(format: "babble %.0f dB seed %d ch %d: babble alone re its mean p5/p20/p50/p95 %.1f/%.1f/%.1f/%.1f dB | channel level re speech median: babble-only p50/p90/p99 %.1f/%.1f/%.1f, speech p5/p10/p25 %.1f/%.1f/%.1f; speech frames under babble-only p90 %.0f%%",
                         snrDB, seed, c, pct(rel, 5), pct(rel, 20), pct(rel, 50), pct(rel, 95),
                         pct(noise, 50) - speechMedian, pct(noise, 90) - speechMedian, pct(noise, 99) - speechMedian,
                         pct(speech, 5) - speechMedian, pct(speech, 10) - speechMedian, pct(speech, 25) - speechMedian,
                         100 * Double(speech.filter { $0 < pct(noise, 90) }.count) / Double(speech.count)))
        }
    }
}

extension LatencyNoiseStudy {
    /// What a level rule alone would give: the built calls' latencies (found, MAE) and speech
    /// found against true under babble and white noise with the dynamic-range gate (frames more
    /// than `dynamicRangeDB` under the loudest frame within ±3 s are not speech) narrowed.
    @Test func babbleDynamicRangeSweep() throws {
        for range in [40.0, 30.0, 25.0, 20.0] {
            let settings = try SpeechActivitySettings(dynamicRangeDB: range)
            for (kind, snrDB) in [(Calls.NoiseKind.babble, 20.0), (.babble, 10), (.white, 10)] {
                var r = Found()
                for seed in Self.seeds { r.add(Call(kind, snrDB: snrDB, seed: seed), settings: settings) }
                print(String(format: "range %.0f dB, %@ %.0f dB: ", range, kind.rawValue, snrDB) + r.description)
            }
        }
    }

    /// What a setting finds on built calls, summed over them: the latencies (found, MAE) and the
    /// speech (seconds, runs) against the truth.
    struct Found: CustomStringConvertible {
        var errors: [Double] = [], missed = 0, foundSeconds = 0.0, runs = 0, truthSeconds = 0.0

        mutating func add(_ call: Call, settings: SpeechActivitySettings) {
            let activity = SpeechActivityDetector.detect(call.contours, settings: settings)
            let latencies = Calls.latencyErrors(call.conversation(activity), call.truth)
            errors += latencies.errors
            missed += latencies.missed
            foundSeconds += activity[0].speechSeconds + activity[1].speechSeconds
            runs += activity[0].segments.count + activity[1].segments.count
            truthSeconds += call.speechSeconds
        }

        var description: String {
            String(format: "latencies found %d of %d, MAE %.3f; speech found %.1f s in %d runs against %.1f s true",
                   errors.count, errors.count + missed, Statistics.mean(errors) ?? -1, foundSeconds, runs, truthSeconds)
        }
    }
}

extension LatencyNoiseStudy {
    /// Whether the talker count drives the babble's score: babble alone (no speech, 30 s, the
    /// level-matched fixture utterances) of 1–48 talkers, its frames' score percentiles and the
    /// share over the onset, with white noise as the steady reference.
    @Test func babbleTalkerCount() throws {
        let length = Int(30 * CallBuilder.rateHz)
        let utterances = CallBuilder.levelledUtterances.map(\.samples)
        print("babble from \(utterances.count) distinct utterances (more talkers loop them at other offsets)")
        for talkers in [0, 1, 3, 6, 12, 24, 48] {
            var scores: [Double] = []
            for seed in UInt64(1)...2 {
                let x = talkers == 0 ? Synth.whiteNoise(durationSeconds: 30, sampleRateHz: CallBuilder.rateHz, rms: 0.05, seed: seed)
                    : NoiseMixing.babble(from: utterances, talkerCount: talkers, length: length, seed: seed).map { $0 * 0.05 / Float(talkers).squareRoot() }
                let w = Self.evidence(ActivityFixtureTests.contours(x, rateHz: CallBuilder.rateHz))
                scores += w.score.map(Double.init)
            }
            print(String(format: "talkers %d (0 = white): score p10/p50/p90/p99 %.1f/%.1f/%.1f/%.1f dB, over 12 dB %.0f%%, over 6 dB %.0f%% (n %d)",
                         talkers, Self.percentile(scores, 10), Self.percentile(scores, 50), Self.percentile(scores, 90), Self.percentile(scores, 99),
                         100 * Double(scores.filter { $0 > 12 }.count) / Double(scores.count),
                         100 * Double(scores.filter { $0 > 6 }.count) / Double(scores.count), scores.count))
        }
    }
}

extension LatencyNoiseStudy {
    /// Babble of more talkers, which rarely reaches the onset but stays over the continue
    /// threshold: the built calls' latencies (found, MAE) and speech found, with the continue
    /// threshold at its 6 dB and at 9 dB (a probe of the hysteresis' offset).
    @Test func babbleTalkersOnCalls() throws {
        for talkers in [12, 24, 48] {
            for snrDB in [20.0, 10.0] {
                var results: [Double: Found] = [:]
                for seed in Self.seeds {
                    let call = Call(.babble, snrDB: snrDB, seed: seed, babbleTalkers: talkers)
                    for keep in [6.0, 9.0] { results[keep, default: Found()].add(call, settings: try SpeechActivitySettings(continueSNRDB: keep)) }
                }
                for (keep, r) in results.sorted(by: { $0.key < $1.key }) {
                    print(String(format: "babble %d talkers %.0f dB, continue %.0f dB: ", talkers, snrDB, keep) + r.description)
                }
            }
        }
    }
}
