import DSP

/// Morae from syllable nuclei and their timing, for Japanese.
///
/// Japanese is mora-timed: morae tend towards equal duration (Port, Dalby & O'Dell 1987,
/// "Evidence for mora timing in Japanese", JASA 81(5):1574–1585; Han 1962). A heavy syllable —
/// a long vowel or vowel sequence (a long nucleus), a vowel followed by a moraic nasal (nasal
/// murmur after the nucleus) or by a geminate (a long closure) — therefore takes about one more
/// mora of time to the next nucleus than a light one. The same holds where two short morae
/// merge into one envelope peak (/a.i/, devoiced /ki/, /shi/).
///
/// Estimate: within each inter-pause unit, every interval Δ from one nucleus to the next adds
/// ⌊Δ / d⌋ morae beyond the nucleus itself, where d is the speaker's median nucleus-to-nucleus
/// interval in the channel: an interval at least as long as the typical one holds a second
/// mora. On the fixtures' read Japanese this adds about one mora per two nuclei, but the number
/// comes from the timing of each recording, not from a fixed factor. The cue is duration only: it does not tell a long vowel from a
/// moraic nasal or a geminate, it counts the time they take. Because d is the speaker's own
/// median, the estimate follows tempo (a slower speaker has a longer d). Fewer than 3 intervals
/// give no d, and then no extra morae.
public enum MoraEstimate {
    /// Morae in the units, given the nucleus times (ascending) and the units (ascending).
    /// Returns one mora count per unit.
    public static func moraCounts(nuclei: [Double], units: [Segment]) -> [Int] {
        var intervals: [Double] = []
        var perUnit: [[Double]] = []
        var k = 0  // nuclei and units ascend: one pass
        for u in units {
            while k < nuclei.count, nuclei[k] < u.start { k += 1 }
            var inUnit: [Double] = []
            while k < nuclei.count, nuclei[k] < u.end { inUnit.append(nuclei[k]); k += 1 }
            perUnit.append(inUnit)
            for (a, b) in zip(inUnit, inUnit.dropFirst()) { intervals.append(b - a) }
        }
        guard intervals.count >= 3, let d = Statistics.median(intervals), d > 0 else {
            return perUnit.map(\.count)
        }
        return perUnit.map { times in
            var morae = times.count
            for (a, b) in zip(times, times.dropFirst()) { morae += Int(((b - a) / d).rounded(.down)) }
            return morae
        }
    }
}
