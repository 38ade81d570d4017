import AudioIO
import DSP
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

/// Issue 17 study (run on demand: `VOICEQA_GATE_STUDY=/dir swift test --filter CrosstalkGateStudy`):
/// writes, frame by frame, what the crosstalk gate sees — over the bands active in both channels,
/// the mean and spread of the level difference, the band count, and each band's difference — at
/// every lag the gate tests, on built calls whose truth is known by construction (quiet agent
/// backchannels under customer speech; customer echo on the agent channel at several levels and
/// delays) and on the fixture calls (no leakage by construction: every gated frame of true speech
/// is an error). One TSV per construction; the labels come from the construction's truth.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["VOICEQA_GATE_STUDY"] != nil))
struct CrosstalkGateStudy {
    static var directory: String { ProcessInfo.processInfo.environment["VOICEQA_GATE_STUDY"] ?? "/tmp" }

    /// Adds `gain`·channel 1 delayed by `delaySeconds` to channel 0.
    static func addEcho(_ buffer: inout AudioBuffer, echoDB: Double, delaySeconds: Double) {
        let delay = Int((delaySeconds * buffer.sampleRateHz).rounded()), gain = Float(pow(10, echoDB / 20))
        for i in stride(from: buffer.frameCount - 1, through: delay, by: -1) {
            buffer.channels[0][i] += gain * buffer.channels[1][i - delay]
        }
    }

    /// Rows for one call: `label(channel, seconds)` names each frame's truth.
    static func rows(tag: String, buffer: AudioBuffer, label: (Int, Double) -> String) -> [String] {
        let contours = TurnTakingSyntheticCallTests.contours(buffer)
        let bands = AnalysisBands.count
        let n = contours.map(\.frameCount).min()!
        let levels = contours.map { c in (0..<n).map { Float(c.levelDB[$0]) } }
        let settings = SpeechActivitySettings.standard
        let windows = (0..<2).map { c in
            contours[c].bandLevelCodes.withUnsafeBufferPointer { codes in
                levels[c].withUnsafeBufferPointer { lv in
                    ChannelContours.powerOfCode.withUnsafeBufferPointer { power in
                        SpeechActivityDetector.WindowEvidence(start: 0, codes: UnsafeBufferPointer(rebasing: codes[0..<(n * bands)]),
                                                              levelDB: lv, settings: settings, powerOfCode: power)
                    }
                }
            }
        }
        // The echo delay as the stream estimates it (channel c behind the other).
        let lags = (0..<2).map { c -> Int in
            var e = EchoLagEstimator(maximumLagFrames: CrosstalkGate.maximumLagFrames)
            levels[c].withUnsafeBufferPointer { x in
                levels[1 - c].withUnsafeBufferPointer { y in
                    for i in 0..<min(n, SpeechActivityStream.echoEstimationFrames) { e.add(frameIndex: i, x: x[i], y: y.baseAddress! + i) }
                }
            }
            return e.lagFrames
        }
        let active = Float(settings.continueSNRDB), activeCodes = Int((2 * active).rounded())
        var out: [String] = []
        for c in 0..<2 {
            let a = contours[c].bandLevelCodes, b = contours[1 - c].bandLevelCodes
            let fa = windows[c].floorCodes, fb = windows[1 - c].floorCodes
            var testLags: Set<Int> = [0]
            for lag in [lags[c] - 1, lags[c], lags[c] + 1] where lag > 0 { testLags.insert(lag) }
            for i in 0..<n where windows[c].raw[i] {
                let t = contours[c].timeBase.seconds(ofFrame: i)
                let name = label(c, t)
                for lag in testLags.sorted() where i - lag >= 0 {
                    let j = i - lag
                    guard windows[1 - c].score[j] > active else { continue }
                    var ds: [String] = [], sum: Float = 0, sumSquares: Float = 0, count = 0
                    for band in 0..<bands {
                        let ka = i * bands + band, kb = j * bands + band
                        guard Int(a[ka]) - Int(fa[ka]) >= activeCodes, Int(b[kb]) - Int(fb[kb]) >= activeCodes else { ds.append("nan"); continue }
                        let d = 0.5 * (Float(a[ka]) - Float(b[kb]))
                        sum += d; sumSquares += d * d; count += 1
                        ds.append(String(format: "%.1f", d))
                    }
                    guard count > 0 else { continue }
                    let mean = sum / Float(count), spread = max(0, sumSquares / Float(count) - mean * mean).squareRoot()
                    // Each band's SNR in this channel, to see what stands near the floor.
                    let snr = (0..<bands).map { band in String(format: "%.1f", 0.5 * Float(Int(a[i * bands + band]) - Int(fa[i * bands + band]))) }
                    out.append(([tag, "\(c)", "\(i)", String(format: "%.3f", t), name, "\(lags[c])", "\(lag)",
                                 String(format: "%.2f", mean), String(format: "%.2f", spread), "\(count)"] + ds + snr).joined(separator: "\t"))
                }
            }
        }
        return out
    }

