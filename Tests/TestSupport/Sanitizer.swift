import Foundation

/// The suite runs twice more under AddressSanitizer and ThreadSanitizer (`make sanitize`, which
/// sets `VOICEQA_SANITIZER` to `address` or `thread`). Those runs look for memory and threading
/// faults, which need each code path once, not every voice, level, cadence and seed an accuracy
/// sweep repeats the same path on; under a sanitizer a sweep costs two to three times its plain
/// time. So:
/// - an accuracy sweep whose paths lighter tests also run is skipped there:
///   `@Test(.disabled(if: Sanitizer.isActive, "accuracy sweep"))`;
/// - a sweep that is the only test of a path (a twin of a C kernel, pieces against the whole call)
///   runs on `Sanitizer.few(_:_:)` of its inputs.
/// - a twin suite (an optimised form against its plain twin, each driven on one thread) is skipped
///   under ThreadSanitizer only (`@Suite(.disabled(if: Sanitizer.findsOnlyRaces, ...))`):
///   ThreadSanitizer reports data races, a twin's own objects live on one thread, and the shared
///   state it reaches (FFT plans, lookup tables) is reached in parallel by the suites that still
///   run there; AddressSanitizer still runs the twins on `few` inputs. They took about 6 min of
///   CPU under ThreadSanitizer (2026-12-05).
/// - a test whose volume serves timing rather than a path (repetitions for a race to show by its
///   timing, enough files for a run to outlast the polls that kill it) runs once there, or is
///   skipped where lighter tests run its paths there (`OutputHandOverTests`, `AuditCommandTests`);
/// - the built calls of the turn-taking and backchannel tests run on their first 2 seeds
///   (`TurnTakingSyntheticCallTests.seeds`); a figure over the whole set that a subset does not
///   hold (a recall over 18 placements) is asserted in the plain run only, what holds on any
///   subset (no backchannel counted as an interruption) in every run.
/// Every figure and target is asserted in the plain run (`make test`) on all of its inputs.
/// Apart from the sanitizers, tests that read the same fixture analysis share one
/// (`ActivityFixtureTests.fixtureCalls` within its suite, `FixtureCallAnalyses` across suites).
/// Measured CPU under ThreadSanitizer, suite by suite (2026-12-06, 2-core machine shared with
/// other builds): the last two rules and the shared analyses took the eight suites they touch
/// from 566 s to 281 s of the suite's 1159 s.
public enum Sanitizer {
    /// `address`, `thread`, or nil in a plain run.
    public static let name: String? = ProcessInfo.processInfo.environment["VOICEQA_SANITIZER"]
    public static var isActive: Bool { name != nil }
    /// True under ThreadSanitizer, which finds data races and nothing else.
    public static var findsOnlyRaces: Bool { name == "thread" }

    /// All of `items` in a plain run; under a sanitizer `count` of them spread over the list, the
    /// first and the last among them (for `count` 1, the last: the sweeps list their hardest case
    /// last).
    public static func few<T>(_ items: [T], _ count: Int) -> [T] {
        guard isActive, items.count > count, count > 0 else { return items }
        if count == 1 { return [items[items.count - 1]] }
        return (0..<count).map { items[$0 * (items.count - 1) / (count - 1)] }
    }
}
