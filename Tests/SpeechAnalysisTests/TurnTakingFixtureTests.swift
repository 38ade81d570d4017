import CallAnalysis
import DSP
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

/// Turn-taking on the fixture calls, whose JSON lists every event: end to end (decode → speech
/// activity → turn-taking), and on the ground-truth segments (the rules alone).
struct TurnTakingFixtureTests {
    struct Events {
        var interruptions: [(time: Double, by: Conversation.Party)] = []
        var backchannels: [Double] = []
        var latencies: [(from: Double, to: Double)] = []
        var deadAir: [(Double, Double)] = []
        var holds: [(Double, Double, String)] = []
        var rings: Int? = nil
        /// Edges of utterances whose truth is turn-level annotation (AMI RTTM turns, cut from a
        /// meeting mix): their starts and ends may lie in silence of the clean source.
        var turnLevelEdges: [Double] = []
        func isTurnLevel(_ t: Double) -> Bool { turnLevelEdges.contains { abs($0 - t) < 0.002 } }
    }

    static func truthEvents(_ truth: [String: Any]) -> Events {
        var e = Events()
        for event in truth["events"] as? [[String: Any]] ?? [] {
            switch event["type"] as? String {
            case "agent_interruption": e.interruptions.append((event["start"] as! Double, .agent))
            case "customer_interruption": e.interruptions.append((event["start"] as! Double, .customer))
            case "backchannel": e.backchannels.append(event["start"] as! Double)
            case "response_latency" where event["who"] as? String == "agent":
                e.latencies.append((event["from"] as! Double, event["to"] as! Double))
            case "dead_air": e.deadAir.append((event["start"] as! Double, event["end"] as! Double))
            case "hold": e.holds.append((event["start"] as! Double, event["end"] as! Double, event["kind"] as! String))
            default: break
            }
        }
        e.rings = (truth["rings"] as? [String: Any])?["count"] as? Int
        for placement in truth["placements"] as? [[String: Any]] ?? []
        where (placement["source_id"] as? String)?.contains("en_ami_") == true {        // turns and "bc_en_ami_…" backchannels
            e.turnLevelEdges += [placement["start"] as! Double, placement["end"] as! Double]
        }
        return e
    }

    struct Tally {
        var hits = 0, found = 0, truths = 0
        var bcHits = 0, bcTruths = 0, bcAsInterruption = 0
        var latencyErrors: [Double] = []
        var boundaryErrors: [Double] = []
        /// The same errors on events whose edges have exact truth (phone labels, or energy VAD
        /// on the clean clip), leaving out AMI turn-level edges.
        var exactLatencyErrors: [Double] = []
        var exactBoundaryErrors: [Double] = []
        var missedSilences: [String] = []
        /// Dead air found, and those of them that overlap no true dead air (issue 17: precision).
        var deadAirFound = 0
        var falseDeadAir: [String] = []
        var ringMistakes: [String] = []
    }

