import AudioIO
import CallAnalysis
import DSP
import Foundation
import Testing
import TestSupport
@testable import SpeechAnalysis

/// Ring-back cadences of ITU-T E.180 Suppl. 2, synthesised on the line-side channel before the
/// agent's greeting (real fixture speech): the ring count is exact and the tone is never speech.
struct RingbackTests {
    struct Cadence: Sendable, CustomStringConvertible {
        var name: String
        var tonesHz: [Double]
        var modulationHz: Double?
        /// (on, off) pairs of one cycle, seconds.
        var pattern: [(Double, Double)]
        var periodSeconds: Double { pattern.reduce(0) { $0 + $1.0 + $1.1 } }
        var description: String { name }
    }

    static let cadences = [
        Cadence(name: "china", tonesHz: [450], modulationHz: nil, pattern: [(1, 4)]),
        Cadence(name: "japan", tonesHz: [400], modulationHz: 16, pattern: [(1, 2)]),
        Cadence(name: "north america", tonesHz: [440, 480], modulationHz: nil, pattern: [(2, 4)]),
        Cadence(name: "uk", tonesHz: [400, 450], modulationHz: nil, pattern: [(0.4, 0.2), (0.4, 2.0)]),
    ]

    static let rate = 16000.0
    static let greeting: [Float] = {
        let buffer = try! AudioFileReader.readAll(path: Fixtures.audioPath("speech", "en_arctic_slt_a0009"))
        return buffer.channels[0]
    }()

    /// A call whose customer channel rings `fullRings` whole cycles and then part of one more
    /// (cut `partialSeconds` into it; 0 = none), before the agent answers.
    static func call(_ cadence: Cadence, fullRings: Int, partialSeconds: Double,
                     lineNoiseRMS: Double = 0.0005, pink: Bool = false) -> (AudioBuffer, answerSeconds: Double) {
        let firstRing = 0.6
        let pickup = firstRing + Double(fullRings) * cadence.periodSeconds + partialSeconds
        let answer = pickup + 0.5
        let total = answer + Double(greeting.count) / rate + 1.0
        var line = pink ? Synth.pinkNoise(durationSeconds: total, sampleRateHz: rate, rms: lineNoiseRMS, seed: 7)
            : Synth.whiteNoise(durationSeconds: total, sampleRateHz: rate, rms: lineNoiseRMS, seed: 7)
        var agent = Synth.whiteNoise(durationSeconds: total, sampleRateHz: rate, rms: 0.0003, seed: 8)
        var t = firstRing
        while t < pickup {
            for (on, off) in cadence.pattern {
                let end = min(t + on, pickup)
                if end > t {
                    for i in Int(t * rate)..<Int(end * rate) {
                        let time = Double(i) / rate
                        var v = cadence.tonesHz.reduce(0.0) { $0 + sin(2 * .pi * $1 * time) } / Double(cadence.tonesHz.count)
                        if let m = cadence.modulationHz { v *= 0.6 + 0.4 * sin(2 * .pi * m * time) }
                        line[i] += Float(0.1 * v)
                    }
                }
                t += on + off
                if t >= pickup { break }
            }
        }
        Synth.mix(&agent, greeting, at: Int(answer * rate))
        return (AudioBuffer(sampleRateHz: rate, channels: [agent, line]), answer)
    }

    @Test(arguments: cadences)
    func ringCountIsExact(cadence: Cadence) throws {
        for (full, partial) in [(1, 0.0), (2, 0.0), (2, 0.5), (3, 0.3), (4, 0.0)] {
            let (buffer, answer) = Self.call(cadence, fullRings: full, partialSeconds: partial)
            let analysis = try CallAnalyzer.analyze(buffer: buffer)
            let conversation = try #require(analysis.conversation)
            let expected = full + (partial > 0 ? 1 : 0)
            #expect(conversation.ringCount == expected, "\(cadence.name) \(full)+\(partial): \(String(describing: conversation.ringCount))")
            // Time to answer: the greeting's first speech (the ARCTIC labels put it 0.165 s in); 0.1 s tolerance.
            #expect(abs((conversation.timeToAnswerSeconds ?? 0) - (answer + 0.165)) < 0.1)
        }
    }

    @Test func noRingWithoutRingback() throws {
        let (buffer, _) = Self.call(Self.cadences[0], fullRings: 0, partialSeconds: 0)
        let analysis = try CallAnalyzer.analyze(buffer: buffer)
        #expect(analysis.conversation?.ringCount == nil)
    }

    /// Pink line noise near −60 dBFS in band (as on devcall3_ja_03's customer line) has its
    /// strongest bin 11 dB over the mean bin by chance in some frames, most often low in the band
    /// where the ring tones lie; in the off periods those frames, bridged, made phantom bursts
    /// that joined the rings into fewer cycles (devcall3_ja_03: 2 counted of 3). Each cadence, 3
    /// whole rings, pink or white line noise at several levels, through the telephone: the count
    /// stays exact.
    @Test(arguments: cadences)
    func ringCountIsExactOverLineNoise(cadence: Cadence) throws {
        for rms in [0.001, 0.002, 0.003] { for pink in [true, false] {
            let (wide, _) = Self.call(cadence, fullRings: 3, partialSeconds: 0, lineNoiseRMS: rms, pink: pink)
            // Through the telephone (8 kHz, 300–3400 Hz, µ-law), as the fixture calls are.
            let buffer = AudioBuffer(sampleRateHz: 8_000, channels: wide.channels.map { Telephone.narrowband($0, sampleRateHz: Self.rate) })
            let analysis = try CallAnalyzer.analyze(buffer: buffer)
            #expect(analysis.conversation?.ringCount == 3,
                    "\(cadence.name), \(pink ? "pink" : "white") line noise rms \(rms): \(String(describing: analysis.conversation?.ringCount))")
        } }
    }
}
