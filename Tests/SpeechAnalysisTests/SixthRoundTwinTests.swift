import AudioIO
import CLevelKernels
import DSP
import Testing
import TestSupport
@testable import SpeechAnalysis

/// Issue 18, sixth round: the loops rewritten for speed against their previous forms, kept here as
/// twins. Each must give exactly the twin's values, so the reports do not change.
struct SixthRoundTwinTests {
    typealias V = SIMD2<Double>

    /// The level meter's two-channel loop before this round (main 0e06fa5), word for word: the
    /// recursions of both channels in the lanes of SIMD2<Double>, in Swift.
    static func twinPass(_ sourceA: UnsafePointer<Float>, _ sourceB: UnsafePointer<Float>, from start: Int, count: Int,
                         _ c: ChannelLevelMeter.Recursions.Coefficients,
                         _ stateA: inout ChannelLevelMeter.Recursions, _ stateB: inout ChannelLevelMeter.Recursions,
                         squares squaresA: inout Double, _ squaresB: inout Double,
                         envelopeBounds boundsA: (lower: Double, upper: Double),
                         _ boundsB: (lower: Double, upper: Double)) -> Int {
        var sum = V(stateA.sum, stateB.sum), s2 = V(squaresA, squaresB)
        var (sx1, sx2) = (V(stateA.sx1, stateB.sx1), V(stateA.sx2, stateB.sx2))
        var (sy1, sy2) = (V(stateA.sy1, stateB.sy1), V(stateA.sy2, stateB.sy2))
        var (hx1, hx2) = (V(stateA.hx1, stateB.hx1), V(stateA.hx2, stateB.hx2))
        var (hy1, hy2) = (V(stateA.hy1, stateB.hy1), V(stateA.hy2, stateB.hy2))
        var energy = V(stateA.hundredMsEnergy, stateB.hundredMsEnergy)
        var (p, q) = (V(stateA.p, stateB.p), V(stateA.q, stateB.q))
        let (sb0, sb1, sb2, sa1, sa2) = (V(repeating: c.sb0), V(repeating: c.sb1), V(repeating: c.sb2),
                                         V(repeating: c.sa1), V(repeating: c.sa2))
        let (ha1, ha2, g, h, two) = (V(repeating: c.ha1), V(repeating: c.ha2), V(repeating: c.g),
                                     V(repeating: c.oneMinusG), V(repeating: 2))
        var t = start
        while t < count {
            let ua = sourceA[t], ub = sourceB[t]
            let x = V(Double(ua), Double(ub))
            let ax = V(Double(abs(ua)), Double(abs(ub)))
            t += 1
            sum += x
            s2 += x * x
            let y = (sb0 * x + sb1 * sx1 + sb2 * sx2 - sa2 * sy2) - sa1 * sy1
            sx2 = sx1; sx1 = x; sy2 = sy1; sy1 = y
            let z = (y - two * hx1 + hx2 - ha2 * hy2) - ha1 * hy1
            hx2 = hx1; hx1 = y; hy2 = hy1; hy1 = z
            energy += z * z
            p = g * p + h * ax
            q = g * q + h * p
            if q[0] < boundsA.lower || q[0] >= boundsA.upper || q[1] < boundsB.lower || q[1] >= boundsB.upper { break }
        }
        (stateA.sum, stateB.sum) = (sum[0], sum[1]); (squaresA, squaresB) = (s2[0], s2[1])
        (stateA.sx1, stateA.sx2, stateA.sy1, stateA.sy2) = (sx1[0], sx2[0], sy1[0], sy2[0])
        (stateB.sx1, stateB.sx2, stateB.sy1, stateB.sy2) = (sx1[1], sx2[1], sy1[1], sy2[1])
        (stateA.hx1, stateA.hx2, stateA.hy1, stateA.hy2) = (hx1[0], hx2[0], hy1[0], hy2[0])
        (stateB.hx1, stateB.hx2, stateB.hy1, stateB.hy2) = (hx1[1], hx2[1], hy1[1], hy2[1])
        (stateA.hundredMsEnergy, stateB.hundredMsEnergy) = (energy[0], energy[1])
        (stateA.p, stateA.q, stateB.p, stateB.q) = (p[0], q[0], p[1], q[1])
        return t
    }