    /// Counts `c` against the truth: events whose truth is exact into `t`; interruptions,
    /// backchannels and dead air whose truth edge is an AMI turn-level edge into `turnLevel` (issue
    /// 17: "AMI turn-edge events reported separately"). Latency and boundary errors go into `t`,
    /// with their exact-edge share in its `exact…` lists.
    static func tally(_ c: Conversation, _ e: Events, stem: String, into t: inout Tally, turnLevel tl: inout Tally) {
        let found = c.interruptions ?? []
        for i in e.interruptions {
            let hit = found.contains { abs($0.time - i.time) < 0.5 && $0.by == i.by }
            if e.isTurnLevel(i.time) { tl.truths += 1; if hit { tl.hits += 1 } } else { t.truths += 1; if hit { t.hits += 1 } }
        }
        for f in found {
            // A found interruption at a turn-level truth event (an interruption or a backchannel) is judged with those.
            let atTurnLevel = e.interruptions.contains { abs(f.time - $0.time) < 0.5 && e.isTurnLevel($0.time) }
                || e.backchannels.contains { abs(f.time - $0) < 0.5 && e.isTurnLevel($0) }
            if atTurnLevel { tl.found += 1 } else { t.found += 1 }
        }
        for b in e.backchannels {
            let hit = (c.backchannels ?? []).contains { abs($0.time - b) < 0.5 }
            let asInterruption = found.contains { abs($0.time - b) < 0.5 }
            if e.isTurnLevel(b) {
                tl.bcTruths += 1; if hit { tl.bcHits += 1 }; if asInterruption { tl.bcAsInterruption += 1 }
            } else {
                t.bcTruths += 1; if hit { t.bcHits += 1 }; if asInterruption { t.bcAsInterruption += 1 }
            }
        }
        for l in e.latencies {
            if let m = c.responseLatency?.items.first(where: { abs($0.agentStart - l.to) < 0.5 }) {
                t.latencyErrors.append(abs(m.seconds - (l.to - l.from)))
                if !e.isTurnLevel(l.from) && !e.isTurnLevel(l.to) { t.exactLatencyErrors.append(t.latencyErrors.last!) }
            }
        }
        for d in e.deadAir {
            if let m = c.deadAir.first(where: { $0.overlapSeconds(with: Segment(start: d.0, end: d.1)) > 0 }) {
                t.boundaryErrors += [abs(m.start - d.0), abs(m.end - d.1)]
                if !e.isTurnLevel(d.0) { t.exactBoundaryErrors.append(abs(m.start - d.0)) }
                if !e.isTurnLevel(d.1) { t.exactBoundaryErrors.append(abs(m.end - d.1)) }
            } else if e.isTurnLevel(d.0) || e.isTurnLevel(d.1) {
                tl.missedSilences.append("\(stem) dead air \(d)")
            } else { t.missedSilences.append("\(stem) dead air \(d)") }
        }
        for m in c.deadAir {
            let truth = Self.trueDeadAir(overlapping: m, in: e.deadAir)
            if let d = truth, e.isTurnLevel(d.0) || e.isTurnLevel(d.1) { tl.deadAirFound += 1; continue }
            t.deadAirFound += 1
            if truth == nil { t.falseDeadAir.append("\(stem) dead air (\(m.start), \(m.end))") }
        }
        for h in e.holds {
            if let m = c.holds.first(where: { $0.end > h.0 && $0.start < h.1 }), m.kind.rawValue == h.2 {
                t.boundaryErrors += [abs(m.start - h.0), abs(m.end - h.1)]
                t.exactBoundaryErrors += [abs(m.start - h.0), abs(m.end - h.1)]
            } else { t.missedSilences.append("\(stem) hold \(h)") }
        }
        if c.ringCount != e.rings { t.ringMistakes.append("\(stem): \(String(describing: c.ringCount)) vs \(String(describing: e.rings))") }
    }

    /// The first true dead air (start, end) that `found` overlaps, if any: how found and true dead
    /// airs are matched here and in `TurnTakingSyntheticCallTests`.
    static func trueDeadAir(overlapping found: Segment, in truth: [(Double, Double)]) -> (Double, Double)? {
        truth.first { found.overlapSeconds(with: Segment(start: $0.0, end: $0.1)) > 0 }
    }