    static func inside(_ t: Double, _ segments: [(Double, Double)], margin: Double = 0) -> Bool {
        segments.contains { t >= $0.0 - margin && t < $0.1 + margin }
    }

    /// own/other truth → label; `events` marks spans of interest on channel 0 (backchannels).
    static func labeller(own: [[(Double, Double)]], events: [(Double, Double)]) -> (Int, Double) -> String {
        { c, t in
            if c == 0, inside(t, events) { return "bc" }
            let mine = inside(t, own[c]), near = inside(t, own[c], margin: 0.1), theirs = inside(t, own[1 - c])
            switch (mine, near, theirs) {
            case (true, _, true): return "overlap"
            case (true, _, false): return "own"
            case (false, false, true): return "other"      // leakage only, on an echo call
            case (false, true, _): return "edge"
            default: return "none"
            }
        }
    }

    static func write(_ name: String, _ rows: [String]) throws {
        let header = (["tag", "ch", "frame", "t", "label", "estLag", "lag", "mean", "spread", "count"]
                      + (0..<16).map { "d\($0)" } + (0..<16).map { "snr\($0)" }).joined(separator: "\t")
        try ([header] + rows).joined(separator: "\n").write(toFile: "\(directory)/\(name).tsv", atomically: true, encoding: .utf8)
    }

    @Test(arguments: [0.0, -10.0, -15.0, -20.0, -25.0])
    func backchannels(levelDB: Double) throws {
        for echo in [nil, (-25.0, 0.03), (-25.0, 0.12)] as [(Double, Double)?] {
            var rows: [String] = []
            for seed in UInt64(1)...6 {
                let (builder, times) = BackchannelLevelTests.call(seed: seed, levelDB: levelDB)
                var buffer = builder.buffer(seed: seed)
                if let echo { Self.addEcho(&buffer, echoDB: echo.0, delaySeconds: echo.1) }
                let events = builder.agentSegments.filter { s in times.contains { abs($0 - s.0) < 1e-9 } }
                rows += Self.rows(tag: "s\(seed)", buffer: buffer,
                                  label: Self.labeller(own: [builder.agentSegments, builder.customerSegments], events: events))
            }
            let echoName = echo.map { "_echo\(Int($0.0))_\(Int(($0.1 * 1000).rounded()))ms" } ?? ""
            try Self.write("bc\(Int(levelDB))\(echoName)", rows)
        }
    }

    @Test(arguments: [(-15.0, 64.0, true), (-25.0, 120.0, true), (-25.0, 30.0, true), (-20.0, 30.0, false),
                      (-20.0, 200.0, true), (-30.0, 90.0, true), (-20.0, 45.0, true)])
    func echo(echoDB: Double, delayMilliseconds: Double, levelled: Bool) throws {
        var rows: [String] = []
        for seed in UInt64(1)...(levelled ? 4 : 6) {
            let (builder, truth) = TurnTakingSyntheticCallTests.scenario(seed: seed, levelled: levelled)
            var buffer = builder.buffer(seed: seed)
            Self.addEcho(&buffer, echoDB: echoDB, delaySeconds: delayMilliseconds / 1000)
            let events = builder.agentSegments.filter { s in truth.backchannels.contains { abs($0 - s.0) < 1e-9 } }
            rows += Self.rows(tag: "s\(seed)", buffer: buffer,
                              label: Self.labeller(own: [builder.agentSegments, builder.customerSegments], events: events))
        }
        try Self.write("echo\(Int(echoDB))_\(Int(delayMilliseconds))ms\(levelled ? "_lev" : "")", rows)
    }

