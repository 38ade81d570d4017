import AudioIO
import DSP
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

/// Issue 18, eighth round: `QuietFrameGate`'s run test (a frame skipped with the quiet frames just
/// before it) and its count against the end of the frame's spans. The truth is the tracker that
/// analyses every frame: the gated tracks must be the same, frame for frame, on every fixture file.
@Suite(.disabled(if: Sanitizer.findsOnlyRaces, "twins run on one thread: nothing of their own for ThreadSanitizer"))
struct EighthRoundTwinTests {
    struct Counts { var frames = 0, skippedAlone = 0, skippedWithRuns = 0, spansOverLimit = 0, lowBinsRuledOut = 0, lowBinsMisses = 0 }

    /// Tracks of one channel with the gate off, with the one-frame test alone (the seventh round's
    /// gate, counted against the new span end) and with the run test; all three must agree.
    static func compare(_ samples: [Float], sampleRateHz: Double, chunkFrames: Int, label: String, into counts: inout Counts) {
        var tracks: [PitchTrack] = []
        for (skips, runs) in [(false, false), (true, false), (true, true)] {
            let fe = ChannelFrontEnd(sampleRateHz: sampleRateHz)
            let tracker = PitchTracker(timeBase: fe.timeBase, fftSize: fe.fftSize, settings: .standard,
                                       measurePlans: false, expectedFrames: 0, chunkFrames: chunkFrames,
                                       skipsQuietFrames: skips, skipsQuietRuns: runs)
            fe.frameObservers.append(tracker)
            fe.consume(samples)
            let n = fe.finish().frameCount
            counts.spansOverLimit += tracker.spanOverLimitCount
            counts.lowBinsRuledOut += tracker.lowBinsRuledOutCount
            counts.lowBinsMisses += tracker.lowBinsMissCount
            switch (skips, runs) {
            case (false, _): counts.frames += n; #expect(tracker.skippedFrameCount == 0)
            case (true, false): counts.skippedAlone += tracker.skippedFrameCount
            case (true, true): counts.skippedWithRuns += tracker.skippedFrameCount
            }
            tracks.append(tracker.track!)
        }
        #expect(tracks[1].f0Hz == tracks[0].f0Hz, "\(label), chunk \(chunkFrames), one-frame gate")
        #expect(tracks[2].f0Hz == tracks[0].f0Hz, "\(label), chunk \(chunkFrames), run gate")
    }

