import DSP
import Testing
import TestSupport
@testable import SpeechAnalysis

/// Issue 18, fifth round: the loops rewritten for speed against plain scalar twins. Each must
/// give exactly the twin's values, so the reports do not change.
@Suite(.disabled(if: Sanitizer.findsOnlyRaces, "twins run on one thread: nothing of their own for ThreadSanitizer"))
struct FifthRoundTwinTests {
    /// The clipping scan (sixteen samples at a time while all are quiet) against the scalar test
    /// per sample, on samples at and around the clip level, NaN, infinities, signed zeros and
    /// subnormals, fed in blocks of several lengths so runs cross block edges and the vector
    /// steps start at every alignment.
    @Test(arguments: [1, 7, 16, 17, 100, 4096])
    func clippingScanMatchesTheScalarTest(blockLength: Int) {
        var random = SeededRandom(seed: UInt64(blockLength) &+ 5)
        let clipLevel = Float(0.98855)
        let special: [Float] = [clipLevel, -clipLevel, clipLevel.nextDown, -clipLevel.nextDown, clipLevel.nextUp, 1, -1,
                                .nan, -Float.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, -.leastNormalMagnitude]
        var samples: [Float] = []
        for i in 0..<20_000 {
            let r = random.next() % 1000
            if r < 15 {
                samples.append(special[Int(random.next() % UInt64(special.count))])
            } else if r < 25 || (i % 3000 < 6) {
                samples.append(random.next() % 2 == 0 ? 1 : -1)     // runs of loud samples
            } else {
                samples.append(Float(Int(random.next() % 2001) - 1000) / 1001)
            }
        }
        // The twin: the scalar test, one sample at a time.
        var run = 0, clipped = 0
        for x in samples {
            if abs(x) >= clipLevel { run += 1 } else { if run >= 3 { clipped += run }; run = 0 }
        }
        var fastRun = 0, fastClipped = 0
        samples.withUnsafeBufferPointer { s in
            var start = 0
            while start < s.count {
                let n = min(blockLength, s.count - start)
                ChannelLevelMeter.clipping(s.baseAddress! + start, count: n, clipLevel: clipLevel, run: &fastRun, clipped: &fastClipped)
                start += n
            }
        }
        #expect(fastRun == run && fastClipped == clipped)
        #expect(clipped >= 30, "the signal holds clipped runs")
    }

    /// The noise floor's table of level powers against `Decibels.toPower`, for every finite
    /// half-precision level, on its first use (computed) and its second (read from the table).
    @Test func levelPowerTableMatchesPow() {
        let powers = HalfLevelPowers()
        var checked = 0
        for pass in 0..<2 {
            for bits in 0...UInt16.max {
                let level = Float16(bitPattern: bits)
                guard level.isFinite else { continue }
                let levelDB = HalfPrecision.float(level)
                let twin = Decibels.toPower(Double(levelDB))
                let fast = powers.power(of: level, levelDB: levelDB)
                #expect(fast.bitPattern == twin.bitPattern, "level \(levelDB) dB, pass \(pass)")
                checked += 1
            }
        }
        #expect(checked == 2 * 63_488)
    }

    /// The band noise floor on a chunk as long as the stream's (30,000 frames and the look-around),
    /// with long steady stretches (many equal codes: ties at the cursor) and jumps, against the
    /// pre-issue-18 strided loop.
    @Test func bandNoiseFloorOnAStreamChunkMatchesTheStridedLoop() {
        var random = SeededRandom(seed: 18)
        let frames = 30_000 + 2 * 358
        var codes: [UInt8] = []
        codes.reserveCapacity(frames * AnalysisBands.count)
        var level = [Int](repeating: 60, count: AnalysisBands.count)
        for i in 0..<frames {
            let speaking = (i / 150) % 3 != 0
            for b in 0..<AnalysisBands.count {
                if speaking {
                    level[b] = min(255, max(0, level[b] + Int(random.next() % 31) - 15))
                } else {
                    level[b] = 50 + b + Int(random.next() % 3)     // steady noise: ties
                }
                codes.append(UInt8(i % 7000 < 3 ? 255 : level[b]))
            }
        }
        let floor = BandNoiseFloor()
        var lift: [Int32] = []   // not compared here
        let fast = codes.withUnsafeBufferPointer { floor.floorCodes($0, frameCount: frames, lift: &lift) }
        let twin = codes.withUnsafeBufferPointer { SpeedTwinTests.referenceFloorCodes(floor, $0, frameCount: frames) }
        #expect(fast == twin)
    }
}