    @Test func fixtureCalls() throws {
        var rows: [String] = []
        for stem in Fixtures.stems(in: "calls") {
            let truth = try Fixtures.truth("calls", stem)
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", stem))
            let own = Fixtures.speechSegments(truth)
            let bcs = (truth["events"] as? [[String: Any]] ?? []).compactMap { e -> (Double, Double)? in
                guard e["type"] as? String == "backchannel", let s = e["start"] as? Double, let t = e["end"] as? Double else { return nil }
                return (s, t)
            }
            rows += Self.rows(tag: stem, buffer: buffer, label: Self.labeller(own: own, events: bcs))
        }
        try Self.write("fixtures", rows)
    }
}

extension CrosstalkGateStudy {
    /// Prints both channels' speech runs and the truth in [from, to] seconds of one echo call.
    @Test(arguments: [(UInt64(2), -25.0, 120.0, 19.0, 23.5), (UInt64(2), -200.0, 120.0, 19.0, 23.5), (UInt64(2), -15.0, 64.0, 19.0, 23.5), (UInt64(2), -25.0, 30.0, 19.0, 23.5), (UInt64(2), -30.0, 90.0, 19.0, 23.5)])
    func segments(seed: UInt64, echoDB: Double, delayMilliseconds: Double, from: Double, to: Double) throws {
        let (builder, truth) = TurnTakingSyntheticCallTests.scenario(seed: seed, levelled: true)
        var buffer = builder.buffer(seed: seed)
        Self.addEcho(&buffer, echoDB: echoDB, delaySeconds: delayMilliseconds / 1000)
        let contours = TurnTakingSyntheticCallTests.contours(buffer)
        let activity = SpeechActivityDetector.detect(contours)
        func show(_ s: [(Double, Double)]) -> String { Self.spans(s, from: from, to: to) }
        print("study seed \(seed) echo \(echoDB) \(delayMilliseconds): truth agent \(show(builder.agentSegments)); customer \(show(builder.customerSegments))")
        print("study seed \(seed) echo \(echoDB) \(delayMilliseconds): found agent \(show(activity[0].segments.map { ($0.start, $0.end) })); customer \(show(activity[1].segments.map { ($0.start, $0.end) }))")
        print("study seed \(seed): interruptions \(truth.interruptions.map { String(format: "%.3f %@", $0.time, "\($0.by)") })")
        let c = TurnTakingSyntheticCallTests.conversation(buffer)
        print("study seed \(seed) echo \(echoDB) \(delayMilliseconds): found interruptions \((c.interruptions ?? []).map { String(format: "%.3f %@", $0.time, "\($0.by)") }), backchannels \((c.backchannels ?? []).map { String(format: "%.3f", $0.time) })")
    }
}