    static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 1 : Double(a) / Double(b) }

    /// Issue 17's turn-taking targets on the events whose truth is exact (`t`); the AMI turn-level
    /// events (`tl`) are printed beside them and guarded at the level measured (docs/accuracy.md).
    static func check(_ t: Tally, _ tl: Tally, label: String, endToEnd: Bool = false) {
        let precision = ratio(t.hits, t.found), recall = ratio(t.hits, t.truths), bcRecall = ratio(t.bcHits, t.bcTruths)
        let exactLatencyMAE = Statistics.mean(t.exactLatencyErrors) ?? 0, exactBoundaryMax = t.exactBoundaryErrors.max() ?? 0   // none: nothing to miss
        let latencyMAE = Statistics.mean(t.latencyErrors) ?? 0, boundaryMax = t.boundaryErrors.max() ?? 0
        print("fixture calls, \(label), exact truth: interruptions P \(precision) R \(recall) (\(t.hits)/\(t.truths), \(t.found) found); backchannels \(t.bcHits)/\(t.bcTruths), as interruptions \(t.bcAsInterruption); latency MAE \(exactLatencyMAE) s over \(t.exactLatencyErrors.count); boundary max \(exactBoundaryMax) s over \(t.exactBoundaryErrors.count); missed \(t.missedSilences); dead air found \(t.deadAirFound), with no true dead air \(t.falseDeadAir); rings \(t.ringMistakes)")
        print("fixture calls, \(label), AMI turn-level truth: interruptions \(tl.hits)/\(tl.truths), \(tl.found) found; backchannels \(tl.bcHits)/\(tl.bcTruths), as interruptions \(tl.bcAsInterruption); missed \(tl.missedSilences); dead air found \(tl.deadAirFound); all edges: latency MAE \(latencyMAE) s over \(t.latencyErrors.count), boundary max \(boundaryMax) s")
        // Issue 17's targets on exact truth, by the rules alone and by the whole pipeline.
        #expect(precision >= 0.9 && recall >= 0.9, "\(label)")
        #expect(t.bcAsInterruption == 0, "\(label)")
        #expect(bcRecall >= 0.85, "\(label)")
        #expect(t.missedSilences.isEmpty, "\(label)")
        // Dead air precision ≥ 0.95 (issue 17): with a handful per batch, none may be false.
        #expect(t.falseDeadAir.isEmpty, "\(label)")
        #expect(t.ringMistakes.isEmpty, "\(label)")
        #expect(exactLatencyMAE <= 0.10, "\(label)")
        #expect(exactBoundaryMax <= 0.3, "\(label)")
        if endToEnd {
            // AMI turn-level events, at the level measured. Their truth edges are RTTM turns cut from
            // a meeting mix: ends run up to 0.6 s past the last sound within 25 dB of the turn's peak
            // in the clean source, and starts may precede any speech (devcall_mixed_03 at 20.789 s:
            // 0.5 s; devcall3_en3_04 at 43.217 s: audible from ~43.37 s, so ~0.15 s of audible
            // overlap, under the 0.25 s interruption floor). Their backchannel clips can be at the
            // noise: devcall3_ja_01's at 9.07 s is −48.2 dBFS in pink noise at −48.7 dBFS;
            // devcall_mixed_03's at 11.52 s is ~6 dB over babble-like noise. devcall3_ja_01's dead air
            // (25.73–28.743 s, 3.012 s by the truth) measures 2.98 s, starting at the customer's
            // turn-level end: 32 ms of boundary error puts it under the 3 s threshold.
            #expect(tl.hits >= tl.truths - 2 && tl.bcHits >= tl.bcTruths - 2 && tl.bcAsInterruption == 0 && tl.missedSilences.count <= 1, "\(label)")
            #expect(latencyMAE <= 0.19 && boundaryMax <= 0.47, "\(label)")
        } else {
            // The rules on the truth segments: every event, turn-level or not.
            #expect(tl.hits == tl.truths && tl.found == tl.truths && tl.bcHits == tl.bcTruths && tl.missedSilences.isEmpty, "\(label)")
            #expect(latencyMAE <= 0.10 && boundaryMax <= 0.3, "\(label)")
        }
    }

    @Test(arguments: [false, true])
    func rulesOnGroundTruthSegments(issue17Batch: Bool) throws {
        var t = Tally(), tl = Tally()
        for stem in Fixtures.stems(in: "calls") where Fixtures.isIssue17Batch(stem) == issue17Batch {
            let truth = try Fixtures.truth("calls", stem)
            let analysis = try FixtureCallAnalyses.standard(stem)
            let segments = Fixtures.speechSegments(truth).map { $0.map { Segment(start: $0.0, end: $0.1) } }
            let c = TurnTaking.analyze(
                agent: PartyInput(segments: segments[0], contours: analysis.channels[0].contours),
                customer: PartyInput(segments: segments[1], contours: analysis.channels[1].contours),
                durationSeconds: analysis.audio.durationSeconds)
            Self.tally(c, Self.truthEvents(truth), stem: stem, into: &t, turnLevel: &tl)
        }
        Self.check(t, tl, label: issue17Batch ? "issue 17 calls, ground-truth segments" : "ground-truth segments")
    }

    @Test(arguments: [false, true])
    func endToEnd(issue17Batch: Bool) throws {
        var t = Tally(), tl = Tally()
        for stem in Fixtures.stems(in: "calls") where Fixtures.isIssue17Batch(stem) == issue17Batch {
            let analysis = try FixtureCallAnalyses.standard(stem)
            Self.tally(try #require(analysis.conversation), Self.truthEvents(try Fixtures.truth("calls", stem)), stem: stem,
                       into: &t, turnLevel: &tl)
        }
        // Rings are exact on every call with ring-back (issue 17 target; devcall3_ja_03 was 2 of 3).
        Self.check(t, tl, label: issue17Batch ? "issue 17 calls, end to end" : "end to end", endToEnd: true)
    }
}
