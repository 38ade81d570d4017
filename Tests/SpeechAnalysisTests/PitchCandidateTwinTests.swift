import AudioIO
import DSP
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

/// The pitch tracker's candidate search eight lags at a time (`PitchTracker.searchCandidates`,
/// issue 18) against its scalar twin, the loop it replaced: normalise every lag, then walk the
/// lags one at a time. Codes, strengths and counts must be exactly the same, so tracks do not change.
@Suite(.disabled(if: Sanitizer.findsOnlyRaces, "twins run on one thread: nothing of their own for ThreadSanitizer"))
struct PitchCandidateTwinTests {
    /// The candidates of one frame: count, then `maximumCandidateCount` codes and strengths.
    struct Candidates: Equatable {
        var count: Int
        var codes: [UInt16]
        var strengths: [Int16]
    }

    /// The search as one loop per lag (main 969c5e2's `observe`).
    static func reference(_ tracker: PitchTracker, _ a: UnsafeMutableBufferPointer<Float>, energy: Float) -> Candidates {
        let k = PitchTracker.maximumCandidateCount
        var codes = [UInt16](repeating: 0, count: k), strengths = [Int16](repeating: 0, count: k)
        var ranks = [Float](repeating: 0, count: k)
        var normalised = [Float](repeating: 0, count: tracker.maximumLag + 2)
        let scale = 1 / energy
        let lo = tracker.minimumLag - 1, hi = tracker.maximumLag + 1
        for lag in lo...hi { normalised[lag] = a[lag] * scale * tracker.inverseWindowCorrelation[lag] }
        let floor = tracker.candidateFloor
        var count = 0
        var previous = normalised[lo], current = normalised[lo + 1]
        for lag in tracker.minimumLag...tracker.maximumLag {
            let next = normalised[lag + 1]
            if current > floor && current > previous && current >= next {
                let dr = 0.5 * (next - previous), d2r = 2 * current - previous - next
                let offset = d2r > 0 ? dr / d2r : 0
                var strength = current + 0.5 * dr * offset
                let f0 = tracker.sampleRate / (Float(lag) + offset)
                if f0 >= tracker.minimumF0 && f0 <= tracker.maximumF0 {
                    if strength > 1 { strength = 1 / strength }
                    let rank = strength + tracker.octaveCost * log2(f0 / tracker.minimumF0)
                    var slot = -1
                    if count < k {
                        slot = count
                        count += 1
                    } else {
                        var weakest = 0
                        for j in 1..<count where ranks[j] < ranks[weakest] { weakest = j }
                        if rank > ranks[weakest] { slot = weakest }
                    }
                    if slot >= 0 {
                        ranks[slot] = rank
                        strengths[slot] = PitchCandidates.strengthCode(strength)
                        codes[slot] = PitchCandidates.code(f0Hz: f0)
                    }
                }
            }
            previous = current
            current = next
        }
        return Candidates(count: count, codes: codes, strengths: strengths)
    }

    static func fast(_ tracker: PitchTracker, _ a: UnsafeMutableBufferPointer<Float>, energy: Float) -> Candidates {
        let count = tracker.searchCandidates(autocorrelation: a, energy: energy)
        return Candidates(count: count, codes: Array(tracker.scratchCode), strengths: Array(tracker.scratchStrength))
    }

    /// Autocorrelations of every frame of real audio, as `observe` computes them.
    final class Comparer: FrameObserver {
        let tracker: PitchTracker
        let fft: RealFFT
        var frames = 0, withCandidates = 0, full = 0, mismatches = 0
        init(frontEnd: ChannelFrontEnd, settings: PitchSettings) {
            tracker = PitchTracker(frontEnd: frontEnd, settings: settings)
            fft = RealFFT(size: frontEnd.fftSize)
        }
        func observe(frameIndex: Int, powerSpectrum: UnsafeBufferPointer<Float>) {
            for k in 0..<powerSpectrum.count { fft.spectrum[2 * k] = powerSpectrum[k]; fft.spectrum[2 * k + 1] = 0 }
            fft.spectrum[0] = 0
            fft.inverse()
            let energy = fft.input[0]
            guard energy > 0, energy.isFinite else { return }
            let twin = PitchCandidateTwinTests.reference(tracker, fft.input, energy: energy)
            let fast = PitchCandidateTwinTests.fast(tracker, fft.input, energy: energy)
            frames += 1
            if twin.count > 0 { withCandidates += 1 }
            if twin.count == PitchTracker.maximumCandidateCount { full += 1 }
            if fast != twin { mismatches += 1 }
        }
        func finish(frameCount: Int) {}
    }