extension CrosstalkGateStudy {
    /// Prints the agent channel's frame level, evidence and leakage in [from, to] seconds of one echo call.
    @Test(arguments: [(UInt64(2), -25.0, 120.0, 20.6, 21.5), (UInt64(2), -200.0, 120.0, 20.6, 21.5)])
    func frames(seed: UInt64, echoDB: Double, delayMilliseconds: Double, from: Double, to: Double) throws {
        let (builder, _) = TurnTakingSyntheticCallTests.scenario(seed: seed, levelled: true)
        var buffer = builder.buffer(seed: seed)
        Self.addEcho(&buffer, echoDB: echoDB, delaySeconds: delayMilliseconds / 1000)
        let contours = TurnTakingSyntheticCallTests.contours(buffer)
        let (n, levels, windows) = CrosstalkGateStudy.gateInputs(contours)
        let gate = CrosstalkGate(marginDB: 6, bandActiveDB: 6)
        let lag = Int((delayMilliseconds / 10).rounded())
        let leak = CrosstalkGateStudy.verdicts(gate, contours, channel: 0, windows: windows, frameCount: n, echoLagFrames: lag).map { $0 == CrosstalkGate.Verdict.leakage.rawValue }
        let tb = contours[0].timeBase
        var line = ""
        for i in tb.frame(nearest: from)...tb.frame(nearest: to) {
            line += String(format: "%d %.2f lvl %.1f raw %d leak %d score %.1f | ", i, tb.seconds(ofFrame: i), levels[0][i],
                           windows[0].raw[i] ? 1 : 0, leak[i] ? 1 : 0, windows[0].score[i])
            if i % 4 == 3 { print("studyframes \(echoDB): \(line)"); line = "" }
        }
    }
}

extension CrosstalkGateStudy {
    /// Held-out constructions, end to end: customer echo on the agent channel at levels and delays
    /// other than the tests' (4 level-matched calls each), and backchannels with echo.
    @Test(arguments: [(-25.0, 30.0), (-30.0, 90.0), (-20.0, 200.0), (-20.0, 45.0), (-15.0, 250.0), (-35.0, 120.0)])
    func heldOutEcho(echoDB: Double, delayMilliseconds: Double) throws {
        var s = TurnTakingSyntheticCallTests.Score()
        for seed in UInt64(1)...4 {
            let (builder, truth) = TurnTakingSyntheticCallTests.scenario(seed: seed, levelled: true)
            var buffer = builder.buffer(seed: seed)
            Self.addEcho(&buffer, echoDB: echoDB, delaySeconds: delayMilliseconds / 1000)
            TurnTakingSyntheticCallTests.score(TurnTakingSyntheticCallTests.conversation(buffer), truth, into: &s)
        }
        print("heldout echo \(echoDB) dB at \(delayMilliseconds) ms: interruptions \(s.interruptionHits)/\(s.interruptionsTrue), \(s.interruptionsFound) found; backchannels \(s.backchannelHits)/\(s.backchannelsTrue), as interruptions \(s.backchannelsCalledInterruptions); latency MAE \(Statistics.mean(s.latencyErrors) ?? -1) over \(s.latencyErrors.count), missed \(s.latenciesMissed); dead air missed \(s.deadAirMissed), boundary max \(s.deadAirBoundaryErrors.max() ?? -1)")
    }

    @Test(arguments: [(-20.0, -25.0, 30.0), (-20.0, -25.0, 120.0), (-10.0, -25.0, 120.0), (-15.0, -30.0, 90.0), (-15.0, -30.0, 30.0), (-15.0, -25.0, 90.0)])
    func heldOutBackchannelsWithEcho(levelDB: Double, echoDB: Double, delayMilliseconds: Double) throws {
        var placed = 0, found = 0, asInterruption = 0, other = 0, extraBackchannels = 0
        for seed in UInt64(1)...6 {
            let (builder, times) = BackchannelLevelTests.call(seed: seed, levelDB: levelDB)
            var buffer = builder.buffer(seed: seed)
            Self.addEcho(&buffer, echoDB: echoDB, delaySeconds: delayMilliseconds / 1000)
            let c = TurnTakingSyntheticCallTests.conversation(buffer)
            let interruptions = c.interruptions ?? []
            placed += times.count
            for t in times {
                if (c.backchannels ?? []).contains(where: { abs($0.time - t) < 0.5 }) { found += 1 } else {
                    print("heldout missed: \(levelDB) dB echo \(echoDB) at \(delayMilliseconds): seed \(seed) backchannel at \(t)")
                }
                if let i = interruptions.first(where: { abs($0.time - t) < 0.5 }) {
                    asInterruption += 1
                    print("heldout as interruption: seed \(seed) backchannel at \(t), interruption at \(i.time) by \(i.by), overlap \(i.overlapSeconds); agent runs \(builder.agentSegments.filter { abs($0.0 - t) < 3 }), customer truth \(builder.customerSegments.filter { $0.0 < t + 3 && $0.1 > t - 3 })")
                }
            }
            other += interruptions.filter { i in !times.contains { abs(i.time - $0) < 0.5 } }.count
            extraBackchannels += (c.backchannels ?? []).filter { b in !times.contains { abs(b.time - $0) < 0.5 } }.count
        }
        print("heldout backchannels \(levelDB) dB, echo \(echoDB) dB at \(delayMilliseconds) ms: found \(found)/\(placed), as interruptions \(asInterruption), other interruptions \(other), backchannels found away from the placed ones \(extraBackchannels)")
    }
}

