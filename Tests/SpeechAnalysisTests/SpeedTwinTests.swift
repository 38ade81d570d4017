import AudioIO
import Foundation
import DSP
import Testing
import TestSupport
@testable import SpeechAnalysis

/// The per-frame loops restructured for speed (issue 18) against plain scalar twins: the one-pass
/// per-band noise floor, and the level meter's passes. Each must give exactly the twin's values
/// (same operations in the same order), so the reports do not change.
@Suite(.disabled(if: Sanitizer.findsOnlyRaces, "twins run on one thread: nothing of their own for ThreadSanitizer"))
struct SpeedTwinTests {
    @Test(arguments: [1, 2, 3, 5, 6, 299, 601, 602, 1500, 7000])
    func bandNoiseFloorMatchesTheStridedLoop(frames: Int) {
        var random = SeededRandom(seed: UInt64(frames))
        // Codes that wander like band levels: a random walk with jumps, clamped to 0…255.
        var level = 80
        var codes: [UInt8] = []
        for _ in 0..<(frames * AnalysisBands.count) {
            level = min(255, max(0, level + Int(random.next() % 21) - 10 + (random.next() % 50 == 0 ? 60 : 0)))
            codes.append(UInt8(level))
        }
        let floor = BandNoiseFloor()
        var lift: [Int32] = []   // not compared here
        let fast = codes.withUnsafeBufferPointer { floor.floorCodes($0, frameCount: frames, lift: &lift) }
        let twin = codes.withUnsafeBufferPointer { Self.referenceFloorCodes(floor, $0, frameCount: frames) }
        #expect(fast == twin)
    }

