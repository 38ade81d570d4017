import AudioIO
import CKernels
import DSP
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

/// Issue 18, sixth round: the loops rewritten for speed against their previous forms, kept here as
/// twins. Each must give exactly the twin's values, so the reports do not change.
@Suite(.disabled(if: Sanitizer.findsOnlyRaces, "twins run on one thread: nothing of their own for ThreadSanitizer"))
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
        let stems = Sanitizer.few(Fixtures.stems(in: "calls"), 2)
        for stem in stems {
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", stem))
            guard buffer.channels.count == 2 else { continue }
            let stretch = Int((buffer.sampleRateHz / 100).rounded())
            crossings += Self.expectSame(buffer.channels[0], buffer.channels[1], sampleRateHz: buffer.sampleRateHz,
                                         stretch: stretch, stem)
            calls += 1
        }
        #expect(calls >= min(10, stems.count) && crossings > 100 * calls, "\(calls) calls, \(crossings) crossings")
    }

    /// Made-up channels: bursts and near-silence, full-scale runs, digital silence (the flush to
    /// zero), subnormal and tiny samples, signed zeros; stretches of several lengths, odd and even,
    /// so crossings fall on both halves of the C loop's two-sample steps.
    @Test(arguments: Sanitizer.few([1, 2, 3, 80, 81, 160, 441], 3))
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

    /// The syllable envelope before this round (main 0e06fa5): the top four vowel-band powers and
    /// the two strongest high-front bands by insertion with comparisons on the powers.
    static func twinEnvelopeDB(bandCodes codes: UnsafePointer<UInt8>, powerOfCode table: UnsafePointer<Float>,
                               shape: SyllableNuclei.HighFrontShape) -> (dB: Float, iShaped: Bool) {
        var top = (Float(0), Float(0), Float(0), Float(0))
        for b in SyllableNuclei.bands {
            let p = table[Int(codes[b])]
            if p > top.3 {
                if p > top.0 { top = (p, top.0, top.1, top.2) }
                else if p > top.1 { top = (top.0, p, top.1, top.2) }
                else if p > top.2 { top = (top.0, top.1, p, top.2) }
                else { top.3 = p }
            }
        }
        let sum = top.0 + top.1 + top.2 + top.3
        let sumSquares = top.0 * top.0 + top.1 * top.1 + top.2 * top.2 + top.3 * top.3
        let pairCount = Float(SyllableNuclei.topBandCount * (SyllableNuclei.topBandCount - 1))
        let meanProduct = (sum * sum - sumSquares) / pairCount
        var high = (Float(0), Float(0))
        for b in SyllableNuclei.highFrontHighBands {
            let p = table[Int(codes[b])]
            if p > high.0 { high = (p, high.0) } else if p > high.1 { high.1 = p }
        }
        let lowBand = SyllableNuclei.highFrontLowBands.lowerBound
        let low = (table[Int(codes[lowBand])], table[Int(codes[lowBand + 1])])
        let lowMean = 0.5 * (low.0 + low.1)
        if lowMean * lowMean >= meanProduct * shape.lowOverMidPowerRatio,
           high.0 * high.0 >= meanProduct * shape.highOverMidPowerRatio {
            let iSum = low.0 + low.1 + high.0 + high.1
            let iSumSquares = low.0 * low.0 + low.1 * low.1 + high.0 * high.0 + high.1 * high.1
            let iMeanProduct = (iSum * iSum - iSumSquares) / 12
            return (0.5 * Decibels.fastFromPower(max(meanProduct, iMeanProduct, 1e-30)), true)
        }
        return (0.5 * Decibels.fastFromPower(max(meanProduct, 1e-30)), false)
    }

    /// The spectral change before this round (main 0e06fa5): two Float loops.
    static func twinSpectralChangeDB(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>) -> Float {
        let bands = AnalysisBands.count
        var meanDifference: Float = 0
        for k in 0..<bands { meanDifference += Float(a[k]) - Float(b[k]) }
        meanDifference /= Float(bands)
        var change: Float = 0
        for k in 0..<bands { change += abs(Float(a[k]) - Float(b[k]) - meanDifference) }
        return change * 0.5 / Float(bands)
    }

    /// Compares both per-frame band functions with their twins, on a frame and on it against the
    /// frame two before (the steady-spectrum tracker's lag at 10 ms).
    final class BandComparer: BandLevelObserver {
        let table = ChannelContours.powerOfCode
        let shape = SyllableNuclei.HighFrontShape()
        var history: [[UInt8]] = []
        var frames = 0, envelopeMismatches = 0, changeMismatches = 0, iShaped = 0
        func observe(frameIndex: Int, bandCodes: UnsafeBufferPointer<UInt8>, levelDB: Float) {
            check(Array(bandCodes))
        }
        func check(_ codes: [UInt8]) {
            frames += 1
            table.withUnsafeBufferPointer { t in
                codes.withUnsafeBufferPointer { c in
                    let fast = SyllableNuclei.envelopeDB(bandCodes: c.baseAddress!, powerOfCode: t.baseAddress!, shape: shape)
                    let twin = SixthRoundTwinTests.twinEnvelopeDB(bandCodes: c.baseAddress!, powerOfCode: t.baseAddress!, shape: shape)
                    if fast.bitPattern != twin.dB.bitPattern { envelopeMismatches += 1 }
                    if twin.iShaped { iShaped += 1 }
                    if let earlier = history.first {
                        earlier.withUnsafeBufferPointer { e in
                            let fastChange = FilledPauseDetector.spectralChangeDB(c.baseAddress!, e.baseAddress!)
                            let twinChange = SixthRoundTwinTests.twinSpectralChangeDB(c.baseAddress!, e.baseAddress!)
                            if fastChange.bitPattern != twinChange.bitPattern { changeMismatches += 1 }
                        }
                    }
                }
            }
            history.append(codes)
            if history.count > 2 { history.removeFirst() }
        }
    }

    /// The power table the envelope picks codes from never decreases (what makes picking on
    /// codes the same as picking on powers).
    @Test func powerOfCodeDoesNotDecrease() {
        let t = ChannelContours.powerOfCode
        #expect(t.count == 256 && t[0] > 0)
        #expect(zip(t, t.dropFirst()).allSatisfy { $0 <= $1 })
    }

    /// Every frame of the fixture calls and speech clips, both channels.
    @Test(arguments: ["calls", "speech"])
    func bandFunctionsMatchTheirTwinsOnFixtureFrames(group: String) throws {
        let comparer = BandComparer()
        for stem in Fixtures.stems(in: group) {
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath(group, stem))
            for channel in buffer.channels {
                comparer.history = []
                let fe = ChannelFrontEnd(sampleRateHz: buffer.sampleRateHz)
                fe.bandObservers.append(comparer)
                fe.consume(channel)
                _ = fe.finish()
            }
        }
        #expect(comparer.envelopeMismatches == 0 && comparer.changeMismatches == 0)
        #expect(comparer.frames > 10_000 && comparer.iShaped > 0, "\(comparer.frames) frames, \(comparer.iShaped) /i/-shaped")
    }

    /// Made-up codes: uniform, ties (few distinct values), extremes 0 and 255, /i/-like frames
    /// (strong lowest and highest bands over weak vowel bands).
    @Test func bandFunctionsMatchTheirTwinsOnMadeUpCodes() {
        var random = SeededRandom(seed: 66)
        let comparer = BandComparer()
        for trial in 0..<200_000 {
            var codes = [UInt8](repeating: 0, count: AnalysisBands.count)
            for b in codes.indices {
                switch trial % 5 {
                case 0: codes[b] = UInt8(random.next() % 256)
                case 1: codes[b] = UInt8(100 + random.next() % 3)                      // ties
                case 2: codes[b] = random.next() % 2 == 0 ? 0 : 255                   // extremes
                case 3: codes[b] = b < 2 || b >= 12 ? UInt8(200 + random.next() % 56) : UInt8(random.next() % 60)  // /i/-like
                default: codes[b] = UInt8(random.next() % 4)                           // near silence
                }
            }
            comparer.check(codes)
        }
        #expect(comparer.envelopeMismatches == 0 && comparer.changeMismatches == 0)
        #expect(comparer.iShaped > 1000, "\(comparer.iShaped) /i/-shaped")
    }

    /// The front end's per-frame loops before this round (main 0e06fa5), in Swift: the window,
    /// the power spectrum, and the strongest in-band bin (`VectorMath.indexOfMaximum`).
    struct FrameLoopMismatches { var window = 0, power = 0, peak = 0 }

    static func compareFrameLoops(_ samples: UnsafePointer<Float>, window: [Float], fft: RealFFT,
                                  inBand: Range<Int>, into m: inout FrameLoopMismatches) {
        let w = window.count, bins = fft.size / 2 + 1
        var twinWindowed = [Float](repeating: 0, count: w), fast = twinWindowed, baseline = twinWindowed
        for i in 0..<w { twinWindowed[i] = samples[i] * window[i] }
        window.withUnsafeBufferPointer { win in
            voiceqa_multiply(samples, win.baseAddress!, &fast, w)
            voiceqa_multiply_baseline(samples, win.baseAddress!, &baseline, w)
        }
        if fast.map(\.bitPattern) != twinWindowed.map(\.bitPattern) || baseline.map(\.bitPattern) != twinWindowed.map(\.bitPattern) {
            m.window += 1
        }
        for i in 0..<fft.size { fft.input[i] = i < w ? twinWindowed[i] : 0 }
        fft.forward()
        let spectrum = fft.spectrum.baseAddress!
        var twinPower = [Float](repeating: 0, count: bins), fastPower = twinPower, baselinePower = twinPower
        for k in 0..<bins {
            let re = spectrum[2 * k], im = spectrum[2 * k + 1]
            twinPower[k] = re * re + im * im
        }
        voiceqa_power_spectrum(spectrum, &fastPower, bins)
        voiceqa_power_spectrum_baseline(spectrum, &baselinePower, bins)
        if fastPower.map(\.bitPattern) != twinPower.map(\.bitPattern) || baselinePower.map(\.bitPattern) != twinPower.map(\.bitPattern) {
            m.power += 1
        }
        twinPower.withUnsafeBufferPointer { p in
            let x = p.baseAddress! + inBand.lowerBound
            let twin = VectorMath.indexOfMaximum(x, count: inBand.count)
            if voiceqa_index_of_maximum(x, inBand.count) != twin || voiceqa_index_of_maximum_baseline(x, inBand.count) != twin {
                m.peak += 1
            }
        }
    }

    /// Every frame (10 ms hop, 40 ms window) of both channels of the fixture calls and of the
    /// speech clips, at their own rates.
    @Test(arguments: ["calls", "speech"])
    func frameLoopsMatchTheSwiftLoopsOnFixtureFrames(group: String) throws {
        var m = FrameLoopMismatches(), frames = 0
        for stem in Sanitizer.few(Fixtures.stems(in: group), 2) {
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath(group, stem))
            let settings = FrontEndSettings.standard
            let timeBase = settings.timeBase(sampleRateHz: buffer.sampleRateHz)
            let fft = RealFFT(size: settings.fftSize(sampleRateHz: buffer.sampleRateHz), inverse: false)
            let window = Window.hann(timeBase.windowSamples)
            let bands = AnalysisBands.binRanges(sampleRateHz: buffer.sampleRateHz, fftSize: fft.size)
            let inBand = bands.first!.lowerBound..<bands.last!.upperBound
            for channel in buffer.channels {
                channel.withUnsafeBufferPointer { x in
                    var start = 0
                    while start + timeBase.windowSamples <= x.count {
                        Self.compareFrameLoops(x.baseAddress! + start, window: window, fft: fft, inBand: inBand, into: &m)
                        frames += 1
                        start += timeBase.hopSamples
                    }
                }
            }
        }
        #expect(m.window == 0 && m.power == 0 && m.peak == 0, "\(m)")
        #expect(frames > (Sanitizer.isActive ? 1_000 : 10_000), "\(frames) frames")
    }

    /// Made-up inputs: lengths around the 16-float steps, ties for the largest value (the first
    /// must win), the largest value in the last, partial, step, zeros, subnormals and large values.
    @Test func frameLoopsMatchTheSwiftLoopsOnMadeUpData() {
        var random = SeededRandom(seed: 61)
        func value() -> Float {
            switch random.next() % 6 {
            case 0: return 0
            case 1: return Float.leastNonzeroMagnitude * Float(random.next() % 100)
            case 2: return Float(random.next() % 4)                                    // ties
            case 3: return Float(random.next() % 1_000_000) * 1e30
            default: return Float(Int(random.next() % 2_000_001) - 1_000_000) / 1_000_000
            }
        }
        var mismatches = 0
        for n in Array(1...70) + [228, 255, 256, 257, 320, 512] {
            for _ in 0..<200 {
                let a = (0..<n).map { _ in value() }, b = (0..<n).map { _ in value() }
                let spectrum = (0..<(2 * n)).map { _ in value() }
                var twin = [Float](repeating: 0, count: n), fast = twin, baseline = twin
                for i in 0..<n { twin[i] = a[i] * b[i] }
                voiceqa_multiply(a, b, &fast, n); voiceqa_multiply_baseline(a, b, &baseline, n)
                if fast.map(\.bitPattern) != twin.map(\.bitPattern) || baseline.map(\.bitPattern) != twin.map(\.bitPattern) { mismatches += 1 }
                for k in 0..<n { let re = spectrum[2 * k], im = spectrum[2 * k + 1]; twin[k] = re * re + im * im }
                voiceqa_power_spectrum(spectrum, &fast, n); voiceqa_power_spectrum_baseline(spectrum, &baseline, n)
                if fast.map(\.bitPattern) != twin.map(\.bitPattern) || baseline.map(\.bitPattern) != twin.map(\.bitPattern) { mismatches += 1 }
                let powers = twin.map { abs($0) }                                       // the front end's are ≥ 0
                let twinPeak = powers.withUnsafeBufferPointer { VectorMath.indexOfMaximum($0.baseAddress!, count: n) }
                if voiceqa_index_of_maximum(powers, n) != twinPeak || voiceqa_index_of_maximum_baseline(powers, n) != twinPeak { mismatches += 1 }
                // The largest value repeated, last in the array.
                var tied = powers; tied[n - 1] = (tied.max() ?? 0)
                let twinTied = tied.withUnsafeBufferPointer { VectorMath.indexOfMaximum($0.baseAddress!, count: n) }
                if voiceqa_index_of_maximum(tied, n) != twinTied || voiceqa_index_of_maximum_baseline(tied, n) != twinTied { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    /// Floats to check roundings on: every 1,009th bit pattern from 0 to 2^31, the ties k + 0.5 up
    /// to 2^20 and their neighbours, subnormals, and values just below 0.5.
    static func roundingProbes() -> [Float] {
        var xs: [Float] = [0, .leastNonzeroMagnitude, .leastNormalMagnitude, 0.5, Float(0.5).nextDown, Float(0.5).nextUp,
                           Float(1 << 23), Float(1 << 24), Float(1 << 30), Float(sign: .plus, exponent: -30, significand: 1),
                           Float(sign: .plus, exponent: -29, significand: 1).nextDown]
        for bits in stride(from: UInt32(0), through: Float(2_147_483_648).bitPattern, by: 1009) { xs.append(Float(bitPattern: bits)) }
        for k in 0..<(1 << 20) {
            let tie = Float(k) + 0.5
            xs += [tie, tie.nextDown, tie.nextUp]
        }
        return xs
    }

    @Test func nearestIntMatchesRounded() {
        var mismatches = 0
        for x in Self.roundingProbes() where Rounding.nearestInt(nonNegative: x) != Int(x.rounded()) { mismatches += 1 }
        #expect(mismatches == 0)
    }

    /// The pitch candidates' F0 code, the dB histogram's bin, the frame-RMS histogram's bin and the
    /// quiet-frame gate's rank, each against its form before this round (main 0e06fa5).
    @Test func roundingsMatchTheirTwins() {
        func twinCode(_ f0Hz: Float) -> UInt16 {
            UInt16(max(0, min(65535, (PitchCandidates.codesPerOctave * log2(f0Hz / PitchCandidates.referenceHz)).rounded())))
        }
        var codeMismatches = 0, codes = 0
        var f0s: [Float] = [0, -0.0, -1, .nan, .infinity, -.infinity, 1e-30, 9.99, 10, 10.0001, 1e30]
        for bits in stride(from: Float(1).bitPattern, through: Float(40_000).bitPattern, by: 7) { f0s.append(Float(bitPattern: bits)) }
        for f0 in f0s {
            codes += 1
            if PitchCandidates.code(f0Hz: f0) != twinCode(f0) { codeMismatches += 1 }
        }
        #expect(codeMismatches == 0 && codes > 1_000_000, "\(codeMismatches) of \(codes)")

        let histogram = DecibelHistogram()
        func twinBin(_ v: Float) -> Int {
            Int(((min(max(v, histogram.lowDB), histogram.highDB) - histogram.lowDB) * DecibelHistogram.binsPerDB).rounded())
        }
        var binMismatches = 0
        var levels: [Float] = [-.infinity, .infinity, -1000, 1000, histogram.lowDB, histogram.highDB]
        for bits in stride(from: UInt32(0), through: UInt32.max - 1, by: 613) {
            let v = Float(bitPattern: bits)
            if !v.isNaN { levels.append(v) }
        }
        for k in 0..<2200 {                                   // the bins' ties and their neighbours
            let tie = histogram.lowDB + (Float(k) + 0.5) / DecibelHistogram.binsPerDB
            levels += [tie, tie.nextDown, tie.nextUp]
        }
        for v in levels where histogram.bin(of: v) != twinBin(v) { binMismatches += 1 }
        #expect(binMismatches == 0)

        func twinRMSBin(_ r: Float) -> Int {
            let bin = Int(((20 * log10(r) - FrameRMSHistogram.lowDB) / FrameRMSHistogram.stepDB).rounded(.down))
            return max(0, min(FrameRMSHistogram.binCount - 1, bin))
        }
        var rmsMismatches = 0
        for bits in stride(from: UInt32(1), to: Float.infinity.bitPattern, by: 97) {
            let r = Float(bitPattern: bits)
            if FrameRMSHistogram.bin(rms: r) != twinRMSBin(r) { rmsMismatches += 1 }
        }
        #expect(rmsMismatches == 0)

        var rankMismatches = 0
        for t in Array(1...3_000_000) + [Int(Int32.max), 1 << 40] {
            if Int(0.99 * Double(t - 1)) != Int((0.99 * Double(t - 1)).rounded(.down)) { rankMismatches += 1 }
        }
        #expect(rankMismatches == 0)
    }

    /// Collects the syllable envelope of each frame, at half precision as the tracker keeps it.
    final class EnvelopeCollector: BandLevelObserver {
        var envelope: [Float16] = []
        let table = ChannelContours.powerOfCode, shape = SyllableNuclei.HighFrontShape()
        func observe(frameIndex: Int, bandCodes: UnsafeBufferPointer<UInt8>, levelDB: Float) {
            let e = table.withUnsafeBufferPointer {
                SyllableNuclei.envelopeDB(bandCodes: bandCodes.baseAddress!, powerOfCode: $0.baseAddress!, shape: shape)
            }
            envelope.append(HalfPrecision.half(e))
        }
    }

    /// Counts frames where `smoothedAll` differs from `smoothed` frame by frame (the form before
    /// this round).
    static func smoothingMismatches(_ envelope: [Float16], radius: Int, kernel: [Float]) -> Int {
        var fast = [Float](repeating: .nan, count: envelope.count)
        envelope.withUnsafeBufferPointer { e in
            fast.withUnsafeMutableBufferPointer { SyllableTracker.smoothedAll(e, radius: radius, kernel: kernel, into: $0) }
        }
        var mismatches = 0
        for j in 0..<envelope.count {
            let twin = SyllableTracker.smoothed(at: j, frameCount: envelope.count, radius: radius, kernel: kernel) {
                HalfPrecision.float(envelope[$0])
            }
            if twin.bitPattern != fast[j].bitPattern { mismatches += 1 }
        }
        return mismatches
    }

    /// The second pass's smoothing on the envelopes of the fixture calls' channels, with the
    /// kernels of several speaking rates.
    @Test func smoothingMatchesTheTwinOnFixtureEnvelopes() throws {
        var mismatches = 0, frames = 0
        for stem in Fixtures.stems(in: "calls").prefix(4) {
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", stem))
            for channel in buffer.channels {
                let collector = EnvelopeCollector()
                let fe = ChannelFrontEnd(sampleRateHz: buffer.sampleRateHz)
                fe.bandObservers.append(collector)
                fe.consume(channel)
                _ = fe.finish()
                for sigma in [0.012, 0.02, 0.04] {
                    let (radius, kernel) = SyllableTracker.gaussian(sigmaSeconds: sigma, hopSeconds: 0.01)
                    mismatches += Self.smoothingMismatches(collector.envelope, radius: radius, kernel: kernel)
                    frames += collector.envelope.count
                }
            }
        }
        #expect(mismatches == 0 && frames > 10_000, "\(mismatches) of \(frames)")
    }

    /// Made-up envelopes of every length up to 80 (all-edge, one block, ragged ends) and longer,
    /// radii 1 to 20, values from −200 dB up with ties and Float16 extremes.
    @Test func smoothingMatchesTheTwinOnMadeUpEnvelopes() {
        var random = SeededRandom(seed: 67)
        var mismatches = 0
        for n in Array(0...80) + [127, 128, 129, 500, 1000] {
            for radius in [1, 2, 3, 7, 12, 20] {
                let kernel = (0...(2 * radius)).map { k in Float(1 + Int(random.next() % 1000)) / Float(1 + (k - radius) * (k - radius)) }
                let envelope = (0..<n).map { _ -> Float16 in
                    switch random.next() % 5 {
                    case 0: return -200
                    case 1: return Float16(Float(Int(random.next() % 4)) * 10 - 60)          // ties
                    case 2: return Float16.greatestFiniteMagnitude * (random.next() % 2 == 0 ? 1 : -1) / 64
                    default: return Float16(Float(Int(random.next() % 20_001) - 10_000) / 100)
                    }
                }
                mismatches += Self.smoothingMismatches(envelope, radius: radius, kernel: kernel)
            }
        }
        #expect(mismatches == 0)
    }
}