extension CrosstalkGateStudy {
    /// Prints both channels' speech runs, the truth and the turn-taking events in [from, to]
    /// seconds of one backchannel call with echo (`heldOutBackchannelsWithEcho`'s construction).
    @Test(arguments: [(UInt64(4), -15.0, -30.0, 90.0, 17.0, 23.0)])
    func backchannelCase(seed: UInt64, levelDB: Double, echoDB: Double, delayMilliseconds: Double,
                         from: Double, to: Double) throws {
        let (builder, times) = BackchannelLevelTests.call(seed: seed, levelDB: levelDB)
        var buffer = builder.buffer(seed: seed)
        Self.addEcho(&buffer, echoDB: echoDB, delaySeconds: delayMilliseconds / 1000)
        let contours = TurnTakingSyntheticCallTests.contours(buffer)
        let activity = SpeechActivityDetector.detect(contours)
        func show(_ s: [(Double, Double)]) -> String { Self.spans(s, from: from, to: to) }
        func runs(_ s: [Segment]) -> [(Double, Double)] { s.map { ($0.start, $0.end) } }
        let tag = "bccase seed \(seed) level \(levelDB) echo \(echoDB) \(delayMilliseconds)"
        print("\(tag): backchannels placed \(times.map { String(format: "%.3f", $0) })")
        print("\(tag): truth agent \(show(builder.agentSegments)); customer \(show(builder.customerSegments))")
        print("\(tag): found agent \(show(runs(activity[0].segments))); customer \(show(runs(activity[1].segments)))")
        let settings = TurnTakingSettings.standard
        print("\(tag): spurts agent \(show(runs(TurnTaking.bridge(activity[0].segments, settings.spurtBridgeSeconds)))); customer \(show(runs(TurnTaking.bridge(activity[1].segments, settings.spurtBridgeSeconds))))")
        let c = TurnTakingSyntheticCallTests.conversation(buffer)
        print("\(tag): interruptions \((c.interruptions ?? []).map { String(format: "%.3f %@ overlap %.3f", $0.time, "\($0.by)", $0.overlapSeconds) }), backchannels \((c.backchannels ?? []).map { String(format: "%.3f %@ %.3f s", $0.time, "\($0.by)", $0.durationSeconds) })")
    }
}

extension CrosstalkGateStudy {
    /// `BackchannelLevelTests`' constructions (6 calls each), with the backchannels the rules report
    /// away from the placed ones (none is placed there: each is a false backchannel).
    @Test(arguments: [(0.0, nil), (-10.0, nil), (-20.0, nil), (-25.0, nil), (0.0, -25.0), (-10.0, -25.0), (-20.0, -25.0)] as [(Double, Double?)])
    func backchannelLevelsWithExtras(levelDB: Double, echoDB: Double?) throws {
        var placed = 0, found = 0, asInterruption = 0, other = 0, extraBackchannels = 0
        for seed in UInt64(1)...6 {
            let (builder, times) = BackchannelLevelTests.call(seed: seed, levelDB: levelDB)
            var buffer = builder.buffer(seed: seed)
            if let echoDB { Self.addEcho(&buffer, echoDB: echoDB, delaySeconds: 0.03) }
            let c = TurnTakingSyntheticCallTests.conversation(buffer)
            let interruptions = c.interruptions ?? [], backchannels = c.backchannels ?? []
            placed += times.count
            found += times.filter { t in backchannels.contains { abs($0.time - t) < 0.5 } }.count
            asInterruption += times.filter { t in interruptions.contains { abs($0.time - t) < 0.5 } }.count
            other += interruptions.filter { i in !times.contains { abs(i.time - $0) < 0.5 } }.count
            let extras = backchannels.filter { b in !times.contains { abs(b.time - $0) < 0.5 } }
            extraBackchannels += extras.count
            for b in extras {
                let own = b.by == .agent ? builder.agentSegments : builder.customerSegments
                let inOwnTruth = own.contains { $0.0 < b.time + b.durationSeconds && $0.1 > b.time }
                print(String(format: "levels extra: seed %d, %@ at %.3f s, %.3f s, overlaps its own true speech: %@",
                             Int(seed), "\(b.by)", b.time, b.durationSeconds, "\(inOwnTruth)"))
            }
        }
        print("levels \(levelDB) dB, echo \(echoDB.map { "\($0) dB / 30 ms" } ?? "none"): found \(found)/\(placed), as interruptions \(asInterruption), other interruptions \(other), backchannels found away from the placed ones \(extraBackchannels)")
    }
}

