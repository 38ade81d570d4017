import DSP
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

/// Issue 17, cause 4, against issue 18's `QuietFrameGate`: the second pass waives the range cost
/// on first-pass excursions above the ceiling that the first pass glided into and out of
/// (`PitchTracker.glidedAboveCeiling`). The gate skips a frame only where no path can be voiced,
/// which holds while every node cost is a fixed function of (frame, candidate) no larger than
/// without a range. The adversarial case (the review's lattice of the path-dependent glide rule):
/// loud frames glide far above the ceiling and, inside the excursion, one or a few frames of the
/// same voice fall ≈ 31–40 dB under the loud ones, below the gate's limit, yet still periodic. The
/// truth is the tracker that analyses every frame: the gated tracks must be the same, frame for frame.
@Suite(.disabled(if: Sanitizer.findsOnlyRaces, "twins run on one thread: nothing of their own for ThreadSanitizer"))
struct GlideWaiverTwinTests {
    /// `VoiceSynth`'s voiced /a/ (glottal pulses at 1 % Gaussian period jitter, male formants)
    /// following `f0Hz(t)`, at RMS 1 times `amplitude(t)`; one number of `random` per call, so the
    /// dipped and undipped signals stay the same outside the dips.
    static func voice(seconds: Double, rate: Double, random: inout SeededRandom, f0Hz: (Double) -> Double,
                      amplitude: (Double) -> Double) -> [Float] {
        let x = VoiceSynth.voiced(durationSeconds: seconds, sampleRateHz: rate, f0Hz: f0Hz, jitterRatio: 0.01,
                                  formants: VoiceSynth.vowelA, rms: 1, seed: random.next())
        return x.indices.map { x[$0] * Float(amplitude(Double($0) / rate)) }
    }

    /// A low voice (body 100–130 Hz, so the range's ceiling lies near 190 Hz) with rises from 150 Hz
    /// to 260–300 Hz at ≈ 0.6 st per 10 ms and back; inside each rise's top, 0–3 dips of 10–70 ms
    /// to 31–40 dB under the loud level, the F0 gliding on through them.
    /// (`dipped` false: the same signal with the dips at the loud level.)
    static func signal(seed: UInt64, rate: Double, dipped: Bool = true) -> (samples: [Float], dips: Int) {
        var random = SeededRandom(seed: seed)
        func uniform(_ range: ClosedRange<Double>) -> Double {
            range.lowerBound + (range.upperBound - range.lowerBound) * Double(random.next() % 10_001) / 10_000
        }
        let loud = 0.3
        var samples: [Float] = [], dips = 0
        for _ in 0..<6 {
            // The body: three phrases near 100–130 Hz.
            for _ in 0..<3 {
                let base = uniform(100...125), slope = uniform(-15...15)
                samples += voice(seconds: uniform(0.5...0.9), rate: rate, random: &random, f0Hz: { base + slope * $0 }, amplitude: { _ in loud })
                samples += [Float](repeating: 0, count: Int(uniform(0.1...0.25) * rate))
            }
            // A rise: 150 Hz → peak over `up` s, held `hold` s, back to 150 Hz over `up` s.
            let peak = uniform(260...300), up = 12 * log2(peak / 150) / 60  // 60 st/s
            let hold = uniform(0.1...0.3), total = 2 * up + hold
            let dipCount = Int(random.next() % 4)
            var dipSpans: [ClosedRange<Double>] = []
            for _ in 0..<dipCount {
                let length = uniform(0.01...0.07)
                let start = uniform((up * 0.7)...(up + hold + up * 0.3 - length))
                dipSpans.append(start...(start + length))
            }
            dips += dipCount
            let dipDB = uniform(31...40)   // drawn either way, so the undipped signal is the same outside the dips
            let dipAmplitude = dipped ? loud * pow(10, -dipDB / 20) : loud
            func f0(_ t: Double) -> Double {
                if t < up { return 150 * pow(peak / 150, t / up) }
                if t < up + hold { return peak }
                return peak * pow(150 / peak, min(1, (t - up - hold) / up))
            }
            samples += voice(seconds: total, rate: rate, random: &random, f0Hz: f0) { t in
                dipSpans.contains { $0.contains(t) } ? dipAmplitude : loud
            }
            samples += [Float](repeating: 0, count: Int(uniform(0.2...0.4) * rate))
        }
        return (samples, dips)
    }