    /// What one stretch leaves: both states, the square sums, and the samples after which an
    /// envelope left its bounds (channel, sample).
    struct Outcome: Equatable {
        var a = ChannelLevelMeter.Recursions(), b = ChannelLevelMeter.Recursions()
        var squaresA = 0.0, squaresB = 0.0
        var crossings: [[Int]] = []
    }

    enum Pass { case twin, dispatched, baseline }

    /// Drives a pass over both channels as `ChannelLevelMeter.consume(_:_:_:_:)` does: stretches of
    /// `stretch` samples, restarted after each crossing with the new bounds, tiny states flushed
    /// after each stretch. Returns the outcome after every stretch.
    static func run(_ pass: Pass, _ a: [Float], _ b: [Float], sampleRateHz: Double, stretch: Int) -> [Outcome] {
        let k = KWeighting(sampleRateHz: sampleRateHz)
        let g = SpeechVoltmeter.smoothing(sampleRateHz: sampleRateHz)
        let c = ChannelLevelMeter.Recursions.Coefficients(shelf: k.shelf, highPass: k.highPass, g: g, oneMinusG: 1 - g)
        var outcomes: [Outcome] = []
        var o = Outcome()
        var levelA = 0, levelB = 0
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var i = 0
                while i < a.count {
                    let count = min(stretch, a.count - i)
                    let sa = a.baseAddress! + i, sb = b.baseAddress! + i
                    var boundsA = SpeechVoltmeter.envelopeBounds(level: levelA)
                    var boundsB = SpeechVoltmeter.envelopeBounds(level: levelB)
                    o.squaresA = 0; o.squaresB = 0
                    var paired = ChannelLevelMeter.PairedRecursions(o.a, o.b, c)
                    var t = 0
                    while t < count {
                        let qa: Double, qb: Double
                        switch pass {
                        case .twin:
                            t = twinPass(sa, sb, from: t, count: count, c, &o.a, &o.b, squares: &o.squaresA, &o.squaresB,
                                         envelopeBounds: boundsA, boundsB)
                            (qa, qb) = (o.a.q, o.b.q)
                        case .dispatched, .baseline:
                            (paired.lower, paired.upper) = (V(boundsA.lower, boundsB.lower), V(boundsA.upper, boundsB.upper))
                            if pass == .dispatched {
                                t = ChannelLevelMeter.pairedPass(sa, sb, from: t, count: count, &paired)
                            } else {
                                t = withUnsafeMutableBytes(of: &paired) {
                                    voiceqa_level_paired_pass_baseline(sa, sb, t, count, $0.baseAddress!.assumingMemoryBound(to: Double.self))
                                }
                            }
                            (qa, qb) = (paired.q[0], paired.q[1])
                        }
                        if qa < boundsA.lower || qa >= boundsA.upper {
                            o.crossings.append([0, i + t - 1])
                            levelA = SpeechVoltmeter.level(ofEnvelope: qa)
                            boundsA = SpeechVoltmeter.envelopeBounds(level: levelA)
                        }
                        if qb < boundsB.lower || qb >= boundsB.upper {
                            o.crossings.append([1, i + t - 1])
                            levelB = SpeechVoltmeter.level(ofEnvelope: qb)
                            boundsB = SpeechVoltmeter.envelopeBounds(level: levelB)
                        }
                    }
                    if pass != .twin {
                        paired.unpack(into: &o.a, &o.b)
                        (o.squaresA, o.squaresB) = (paired.squares[0], paired.squares[1])
                    }
                    o.a.flushTinyStates(); o.b.flushTinyStates()
                    outcomes.append(o)
                    i += count
                }
            }
        }
        return outcomes
    }

    /// Bit patterns, so that a −0 against a +0 or a different NaN would count as a difference.
    static func bits(_ o: Outcome) -> [UInt64] {
        func of(_ r: ChannelLevelMeter.Recursions) -> [UInt64] {
            [r.sum, r.sx1, r.sx2, r.sy1, r.sy2, r.hx1, r.hx2, r.hy1, r.hy2, r.hundredMsEnergy, r.p, r.q].map(\.bitPattern)
        }
        return of(o.a) + of(o.b) + [o.squaresA.bitPattern, o.squaresB.bitPattern] + o.crossings.flatMap { $0.map { UInt64($0) } }
    }

    static func expectSame(_ a: [Float], _ b: [Float], sampleRateHz: Double, stretch: Int, _ label: String) -> Int {
        let twin = run(.twin, a, b, sampleRateHz: sampleRateHz, stretch: stretch)
        for pass in [Pass.dispatched, .baseline] {
            let fast = run(pass, a, b, sampleRateHz: sampleRateHz, stretch: stretch)
            #expect(fast.count == twin.count, "\(label) \(pass)")
            let firstDifference = twin.indices.first { $0 >= fast.count || bits(fast[$0]) != bits(twin[$0]) }
            #expect(firstDifference == nil, "\(label) \(pass): stretch \(firstDifference ?? -1) differs")
        }
        return twin.last?.crossings.count ?? 0
    }

    /// The packed state has the layout the C loop reads: 24 pairs, in its order.
    @Test func pairedRecursionsLayoutIsTheCLoops() {
        typealias P = ChannelLevelMeter.PairedRecursions
        #expect(MemoryLayout<P>.size == 24 * 16 && MemoryLayout<P>.alignment == 16)
        let order: [PartialKeyPath<P>] = [\.sum, \.squares, \.sx1, \.sx2, \.sy1, \.sy2, \.hx1, \.hx2, \.hy1, \.hy2,
                                          \.energy, \.p, \.q, \.sb0, \.sb1, \.sb2, \.sa1, \.sa2, \.ha1, \.ha2, \.g,
                                          \.oneMinusG, \.lower, \.upper]
        for (i, path) in order.enumerated() { #expect(MemoryLayout<P>.offset(of: path) == 16 * i, "pair \(i)") }
    }

    /// Both channels of every fixture call, in 10 ms stretches as the meter runs them.
    @Test func pairedPassMatchesTheSwiftLoopOnFixtureCalls() throws {
        var crossings = 0, calls = 0
        for stem in Fixtures.stems(in: "calls") {
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", stem))
            guard buffer.channels.count == 2 else { continue }
            let stretch = Int((buffer.sampleRateHz / 100).rounded())
            crossings += Self.expectSame(buffer.channels[0], buffer.channels[1], sampleRateHz: buffer.sampleRateHz,
                                         stretch: stretch, stem)
            calls += 1
        }
        #expect(calls >= 10 && crossings > 1000, "\(calls) calls, \(crossings) crossings")
    }

    /// Made-up channels: bursts and near-silence, full-scale runs, digital silence (the flush to
    /// zero), subnormal and tiny samples, signed zeros; stretches of several lengths, odd and even,
    /// so crossings fall on both halves of the C loop's two-sample steps.
    @Test(arguments: [1, 2, 3, 80, 81, 160, 441])
    func pairedPassMatchesTheSwiftLoopOnMadeUpSignals(stretch: Int) {
        var random = SeededRandom(seed: UInt64(stretch) &+ 60)
        let n = 40_000
        func signal(_ phase: Int) -> [Float] {
            (0..<n).map { i -> Float in
                let noise = Float(Int(random.next() % 2001) - 1000) / 1000
                switch ((i + phase) / 2500) % 6 {
                case 0: return noise * 0.5
                case 1: return noise * 0.0005
                case 2: return 0                                                  // digital silence
                case 3: return (i % 3 == 0 ? Float.leastNonzeroMagnitude : -0.0) * (noise > 0 ? 1 : -1)
                case 4: return i % 200 < 20 ? (noise > 0 ? 1 : -1) : noise * 0.05   // clipped runs
                default: return noise * Float(1 << (i % 20)) / 1_048_576
                }
            }
        }
        let a = signal(0), b = signal(1300)
        for rate in [8000.0, 16000] {
            let crossings = Self.expectSame(a, b, sampleRateHz: rate, stretch: stretch, "stretch \(stretch), \(rate) Hz")
            #expect(crossings > 100)
        }
    }
}