    /// Every channel of every fixture call and every speech utterance (at its own rate and as a
    /// telephone copy), decoded in 2 s chunks (the shortest the tracker allows: many span ends and
    /// context frames, and a bound that needs only a few loud frames), 20 s chunks and the
    /// product's 5-minute chunks (the bound needs ≈ 900 frames at or above its bin, so the gate
    /// opens only on the longer files). Each chunk length must skip frames with the run test.
    @Test func runGateKeepsTheTrackOnEveryFixture() throws {
        let chunkLengths = [200, 2_000, PitchTracker.standardChunkFrames]
        var counts = Counts()
        var skippedWithRunsByChunk: [Int: Int] = [:]
        func compare(_ samples: [Float], sampleRateHz: Double, chunkFrames: Int, label: String) {
            let before = counts.skippedWithRuns
            Self.compare(samples, sampleRateHz: sampleRateHz, chunkFrames: chunkFrames, label: label, into: &counts)
            skippedWithRunsByChunk[chunkFrames, default: 0] += counts.skippedWithRuns - before
        }
        for stem in Sanitizer.few(Fixtures.stems(in: "calls"), 2) {
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", stem))
            for (c, channel) in buffer.channels.enumerated() {
                for chunk in chunkLengths {
                    compare(channel, sampleRateHz: buffer.sampleRateHz, chunkFrames: chunk, label: "\(stem) channel \(c)")
                }
            }
        }
        for stem in Sanitizer.few(Fixtures.stems(in: "speech"), 3) {
            let audio = try AudioFileReader.readAll(path: Fixtures.audioPath("speech", stem))
            let telephone = Telephone.narrowband(audio.channels[0], sampleRateHz: audio.sampleRateHz)
            for chunk in chunkLengths {
                compare(audio.channels[0], sampleRateHz: audio.sampleRateHz, chunkFrames: chunk, label: stem)
                compare(telephone, sampleRateHz: 8_000, chunkFrames: chunk, label: "\(stem) telephone")
            }
        }
        print("quiet-frame gate, every fixture: \(counts.frames) frames; one-frame test skips \(counts.skippedAlone), with runs \(counts.skippedWithRuns); with runs by chunk length \(skippedWithRunsByChunk.sorted { $0.key < $1.key })")
        for chunk in chunkLengths { #expect(skippedWithRunsByChunk[chunk, default: 0] > 0, "chunk \(chunk): the gate never opened") }
        #expect(counts.spansOverLimit == 0, "a decoded span ended past the gate's span-end limit")
        #expect(counts.skippedWithRuns > counts.skippedAlone)
        // The low bins' pre-test (`PitchTracker.lowBinsRuleOut`) against the whole test, every frame
        // it rules out (debug builds run both).
        print("low-bin pre-test: \(counts.lowBinsRuledOut) frames ruled out, \(counts.lowBinsMisses) of them skippable")
        #expect(counts.lowBinsMisses == 0)
        #if DEBUG
        #expect(counts.lowBinsRuledOut > 0)   // counted in debug builds only
        #endif
    }

    /// Made-up signals built for the run test: loud voiced bursts (so the bound rises), then long
    /// stretches of a quiet harmonic voice just above and below the one-frame limit, with gaps of
    /// silence and of noise, at several levels; 2 s chunks. The quiet voice is voiced when alone,
    /// so a wrong skip would show.
    @Test func runGateKeepsTheTrackOnQuietVoices() {
        var counts = Counts()
        var random = SeededRandom(seed: 8)
        let rate = 8_000.0
        func voice(_ seconds: Double, f0Hz: Double, amplitude: Double) -> [Float] {
            (0..<Int(seconds * Double(rate))).map { i in
                let t = Double(i) / Double(rate)
                var s = 0.0
                for h in 1...8 { s += sin(2 * .pi * f0Hz * Double(h) * t * (1 + 0.02 * sin(2 * .pi * 3 * t))) / Double(h) }
                return Float(amplitude * s)
            }
        }
        for trial in 0..<6 {
            var signal: [Float] = []
            for _ in 0..<8 {
                signal += voice(0.8, f0Hz: 120 + Double(random.next() % 120), amplitude: 0.3)
                // Quiet voice from −50 to −30 dB under the loud one, a few frames to 2 s at a time.
                let level = 0.3 * pow(10, -(30 + Double(random.next() % 200) / 10) / 20)
                for _ in 0..<3 {
                    signal += voice(Double(1 + random.next() % 200) / 100, f0Hz: 100 + Double(random.next() % 150), amplitude: level)
                    let gap = Int(random.next() % 4_000)
                    let noise = trial % 2 == 0 ? 0.0 : level * 0.5
                    signal += (0..<gap).map { _ in Float(noise * (Double(random.next() % 2_001) / 1_000 - 1)) }
                }
            }
            Self.compare(signal, sampleRateHz: rate, chunkFrames: 200, label: "made-up \(trial)", into: &counts)
        }
        print("quiet-frame gate, made-up quiet voices: \(counts.frames) frames; one-frame test skips \(counts.skippedAlone), with runs \(counts.skippedWithRuns)")
        #expect(counts.spansOverLimit == 0)
        #expect(counts.skippedWithRuns > counts.skippedAlone)
        #expect(counts.lowBinsMisses == 0)
    }

    /// A skipped frame's RMS comes from the spectrum sum, an analysed frame's from the inverse FFT's
    /// r(0) (`PitchTracker.observe`); both go into the silence reference's 0.05 dB bins
    /// (`FrameRMSHistogram`). The twin: on every frame of every fixture channel, both ways to the
    /// same bin. (Were they to differ, the skipped frames would still lie some 30 dB below the
    /// reference's bin, where a move between neighbouring bins changes no percentile but in a
    /// recording of one level; this test is the stronger statement, on real frames.)
    final class LevelTwin: FrameObserver {
        let fft: RealFFT, fftSize: Int, windowEnergy: Float
        var frames = 0, differentBins = 0, largestRatioDB: Float = 0
        init(fftSize: Int, windowSamples: Int) {
            self.fftSize = fftSize
            fft = RealFFT(size: fftSize)
            windowEnergy = Window.hann(windowSamples).reduce(0) { $0 + $1 * $1 }
        }
        func observe(frameIndex: Int, powerSpectrum p: UnsafeBufferPointer<Float>) {
            let direct = PitchTracker.twoSidedSum(p)
            for k in 0..<p.count { fft.spectrum[2 * k] = p[k]; fft.spectrum[2 * k + 1] = 0 }
            fft.spectrum[0] = 0
            fft.inverse()
            let inverse = fft.input[0]
            guard direct > 0, inverse > 0, inverse.isFinite else { return }
            let a = (direct / (Float(fftSize) * windowEnergy)).squareRoot()
            let b = (inverse / (Float(fftSize) * windowEnergy)).squareRoot()
            frames += 1
            if FrameRMSHistogram.bin(rms: a) != FrameRMSHistogram.bin(rms: b) { differentBins += 1 }
            largestRatioDB = max(largestRatioDB, abs(20 * log10(a / b)))
        }
        func finish(frameCount: Int) {}
    }

    @Test func spectrumSumAndInverseFFTLevelsShareTheirBin() throws {
        var frames = 0, different = 0, largest: Float = 0
        func run(_ samples: [Float], _ rate: Double) {
            let fe = ChannelFrontEnd(sampleRateHz: rate)
            let twin = LevelTwin(fftSize: fe.fftSize, windowSamples: fe.timeBase.windowSamples)
            fe.frameObservers.append(twin)
            fe.consume(samples)
            _ = fe.finish()
            frames += twin.frames; different += twin.differentBins; largest = max(largest, twin.largestRatioDB)
        }
        for stem in Sanitizer.few(Fixtures.stems(in: "calls"), 2) {
            let buffer = try AudioFileReader.readAll(path: Fixtures.audioPath("calls", stem))
            for channel in buffer.channels { run(channel, buffer.sampleRateHz) }
        }
        for stem in Sanitizer.few(Fixtures.stems(in: "speech"), 3) {
            let audio = try AudioFileReader.readAll(path: Fixtures.audioPath("speech", stem))
            run(audio.channels[0], audio.sampleRateHz)
            run(Telephone.narrowband(audio.channels[0], sampleRateHz: audio.sampleRateHz), 8_000)
        }
        print("frame RMS, spectrum sum against inverse FFT: \(frames) frames, \(different) in different 0.05 dB bins, largest difference \(largest) dB")
        #expect(frames > (Sanitizer.isActive ? 10_000 : 100_000))   // sanitizer runs: a few files (`Sanitizer.few`)
        #expect(different == 0)
        #expect(largest < 0.001)  // dB: the two sums differ by rounding alone
    }
}