    @Test func glidedExcursionsWithQuietFramesKeepTheTrack() {
        var counts = EighthRoundTwinTests.Counts()
        var dips = 0, framesAboveTwiceBody = 0, skippedInDips = 0
        for seed in UInt64(0)..<UInt64(Sanitizer.isActive ? 1 : 4) {
            let (wide, n) = Self.signal(seed: 170 + seed, rate: 16_000)
            dips += n
            let telephone = Telephone.narrowband(wide, sampleRateHz: 16_000)
            for chunk in [200, 2_000, PitchTracker.standardChunkFrames] {
                EighthRoundTwinTests.compare(wide, sampleRateHz: 16_000, chunkFrames: chunk, label: "glide \(seed)", into: &counts)
                EighthRoundTwinTests.compare(telephone, sampleRateHz: 8_000, chunkFrames: chunk,
                                             label: "glide \(seed) telephone", into: &counts)
            }
            // Frames the gate skips in the dips: skipped frames with dips less those without.
            func skipped(_ samples: [Float]) -> Int {
                let fe = ChannelFrontEnd(sampleRateHz: 8_000)
                let tracker = PitchTracker(timeBase: fe.timeBase, fftSize: fe.fftSize, settings: .standard, measurePlans: false,
                                           expectedFrames: 0, chunkFrames: 200)
                fe.frameObservers.append(tracker)
                fe.consume(samples)
                _ = fe.finish()
                return tracker.skippedFrameCount
            }
            skippedInDips += skipped(telephone)
                - skipped(Telephone.narrowband(Self.signal(seed: 170 + seed, rate: 16_000, dipped: false).samples, sampleRateHz: 16_000))
            // The waiver is at work: the rises are kept above the ceiling (≈ 190 Hz), not halved.
            let track = PitchTracker.track(telephone, sampleRateHz: 8_000)
            framesAboveTwiceBody += track.f0Hz.filter { $0 > 230 }.count
        }
        print("glide waiver twin: \(counts.frames) frames, \(dips) dips; one-frame test skips \(counts.skippedAlone), with runs \(counts.skippedWithRuns); skipped in the dips (telephone, 2 s chunks) \(skippedInDips); telephone frames above 230 Hz \(framesAboveTwiceBody)")
        #expect(dips > 0)
        #expect(skippedInDips > 0)
        #expect(counts.spansOverLimit == 0)
        #expect(framesAboveTwiceBody >= (Sanitizer.isActive ? 50 : 300))   // measured 354 over 4 seeds (122 on seed 0, the sanitizer runs' one); 3 without the waiver
    }

