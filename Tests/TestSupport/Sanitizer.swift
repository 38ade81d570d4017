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
/// Every figure and target is asserted in the plain run (`make test`) on all of its inputs.
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