extension CrosstalkGateStudy {
    /// What the crosstalk gate reads, for the studies' replays of it: both channels' frame levels
    /// over their common `n` frames and each channel's window evidence, built as the detector does.
    static func gateInputs(_ contours: [ChannelContours]) -> (n: Int, levels: [[Float]], windows: [SpeechActivityDetector.WindowEvidence]) {
        let bands = AnalysisBands.count, n = contours.map(\.frameCount).min()!
        let levels = contours.map { c in (0..<n).map { Float(c.levelDB[$0]) } }
        let windows = (0..<2).map { c in
            contours[c].bandLevelCodes.withUnsafeBufferPointer { codes in
                levels[c].withUnsafeBufferPointer { lv in
                    ChannelContours.powerOfCode.withUnsafeBufferPointer { power in
                        SpeechActivityDetector.WindowEvidence(start: 0, codes: UnsafeBufferPointer(rebasing: codes[0..<(n * bands)]),
                                                              levelDB: lv, settings: .standard, powerOfCode: power)
                    }
                }
            }
        }
        return (n, levels, windows)
    }

    /// The echo delay of `behind` after `other`, in frames, estimated from every frame as the stream does.
    static func estimatedLagFrames(behind: [Float], other: [Float]) -> Int {
        var estimator = EchoLagEstimator(maximumLagFrames: CrosstalkGate.maximumLagFrames)
        behind.withUnsafeBufferPointer { x in
            other.withUnsafeBufferPointer { y in
                for i in 0..<min(x.count, y.count) { estimator.add(frameIndex: i, x: x[i], y: y.baseAddress! + i) }
            }
        }
        return estimator.lagFrames
    }

    /// The spans of `s` that reach into [from, to] seconds, as "start–end" text.
    static func spans(_ s: [(Double, Double)], from: Double, to: Double) -> String {
        s.filter { $0.1 > from && $0.0 < to }.map { String(format: "%.3f–%.3f", $0.0, $0.1) }.joined(separator: ", ")
    }

    /// The gate's verdicts (`CrosstalkGate.Verdict` raw values) on every frame of channel `c` of
    /// `contours` against the other channel, with `gateInputs`' windows.
    static func verdicts(_ gate: CrosstalkGate, _ contours: [ChannelContours], channel c: Int,
                         windows: [SpeechActivityDetector.WindowEvidence], frameCount n: Int, echoLagFrames lag: Int) -> [UInt8] {
        let bands = AnalysisBands.count
        return contours[c].bandLevelCodes.withUnsafeBufferPointer { a in
            contours[1 - c].bandLevelCodes.withUnsafeBufferPointer { b in
                gate.verdicts(of: windows[c], codes: UnsafeBufferPointer(rebasing: a[0..<(n * bands)]), from: windows[1 - c],
                              codes: UnsafeBufferPointer(rebasing: b[0..<(n * bands)]), frames: 0..<n, echoLagFrames: lag)
            }
        }
    }
}
