import DSP
import Foundation
import SpeechAnalysis
import Testing
import TestSupport

/// Issue 17: the syllable count should not depend on where the recording starts within one frame
/// hop (10 ms). Every speech fixture, clean and at tempo 1.35 (WSOLA), is started 0, 1, …, 9 ms
/// later (its own first milliseconds repeated in front, its truth segments moved by as much), and
/// its nuclei are counted at each start: per clip the spread (max − min over the ten starts) and
/// how many of the nine later starts change the count, per language and per source (n = clips);
/// and, against the truth, the median abs. % error over the clips at each start.
///
/// It does not hold yet: 17 of the 27 clips move (clean; 21 at 1.35×), by up to 3 (4) nuclei,
/// because the frame envelope itself moves with the phase (the 40 ms window's band levels carry
/// modulation up to 75 Hz and alias at the 10 ms hop; a 5 ms hop halves the spread in a study;
/// candidate peaks move by 0.06 dB median,
/// 0.20 dB p90; the lows between them by 0.08 / 0.47 dB), which carries dips within a few tenths of
/// a dB of the 1.5 dB criterion across it, and because the second pass's σ = 0.07·d follows the
/// median nucleus interval d read on the 10 ms grid (docs/accuracy.md, issue 17, "The count and
/// the frame phase"). The bounds are today's level (a regression bound, not a target).
@Suite("Rate frame phase") struct RatePhaseTests {
    static let all = (try? RateFixture.all()) ?? []
    static let shiftsMilliseconds = Array(0...9)

    /// The fixture started `milliseconds` later: its first `milliseconds` of audio repeated in
    /// front of `samples` (already at the tempo that `timeScale` undoes), its segments moved.
    static func shifted(_ f: RateFixture, samples x: [Float], timeScale: Double, milliseconds: Int) -> (RateFixture, [Float]) {
        let n = milliseconds * f.sampleRateHz / 1000
        let shiftSeconds = Double(n) / Double(f.sampleRateHz)
        var g = f
        g.segments = f.segments.map { Segment(start: $0.start * timeScale + shiftSeconds, end: $0.end * timeScale + shiftSeconds) }
        return (g, Array(x.prefix(n)) + x)
    }

    struct Spread {
        var source: String, language: SpeechLanguage
        /// Nuclei at each start.
        var nuclei: [Int]
        /// Count in the truth's unit (morae for Japanese) at each start, and the truth.
        var counts: [Int], truth: Int
        var range: Int { nuclei.max()! - nuclei.min()! }
        var changed: Int { nuclei.dropFirst().filter { $0 != nuclei[0] }.count }
    }

    static func spreads(speed: Double) -> [Spread] {
        all.map { f in
            let x = speed == 1 ? f.samples : TimeScaling.timeScaled(f.samples, sampleRateHz: f.sampleRateHz, speed: speed)
            let d = shiftsMilliseconds.map { ms in
                let (g, y) = shifted(f, samples: x, timeScale: 1 / speed, milliseconds: ms)
                return g.detected(samples: y)
            }
            return Spread(source: Fixtures.source(f.stem), language: f.language,
                          nuclei: d.map(\.measures.syllableCount), counts: d.map(\.count), truth: f.trueCount)
        }
    }

    /// Prints the figures; returns (largest spread, mean spread, starts changing the count, range of
    /// the all-clip median abs. % error over the starts).
    static func report(_ name: String, _ s: [Spread]) -> (maxSpread: Int, meanSpread: Double, changed: Int, errorRange: Double) {
        for (spread, f) in zip(s, all) where spread.range > 0 {
            print("rate phase \(name) \(f.stem): \(spread.nuclei.map(String.init).joined(separator: " ")) (true \(f.trueCount))")
        }
        var groups: [String: [Spread]] = [:]
        for x in s { for key in [x.language.rawValue, x.source, "all"] { groups[key, default: []].append(x) } }
        for (key, g) in groups.sorted(by: { $0.key < $1.key }) {
            let ranges = g.map(\.range)
            let relative = 100 * g.reduce(0.0) { $0 + Double($1.range) / Double(max(1, $1.nuclei.min()!)) } / Double(g.count)
            let errors = shiftsMilliseconds.indices.map { k in RateStatistics.medianAPE(g.map { ($0.counts[k], $0.truth) }) }
            print(String(format: "rate phase %@ %@ (n %d): spread max %d, mean %.2f (%.1f %% of the count); clips moving %d; starts changing the count %d of %d; median abs. %% error over the starts %.1f…%.1f",
                         name, key, g.count, ranges.max()!, Double(ranges.reduce(0, +)) / Double(g.count), relative,
                         ranges.filter { $0 > 0 }.count, g.reduce(0) { $0 + $1.changed }, g.count * (shiftsMilliseconds.count - 1),
                         errors.min()!, errors.max()!))
        }
        let errors = shiftsMilliseconds.indices.map { k in RateStatistics.medianAPE(s.map { ($0.counts[k], $0.truth) }) }
        return (s.map(\.range).max()!, Double(s.map(\.range).reduce(0, +)) / Double(s.count),
                s.reduce(0) { $0 + $1.changed }, errors.max()! - errors.min()!)
    }

    @Test(.disabled(if: Sanitizer.isActive, "accuracy sweep")) func countSpreadOverSubHopShifts() throws {
        try #require(Self.all.count >= 20)
        let clean = Self.report("clean", Self.spreads(speed: 1))
        let fast = Self.report("1.35×", Self.spreads(speed: 1.35))
        // Today's level (27 clips, analysisVersion 13): clean max 3, mean 1.00, 96 of 243 starts
        // change the count, the median abs. % error 3.2…4.8 over the starts; 1.35× max 4, mean 1.00,
        // 99 of 243, 5.6…8.3 %. Regression bounds, not targets.
        #expect(clean.maxSpread <= 3 && fast.maxSpread <= 4)            // nuclei
        #expect(clean.meanSpread <= 1.1 && fast.meanSpread <= 1.1)      // nuclei per clip
        #expect(clean.changed <= 105 && fast.changed <= 110)            // of 243 starts
        #expect(clean.errorRange <= 2 && fast.errorRange <= 3.5)        // percentage points (1.6 / 2.7)
    }
}