    @Test(arguments: ["calls", "speech"])
    func fixtureFramesMatchTheScalarLoop(group: String) throws {
        var frames = 0, withCandidates = 0, full = 0
        for stem in Fixtures.stems(in: group) {
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath(group, stem))
            for channel in buffer.channels {
                let fe = ChannelFrontEnd(sampleRateHz: buffer.sampleRateHz)
                let comparer = Comparer(frontEnd: fe, settings: .standard)
                fe.frameObservers.append(comparer)
                fe.consume(channel)
                _ = fe.finish()
                #expect(comparer.mismatches == 0, "\(stem)")
                frames += comparer.frames
                withCandidates += comparer.withCandidates
                full += comparer.full
            }
        }
        print("pitch candidate twin, \(group): \(frames) frames, \(withCandidates) with candidates, \(full) full")
        #expect(withCandidates > 0 && full > 0)
    }

    /// Random and contrived autocorrelations (many peaks, so the weakest-replacement path runs;
    /// plateaus, where `>` and `>=` differ; peaks at the ends of the lag range; overshoots above 1;
    /// infinities and NaN) at several rates and F0 ranges, so the eight-lag loops end at every
    /// remainder.
    @Test func syntheticAutocorrelationsMatchTheScalarLoop() throws {
        var random = SeededRandom(seed: 1993)
        var compared = 0
        for rate in [8000.0, 11025, 16000, 22050, 44100] {
            for (floorHz, ceilingHz) in [(50.0, 600.0), (75, 500), (60, 1000), (30, 200), (101, 333)] {
                let settings = try PitchSettings(minimumF0Hz: floorHz, maximumF0Hz: ceilingHz)
                let frontEnd = try FrontEndSettings(lowestF0Hz: floorHz)
                let fe = ChannelFrontEnd(sampleRateHz: rate, settings: frontEnd)
                let tracker = PitchTracker(frontEnd: fe, settings: settings)
                let a = UnsafeMutableBufferPointer<Float>.allocate(capacity: fe.fftSize)
                defer { a.deallocate() }
                for trial in 0..<400 {
                    let energy: Float = trial % 3 == 0 ? 1 : Float.random(in: 1e-6...1e6, using: &random)
                    a.initialize(repeating: 0)
                    a[0] = energy
                    for lag in 1...(tracker.maximumLag + 1) {
                        switch trial % 8 {
                        case 0: a[lag] = energy * Float.random(in: -1.2...1.2, using: &random)  // many peaks
                        case 1: a[lag] = energy * Float(Int.random(in: 0...4, using: &random)) * 0.25  // plateaus
                        case 2:  // a periodic frame
                            let period = Float(tracker.minimumLag) + Float(trial % 50)
                            let phase: Float = 2 * Float.pi * Float(lag) / period
                            let taper: Float = 1 - Float(lag) / Float(fe.fftSize)
                            a[lag] = energy * cos(phase) * taper
                        case 3: a[lag] = energy * (lag % 2 == 0 ? 0.9 : 0.1)  // a peak at every other lag
                        case 4: a[lag] = energy * Float(lag) / Float(tracker.maximumLag)  // rising: peak at the end
                        case 5: a[lag] = energy * (random.next() % 16 == 0 ? .infinity : Float.random(in: 0...1, using: &random))
                        case 6: a[lag] = random.next() % 16 == 0 ? .nan : energy * Float.random(in: 0...1, using: &random)
                        default: a[lag] = energy * (lag == tracker.minimumLag || lag == tracker.maximumLag ? 1 : 0.5)
                        }
                    }
                    let twin = Self.reference(tracker, a, energy: energy)
                    let fast = Self.fast(tracker, a, energy: energy)
                    #expect(fast == twin, "rate \(rate), \(floorHz)–\(ceilingHz) Hz, trial \(trial)")
                    compared += 1
                }
            }
        }
        #expect(compared == 5 * 5 * 400)
    }
}

/// `PitchTracker.twoSidedSum` sixteen bins per step against main 969c5e2's eight per step: the
/// lanes take the same bins in the same order, so the sums must agree bit for bit.
@Suite(.disabled(if: Sanitizer.findsOnlyRaces, "twins run on one thread: nothing of their own for ThreadSanitizer"))
struct TwoSidedSumTwinTests {
    static func reference(_ p: UnsafeBufferPointer<Float>) -> Float {
        let n = p.count
        guard n >= 2 else { return 0 }
        let base = UnsafeRawPointer(p.baseAddress!)
        var sum = SIMD8<Float>(repeating: 0)
        var k = 1
        while k + 8 <= n - 1 {
            sum += base.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self)
            k += 8
        }
        var tail: Float = 0
        while k < n - 1 { tail += p[k]; k += 1 }
        return 2 * (sum.sum() + tail) + p[n - 1]
    }

    @Test func sixteenPerStepMatchesEightPerStep() {
        var random = SeededRandom(seed: 18)
        for n in Array(0...80) + [129, 257, 383, 513, 1025] {
            for _ in 0..<50 {
                // Powers over many decades, so the order of the additions shows in the rounding.
                let p = (0..<n).map { _ in Float.random(in: 0...1, using: &random) * pow(10, Float.random(in: -12...6, using: &random)) }
                let fast = p.withUnsafeBufferPointer { PitchTracker.twoSidedSum($0) }
                let twin = p.withUnsafeBufferPointer { Self.reference($0) }
                #expect(fast.bitPattern == twin.bitPattern, "\(n) bins")
            }
        }
    }
}