    @Test func levelPassesMatchThePerSampleLoop() {
        var random = SeededRandom(seed: 7)
        let samples = (0..<5000).map { i -> Float in
            let noise = Float(Int(random.next() % 2001) - 1000) / 1000
            return i % 1000 < 40 ? (noise > 0 ? 1 : -1) : noise * (i % 3000 < 1500 ? 0.5 : 0.001)   // clipped stretches
        }
        let k = KWeighting(sampleRateHz: 8000)
        for count in [0, 1, 2, 79, 80, 5000] {
            // Shelf then high-pass, one sample at a time, as written in BS.1770-4 Annex 1.
            var (sx1, sx2, sy1, sy2, hx1, hx2, hy1, hy2, energy) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
            for t in 0..<count {
                let x = Double(samples[t])
                let y = (k.shelf.b0 * x + k.shelf.b1 * sx1 + k.shelf.b2 * sx2 - k.shelf.a2 * sy2) - k.shelf.a1 * sy1
                sx2 = sx1; sx1 = x; sy2 = sy1; sy1 = y
                let z = (y - 2 * hx1 + hx2 - k.highPass.a2 * hy2) - k.highPass.a1 * hy1
                hx2 = hx1; hx1 = y; hy2 = hy1; hy1 = z
                energy += z * z
            }
            // The P.56 envelope and the sums, one sample at a time.
            let g = SpeechVoltmeter.smoothing(sampleRateHz: 8000)
            var (p, q, sum, squares) = (0.0, 0.0, 0.0, 0.0)
            var crossings: [Int] = []                          // samples after which q left its bounds
            var bounds = SpeechVoltmeter.envelopeBounds(level: 0)
            for t in 0..<count {
                let x = Double(samples[t])
                sum += x
                squares += x * x
                p = g * p + (1 - g) * abs(x)
                q = g * q + (1 - g) * p
                if q < bounds.lower || q >= bounds.upper {
                    crossings.append(t)
                    bounds = SpeechVoltmeter.envelopeBounds(level: SpeechVoltmeter.level(ofEnvelope: q))
                }
            }
            // The fused pass, restarted after each crossing as `consume` does.
            let coefficients = ChannelLevelMeter.Recursions.Coefficients(shelf: k.shelf, highPass: k.highPass, g: g, oneMinusG: 1 - g)
            var r = ChannelLevelMeter.Recursions(), fastSquares = 0.0
            var fastCrossings: [Int] = []
            var fastBounds = SpeechVoltmeter.envelopeBounds(level: 0)
            samples.withUnsafeBufferPointer { x in
                var t = 0
                while t < count {
                    t = ChannelLevelMeter.recursionsPass(x.baseAddress!, from: t, count: count, coefficients, &r,
                                                         squares: &fastSquares, envelopeBounds: fastBounds)
                    if r.q < fastBounds.lower || r.q >= fastBounds.upper {
                        fastCrossings.append(t - 1)
                        fastBounds = SpeechVoltmeter.envelopeBounds(level: SpeechVoltmeter.level(ofEnvelope: r.q))
                    }
                }
            }
            #expect(r.hundredMsEnergy == energy, "count \(count)")
            #expect((r.sx1, r.sx2, r.sy1, r.sy2) == (sx1, sx2, sy1, sy2) && (r.hx1, r.hx2, r.hy1, r.hy2) == (hx1, hx2, hy1, hy2),
                    "count \(count)")
            #expect(r.p == p && r.q == q && r.sum == sum && fastSquares == squares, "count \(count)")
            #expect(fastCrossings == crossings, "count \(count)")
            #expect(count < 5000 || crossings.count > 10, "the test signal moves the envelope across thresholds")

            // Clipping runs, one sample at a time.
            var run = 0, clipped = 0
            let clipLevel = Float(0.98855)
            for t in 0..<count {
                if abs(samples[t]) >= clipLevel { run += 1 } else if run > 0 { if run >= 3 { clipped += run }; run = 0 }
            }
            var fastRun = 0, fastClipped = 0
            samples.withUnsafeBufferPointer {
                ChannelLevelMeter.clipping($0.baseAddress!, count: count, clipLevel: clipLevel, run: &fastRun, clipped: &fastClipped)
            }
            #expect(fastRun == run && fastClipped == clipped, "count \(count)")
        }
    }

    /// Two channels' meters fed side by side (`ChannelLevelMeter.consume(_:_:_:_:)`, one vector
    /// lane per channel) measure exactly what each measures alone, whatever the block length.
    @Test(arguments: [1, 80, 333, 4096])
    func levelMetersSideBySideMatchOneByOne(blockLength: Int) {
        var random = SeededRandom(seed: UInt64(blockLength))
        let n = 8000 * 7 + 123                                 // 7 s: thirds, snapshots, a partial block
        // Channel a talks in bursts with a few clipped runs; channel b is quieter, later and noisier.
        let a = (0..<n).map { i -> Float in
            let noise = Float(Int(random.next() % 2001) - 1000) / 1000
            if i % 9000 < 30 { return noise > 0 ? 1 : -1 }
            return noise * (i % 16000 < 7000 ? 0.4 : 0.002)
        }
        let b = (0..<n).map { i -> Float in
            let noise = Float(Int(random.next() % 2001) - 1000) / 1000
            return noise * ((i + 5000) % 12000 < 4000 ? 0.1 : 0.0005)
        }
        let aloneA = ChannelLevelMeter(sampleRateHz: 8000), aloneB = ChannelLevelMeter(sampleRateHz: 8000)
        let pairA = ChannelLevelMeter(sampleRateHz: 8000), pairB = ChannelLevelMeter(sampleRateHz: 8000)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                for start in stride(from: 0, to: n, by: blockLength) {
                    let range = start..<min(n, start + blockLength)
                    aloneA.consume(UnsafeBufferPointer(rebasing: a[range]))
                    aloneB.consume(UnsafeBufferPointer(rebasing: b[range]))
                    ChannelLevelMeter.consume(pairA, UnsafeBufferPointer(rebasing: a[range]),
                                              pairB, UnsafeBufferPointer(rebasing: b[range]))
                }
            }
        }
        // Filter and envelope states bit for bit, then every measure.
        #expect(pairA.recursions == aloneA.recursions && pairB.recursions == aloneB.recursions)
        let speech = [Segment(start: 0.5, end: 1.5), Segment(start: 2, end: 3.2)]
        let (ma, mb) = (aloneA.finish(speechSegments: speech), aloneB.finish(speechSegments: speech))
        #expect(pairA.finish(speechSegments: speech) == ma)
        #expect(pairB.finish(speechSegments: speech) == mb)
        #expect(ma != mb && ma.activeSpeechLevelDBov != nil && ma.clippedSampleRatio ?? 0 > 0, "the channels differ and are measured")
    }

    /// The floor code read from the bounds table equals the clamped, rounded Float expression
    /// for every value of the smoothed minimum and every percentile code.
    @Test func floorBoundsTableMatchesTheFloatClamp() {
        let f = BandNoiseFloor()
        let bounds = f.floorBounds()
        var mismatches = 0
        for sum in 0...(255 * f.smoothingFrames) {
            let minimumCode = Float(sum) / Float(f.smoothingFrames) + 2 * f.biasDB
            for cursor in 0...255 {
                let floorCode = min(max(minimumCode, Float(cursor)), minimumCode + 2 * f.maximumLiftDB)
                let twin: UInt8 = floorCode <= 0 ? 0 : floorCode >= 255 ? 255 : UInt8(Int(floorCode + 0.5))
                if bounds[sum].floorCode(percentileCode: cursor) != twin { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    /// The branch-free top-4 score equals insertion of the dB values with comparisons, on random
    /// frames and on frames with ties, all-zero and clipped SNRs.
    @Test func topBandScoreMatchesSortedInsertion() {
        var random = SeededRandom(seed: 11)
        let bands = AnalysisBands.count
        for trial in 0..<20_000 {
            var codes = [UInt8](repeating: 0, count: bands), floors = codes
            for b in 0..<bands {
                switch trial % 4 {
                case 0: codes[b] = UInt8(random.next() % 256); floors[b] = UInt8(random.next() % 256)
                case 1: codes[b] = UInt8(100 + random.next() % 8); floors[b] = 100            // ties
                case 2: codes[b] = UInt8(random.next() % 256); floors[b] = 255                // all zero
                default: codes[b] = UInt8(150 + random.next() % 106); floors[b] = UInt8(random.next() % 100)  // clipped
                }
            }
            var t0: Float = 0, t1: Float = 0, t2: Float = 0, t3: Float = 0
            for b in 0..<bands {
                let d = min(SpeechActivityDetector.Constants.clipDB, max(0, 0.5 * (Float(codes[b]) - Float(floors[b]))))
                if d > t3 {
                    if d > t0 { t3 = t2; t2 = t1; t1 = t0; t0 = d }
                    else if d > t1 { t3 = t2; t2 = t1; t1 = d }
                    else if d > t2 { t3 = t2; t2 = d }
                    else { t3 = d }
                }
            }
            let twin = (t0 + t1 + t2 + t3) / Float(SpeechActivityDetector.Constants.topBandCount)
            let fast = codes.withUnsafeBufferPointer { c in
                floors.withUnsafeBufferPointer { f in
                    SpeechActivityDetector.WindowEvidence.topBandScore(c.baseAddress!, floors: f.baseAddress!)
                }
            }
            #expect(fast.bitPattern == twin.bitPattern, "trial \(trial)")
            if fast.bitPattern != twin.bitPattern { break }
        }
    }

    /// The envelope's threshold count changes exactly where q leaves its bounds.
    @Test func envelopeBoundsHoldExactlyTheirLevel() {
        var random = SeededRandom(seed: 3)
        var qs: [Double] = [0, .leastNonzeroMagnitude, 1e-300, 0.5, 1, 2, 1e10]
        for e in -20...3 {
            let p = Double(sign: .plus, exponent: e, significand: 1)
            qs += [p, p.nextDown, p.nextUp]
        }
        for _ in 0..<1000 { qs.append(Double(random.next() % 1_000_000) / 1_000_000 * Double(1 << (random.next() % 20)) / 65536) }
        for q in qs {
            let level = SpeechVoltmeter.level(ofEnvelope: q)
            for candidate in 0...SpeechVoltmeter.thresholdCount {
                let b = SpeechVoltmeter.envelopeBounds(level: candidate)
                #expect((b.lower <= q && q < b.upper) == (candidate == level), "q \(q) level \(level) candidate \(candidate)")
            }
        }
    }

    /// The noise floor as it was computed before issue 18 (band by band, strided reads): the twin.
    static func referenceFloorCodes(_ f: BandNoiseFloor, _ codes: UnsafeBufferPointer<UInt8>, frameCount n: Int) -> [UInt8] {
        let bands = AnalysisBands.count
        var floors = [UInt8](repeating: 0, count: n * bands)
        guard n > 0 else { return floors }
        var smoothed = [Int32](repeating: 0, count: n)
        var minimum = [Int32](repeating: 0, count: n)
        let padded = n + 2 * f.minimumHalfWindowFrames
        var prefix = [Int32](repeating: 0, count: padded), suffix = prefix
        var histogram = [Int](repeating: 0, count: 256)
        let half = f.smoothingFrames / 2
        do {
            floors.withUnsafeMutableBufferPointer { out in
                for b in 0..<bands {
                    // Moving sum over `f.smoothingFrames` (edges repeat the end frames).
                    var s: Int32 = 0
                    for j in -half...half { s += Int32(codes[min(n - 1, max(0, j)) * bands + b]) }
                    smoothed[0] = s
                    for i in 1..<max(1, n) {  // running sum: add the entering frame, drop the leaving one
                        s += Int32(codes[min(n - 1, i + half) * bands + b]) - Int32(codes[max(0, i - half - 1) * bands + b])
                        smoothed[i] = s
                    }
                    // The product's sliding minimum, checked against its definition in SlidingExtremaTests.
                    SlidingExtremaTests.slidingMinimum(smoothed, halfWindow: f.minimumHalfWindowFrames, prefix: &prefix, suffix: &suffix,
                                        into: &minimum)
                    // Sliding percentile with a rank cursor over a 256-bin histogram.
                    for k in 0..<256 { histogram[k] = 0 }
                    var count = 0, cursor = 0, below = 0
                    let w = f.percentileHalfWindowFrames
                    for j in 0..<min(n, w) {
                        let x = Int(codes[j * bands + b]); histogram[x] += 1; count += 1
                        if x < cursor { below += 1 }
                    }
                    let scale = Float(f.smoothingFrames)
                    for i in 0..<n {
                        let entering = i + w, leaving = i - w - 1
                        if entering < n {
                            let x = Int(codes[entering * bands + b]); histogram[x] += 1; count += 1
                            if x < cursor { below += 1 }
                        }
                        if leaving >= 0 {
                            let x = Int(codes[leaving * bands + b]); histogram[x] -= 1; count -= 1
                            if x < cursor { below -= 1 }
                        }
                        let rank = Int(f.percentile * Double(count - 1))
                        while below > rank { cursor -= 1; below -= histogram[cursor] }
                        while below + histogram[cursor] <= rank { below += histogram[cursor]; cursor += 1 }
                        let minimumCode = Float(minimum[i]) / scale + 2 * f.biasDB
                        let floorCode = min(max(minimumCode, Float(cursor)), minimumCode + 2 * f.maximumLiftDB)
                        out[i * bands + b] = floorCode <= 0 ? 0 : floorCode >= 255 ? 255 : UInt8(Int(floorCode + 0.5))
                    }
                }
            }
        }
        return floors
    }
}

/// The pitch tracker skipping frames too quiet to be voiced (`QuietFrameGate`, issue 18) against
/// the same tracker analysing every frame: the tracks must be the same, frame for frame.
@Suite(.disabled(if: Sanitizer.findsOnlyRaces, "twins run on one thread: nothing of their own for ThreadSanitizer"))
struct QuietFrameGateTwinTests {
    @Test func skippingQuietFramesKeepsTheTrack() throws {
        var skipped = 0, frames = 0
        for stem in Sanitizer.few(Fixtures.stems(in: "calls"), 3) {
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", stem))
            for channel in buffer.channels {
                // 20 s chunks, so the gate's bound on the loud reference is tight enough to skip
                // frames in these short calls, and the chunked path is taken; then one piece.
                for chunk in [2_000, 1_000_000] {
                    var tracks: [PitchTrack] = []
                    for skips in [true, false] {
                        let fe = ChannelFrontEnd(sampleRateHz: buffer.sampleRateHz)
                        let tracker = PitchTracker(timeBase: fe.timeBase, fftSize: fe.fftSize, settings: .standard,
                                                   measurePlans: false, expectedFrames: 0, chunkFrames: chunk,
                                                   skipsQuietFrames: skips)
                        fe.frameObservers.append(tracker)
                        fe.consume(channel)
                        frames += fe.finish().frameCount
                        if skips { skipped += tracker.skippedFrameCount } else { #expect(tracker.skippedFrameCount == 0) }
                        tracks.append(tracker.track!)
                    }
                    #expect(tracks[0].f0Hz == tracks[1].f0Hz, "\(stem), chunk \(chunk)")
                }
            }
        }
        print("quiet-frame gate: \(skipped) of \(frames / 2) frames skipped")
        #expect(skipped > 0)
    }

    /// The fixture voices as telephone copies after 3 rings (`RingbackTests`): the track is made
    /// with a silence reference that leaves the rings out, lower than the reference with them, and
    /// the gate must not skip a frame that reference can voice. 20 s chunks, so the gate skips
    /// frames; every third voice under the sanitizers (3 is prime to the 4 cadences, so all four ring).
    @Test func skippingQuietFramesKeepsTheTrackAfterRings() throws {
        let stride = ProcessInfo.processInfo.environment["VOICEQA_SANITIZER"] == nil ? 1 : 3
        var skipped = 0, frames = 0
        for (n, stem) in Fixtures.stems(in: "speech").enumerated() where n % stride == 0 {
            let audio = try AudioFileReader.readAll(path: Fixtures.audioPath("speech", stem))
            let cadence = RingbackTests.cadences[n % RingbackTests.cadences.count]
            let signal = RingbackTests.telephoneRings(cadence)
                + Telephone.narrowband(audio.channels[0], sampleRateHz: audio.sampleRateHz)
            var tracks: [PitchTrack] = []
            for skips in [true, false] {
                let fe = ChannelFrontEnd(sampleRateHz: 8_000)
                let tracker = PitchTracker(timeBase: fe.timeBase, fftSize: fe.fftSize, settings: .standard,
                                           measurePlans: false, expectedFrames: 0, chunkFrames: 2_000,
                                           skipsQuietFrames: skips)
                fe.frameObservers.append(tracker)
                fe.consume(signal)
                let count = fe.finish().frameCount
                if skips { skipped += tracker.skippedFrameCount; frames += count }
                tracks.append(tracker.track!)
            }
            #expect(tracks[0].f0Hz == tracks[1].f0Hz, "\(stem) after \(cadence.name) rings")
        }
        print("quiet-frame gate after rings: \(skipped) of \(frames) frames skipped")
        #expect(skipped > 0)
    }
}

/// The front end's 16 band codes at once (`ChannelContours.codes(forPowers:)`, issue 18) against
/// `code(forPower:)` one band at a time.
@Suite(.disabled(if: Sanitizer.findsOnlyRaces, "twins run on one thread: nothing of their own for ThreadSanitizer"))
struct BandCodeTwinTests {
    @Test func sixteenAtOnceMatchOneAtATime() {
        var random = SeededRandom(seed: 18)
        var powers: [Float] = [0, -1, 1e-30, 1e-20, Float(1e-20).nextUp, Float(1e-20).nextDown, 1e-13, 1, 10, 1e13, 1e30,
                               .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        // Powers around every code boundary (dB = code/2 − 127.5 ± 0.25), and random ones over 300 dB.
        for code in 0...256 {
            let dB = Double(code) * 0.5 - 127.5 - 0.25
            for nudge in [-1e-4, -1e-6, 0, 1e-6, 1e-4] { powers.append(Float(Decibels.toPower(dB + nudge))) }
        }
        for _ in 0..<20_000 { powers.append(Float(Decibels.toPower(Double(random.next() % 3_000_000) / 10_000 - 250))) }
        while powers.count % 16 != 0 { powers.append(0.5) }
        for start in stride(from: 0, to: powers.count, by: 16) {
            var p = SIMD16<Float>()
            for j in 0..<16 { p[j] = powers[start + j] }
            let fast = ChannelContours.codes(forPowers: p)
            for j in 0..<16 {
                #expect(fast[j] == Int32(ChannelContours.code(forPower: p[j])), "power \(p[j])")
            }
        }
    }
}

/// The inline half-precision conversions (issue 18) against the standard library's.
@Suite(.disabled(if: Sanitizer.findsOnlyRaces, "twins run on one thread: nothing of their own for ThreadSanitizer"))
struct HalfPrecisionTwinTests {
    /// `HalfPrecision` against the standard library's conversions: every half to Float; to half,
    /// every half's value, the midpoints between neighbouring halves (the ties) and the values one
    /// unit of the last place either side of both, as Float and as Double, and a spread of
    /// Float bit patterns. Bit patterns must agree exactly (NaNs included).
    @Test func halfPrecisionMatchesTheStandardConversions() {
        for bits in 0...UInt16.max {
            let h = Float16(bitPattern: bits)
            #expect(HalfPrecision.float(h).bitPattern == Float(h).bitPattern, "half \(bits)")
        }
        var floats: [Float] = [], doubles: [Double] = []
        for bits in 0...UInt16.max {
            let h = Float16(bitPattern: bits), next = Float16(bitPattern: bits &+ 1)
            guard h.isFinite else { continue }
            let value = Double(h)
            var points = [value]
            if next.isFinite && next.sign == h.sign { points.append((value + Double(next)) / 2) }
            if bits & 0x7FFF == 0x7BFF { points.append(h.sign == .minus ? -65520 : 65520) }  // rounds to infinity
            for p in points {
                let f = Float(p)
                floats += [f.nextDown, f, f.nextUp]
                doubles += [p.nextDown, p, p.nextUp]
            }
        }
        var bits: UInt32 = 0
        while true {
            floats.append(Float(bitPattern: bits))
            let (next, overflow) = bits.addingReportingOverflow(65_537)
            if overflow { break }
            bits = next
        }
        for f in floats {
            #expect(HalfPrecision.half(f).bitPattern == Float16(f).bitPattern, "float \(f.bitPattern)")
        }
        for d in doubles {
            #expect(HalfPrecision.half(d).bitPattern == Float16(d).bitPattern, "double \(d.bitPattern)")
        }
    }
}