    /// Random lattices (a review's fuzz): bodies at 100–140 Hz with excursions that glide (0.3–1.7 st
    /// per frame) or jump far above, octave jumps, and quiet frames — mostly high in the voiced
    /// stretches — at 0.98 × the gate's one-frame limit that keep five candidates of full strength
    /// (one at 600 Hz) in the ungated lattice and none in the gated one. Both passes as `decode` runs
    /// them in one span: first pass, marks and second pass must be the same either way, and no quiet
    /// frame voiced in the ungated first pass.
    @Test func randomLatticesKeepFirstPassMarksAndTrack() {
        let timeBase = TimeBase(sampleRateHz: 8_000, hopSamples: 80, windowSamples: 320)
        let settings = PitchSettings.standard
        let gate = QuietFrameGate(settings: settings, hopSeconds: timeBase.hopSeconds, chunkFrames: 30_000, contextFrames: 100)
        let quietRMS = Float(0.98 * gate.xLimit * gate.silenceScale)
        var random = SeededRandom(seed: 12345)
        func u() -> Double { Double(random.next() % 1_000_001) / 1_000_000 }
        var lattices = 0, differFirst = 0, differSecond = 0, differMarks = 0
        var quietTotal = 0, quietVoicedFirst = 0, quietNextToMarked = 0, marked = 0
        for _ in 0..<(Sanitizer.isActive ? 100 : 1_000) {
            let n = 150 + Int(random.next() % 150)
            var f0 = [Float](repeating: 0, count: n)
            var f = 110 + 20 * u(), voicedLeft = 0, unvoicedLeft = 0, stepSemitones = 0.0, mode = 0
            for i in 0..<n {
                if voicedLeft == 0 && unvoicedLeft == 0 {
                    if u() < 0.4 { unvoicedLeft = 1 + Int(random.next() % 8) } else {
                        voicedLeft = 10 + Int(random.next() % 60); mode = Int(random.next() % 3)
                        stepSemitones = 0.3 + 1.4 * u(); f = 100 + 40 * u()
                    }
                }
                if unvoicedLeft > 0 { unvoicedLeft -= 1; continue }
                voicedLeft -= 1
                switch mode {
                case 0: f *= pow(2, (u() - 0.5) * 0.05)
                case 1: f *= pow(2, stepSemitones / 12 * (f < 320 ? 1 : 0)); if u() < 0.05 { mode = 2 }
                default: f *= pow(2, -stepSemitones / 12 * (f > 100 ? 1 : 0))
                }
                if u() < 0.03 { f *= u() < 0.5 ? 2 : 0.5 }   // an octave jump
                f0[i] = Float(min(590, max(55, f)))
            }
            var quiet = [Bool](repeating: false, count: n)
            for i in 0..<n where (f0[i] > 170 && u() < 0.15) || u() < 0.03 { quiet[i] = true }
            func lattice(gated: Bool) -> PitchCandidates {
                var c = PitchCandidates(capacity: PitchTracker.maximumCandidateCount, expectedFrames: n)
                let codes = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: c.capacity)
                let strengths = UnsafeMutableBufferPointer<Int16>.allocate(capacity: c.capacity)
                defer { codes.deallocate(); strengths.deallocate() }
                var r = SeededRandom(seed: UInt64(n) &* 7919 &+ UInt64(lattices))
                func v() -> Double { Double(r.next() % 1_000_001) / 1_000_000 }
                for i in 0..<n {
                    codes.initialize(repeating: 0); strengths.initialize(repeating: 0)
                    var count = 0
                    func add(_ hz: Double, _ strength: Double) {
                        guard count < c.capacity, hz >= 50, hz <= 600 else { return }
                        codes[count] = PitchCandidates.code(f0Hz: Float(hz))
                        strengths[count] = PitchCandidates.strengthCode(Float(strength)); count += 1
                    }
                    let x = Double(f0[i])
                    if x > 0 {
                        if quiet[i] {
                            add(x, 1); add(x / 2, 1); add(x * 2, 1); add(600, 1); add(x * 1.03, 1)
                        } else {
                            add(x, 0.6 + 0.4 * v()); add(x / 2, 0.5 + 0.45 * v())
                            if v() < 0.5 { add(x * 2, 0.4 + 0.4 * v()) }
                            if v() < 0.3 { add(x * (0.95 + 0.1 * v()), 0.5 + 0.4 * v()) }
                        }
                    } else if v() < 0.3 { add(60 + 500 * v(), 0.3 + 0.5 * v()) }
                    if gated && quiet[i] { codes.initialize(repeating: 0); strengths.initialize(repeating: 0); count = 0 }
                    let rms: Float = quiet[i] ? quietRMS : x > 0 ? Float(0.5 + 0.5 * v()) : Float(0.2 * v())
                    c.append(rms: rms, codes: codes, strengths: strengths, count: count)
                }
                return c
            }
            lattices += 1
            var firsts: [[Float16]] = [], seconds: [[Float16]] = [], marks: [[UInt16]] = []
            for gated in [false, true] {
                let c = lattice(gated: gated)
                let first = PitchPath.choose(c, timeBase: timeBase, settings: settings, loudFrameRMS: 1)
                let tone = PitchTracker.steadyToneFrames(first.f0Hz)
                var histogram = [Int32](repeating: 0, count: 65_536), count = 0
                for i in 0..<n where HalfPrecision.float(first.f0Hz[i]) > 0 && !tone[i] {
                    histogram[Int(PitchCandidates.code(f0Hz: HalfPrecision.float(first.f0Hz[i])))] += 1; count += 1
                }
                firsts.append(first.f0Hz)
                guard let range = PitchTracker.speakerRange(codeHistogram: histogram, count: count) else {
                    seconds.append(first.f0Hz); marks.append([]); continue
                }
                let glide = PitchTracker.glidedAboveCeiling(first.f0Hz, tone: tone, ceilingHz: range.upperBound, hopSeconds: timeBase.hopSeconds)
                marks.append(glide)
                seconds.append(PitchPath.choose(c, timeBase: timeBase, settings: settings, speakerRangeHz: range, glideCodes: glide,
                                                loudFrameRMS: 1).f0Hz)
            }
            if firsts[0] != firsts[1] { differFirst += 1 }
            if seconds[0] != seconds[1] { differSecond += 1 }
            if marks[0] != marks[1] { differMarks += 1 }
            for i in 0..<n where quiet[i] {
                quietTotal += 1
                if firsts[0][i] != 0 { quietVoicedFirst += 1 }
                if !marks[0].isEmpty, (i > 0 && marks[0][i - 1] != 0) || (i + 1 < n && marks[0][i + 1] != 0) { quietNextToMarked += 1 }
            }
            marked += marks[0].filter { $0 != 0 }.count
        }
        print("glide waiver, random lattices: \(lattices); first passes differ \(differFirst), marks \(differMarks), second passes \(differSecond); quiet frames \(quietTotal) (voiced in the ungated first pass \(quietVoicedFirst), next to a marked frame \(quietNextToMarked)); marked frames \(marked)")
        #expect(differFirst == 0 && differMarks == 0 && differSecond == 0 && quietVoicedFirst == 0)
        #expect(marked > 0 && quietNextToMarked > 0)   // the case under test occurs
    }

    /// The review's lattice, at the path itself: 80 frames of two candidates each, the F0 (r = 0.90)
    /// and its sub-octave (r = 0.88, nearly as strong, as through the telephone band), over a range of
    /// 75–150 Hz: a body at 120 Hz, a glide of 0.66 st per frame to 258 Hz, held, and back. One or three
    /// frames inside the excursion are quiet (RMS 1 % of the loud frames': x ≈ 0.48, under the gate's
    /// one-frame limit) yet keep their candidates, as the ungated tracker sees them; the gated
    /// tracker stores them without. Both passes, as `PitchTracker.decode` runs them, must give the
    /// same track either way. (Under the path-dependent glide rule of branch `tel-pitch`, an unvoiced
    /// quiet frame ended the glide, so the gated path paid the range cost from there on.)
    @Test(arguments: [[50], [45, 46, 47], [36]])
    func quietFramesInsideAGlidedExcursionChangeNoTrack(quiet: [Int]) throws {
        let timeBase = TimeBase(sampleRateHz: 8_000, hopSamples: 80, windowSamples: 320)
        let settings = PitchSettings.standard
        let range: ClosedRange<Float> = 75...150
        func f0(_ i: Int) -> Float {
            switch i {
            case ..<20: return 120
            case ..<40: return 120 * pow(2, Float(i - 19) * 0.66 / 12)
            case ..<60: return 120 * pow(2, 20 * 0.66 / 12)
            default: return 120 * pow(2, Float(max(0, 79 - i)) * 0.66 / 12)
            }
        }
        func lattice(gated: Bool) -> PitchCandidates {
            var c = PitchCandidates(capacity: PitchTracker.maximumCandidateCount, expectedFrames: 90)
            let codes = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: c.capacity)
            let strengths = UnsafeMutableBufferPointer<Int16>.allocate(capacity: c.capacity)
            defer { codes.deallocate(); strengths.deallocate() }
            for i in 0..<90 {
                codes.initialize(repeating: 0); strengths.initialize(repeating: 0)
                let voiced = i < 80, skipped = gated && quiet.contains(i)
                if voiced && !skipped {
                    codes[0] = PitchCandidates.code(f0Hz: f0(i)); strengths[0] = PitchCandidates.strengthCode(0.90)
                    codes[1] = PitchCandidates.code(f0Hz: f0(i) / 2); strengths[1] = PitchCandidates.strengthCode(0.88)
                }
                let rms: Float = !voiced ? 0.001 : quiet.contains(i) ? 0.01 : 1
                c.append(rms: rms, codes: codes, strengths: strengths, count: voiced && !skipped ? 2 : 0)
            }
            return c
        }
        // The quiet frames are ones the gate may skip: x under its one-frame limit.
        let gate = QuietFrameGate(settings: settings, hopSeconds: timeBase.hopSeconds, chunkFrames: 30_000, contextFrames: 100)
        #expect(0.01 / gate.silenceScale < gate.xLimit)
        var tracks: [[Float16]] = []
        for gated in [false, true] {
            let c = lattice(gated: gated)
            let first = PitchPath.choose(c, timeBase: timeBase, settings: settings, loudFrameRMS: 1)
            for i in quiet { #expect(first.f0Hz[i] == 0, "the first pass voices quiet frame \(i)") }
            let f = first.f0Hz
            let glide = PitchTracker.glidedAboveCeiling(f, tone: [Bool](repeating: false, count: f.count), ceilingHz: range.upperBound,
                                                        hopSeconds: timeBase.hopSeconds)
            tracks.append(PitchPath.choose(c, timeBase: timeBase, settings: settings, speakerRangeHz: range, glideCodes: glide,
                                           loudFrameRMS: 1).f0Hz)
        }
        #expect(tracks[0] == tracks[1], "gated and ungated tracks differ on \(zip(tracks[0], tracks[1]).filter { $0 != $1 }.count) frames")
        // The waiver is at work before the quiet frames: the excursion's loud frames keep their F0.
        #expect(abs(Float(tracks[0][34]) / f0(34) - 1) < 0.02)
    }
}
