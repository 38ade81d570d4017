import Foundation

/// Progress of a run on stderr: on a terminal one line redrawn in place (done / total, files per
/// second, × realtime, failures, ETA); otherwise a plain line every `plainIntervalSeconds`.
public final class Progress {
    let isTerminal: Bool
    let plainIntervalSeconds: Double
    let write: (String) -> Void
    var total = 0, done = 0, failed = 0, analysed = 0
    var audioSeconds = 0.0
    let clock = ContinuousClock()
    var started: ContinuousClock.Instant
    var lastDrawn: ContinuousClock.Instant

    public init(isTerminal: Bool, plainIntervalSeconds: Double = 5, write: @escaping (String) -> Void) {
        self.isTerminal = isTerminal
        self.plainIntervalSeconds = plainIntervalSeconds
        self.write = write
        started = clock.now; lastDrawn = clock.now
    }

    func begin(total: Int) { self.total = total; started = clock.now; lastDrawn = clock.now }

    func fileDone(failed isFailure: Bool, audioSeconds seconds: Double, skipped: Bool = false) {
        done += 1
        if isFailure { failed += 1 }
        if !isFailure && !skipped { analysed += 1 }
        audioSeconds += seconds
    }

    func tick() {
        let now = clock.now
        let since = WorkerPool.seconds(lastDrawn.duration(to: now))
        if isTerminal ? since >= 0.2 : since >= plainIntervalSeconds {
            lastDrawn = now
            write(isTerminal ? "\r\u{1B}[K" + line() : line() + "\n")
        }
    }

    func end() { if isTerminal { write("\r\u{1B}[K") } }

    func line() -> String {
        let elapsed = max(1e-9, WorkerPool.seconds(started.duration(to: clock.now)))
        let rate = Double(analysed) / elapsed
        let width = 24
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var text = "[\(bar)] \(done)/\(total) files, " + String(format: "%.1f files/s, %.0f× realtime", rate, audioSeconds / elapsed)
        text += ", \(failed) failed"
        if done > 0, done < total {
            let eta = elapsed / Double(done) * Double(total - done)
            text += ", ETA " + Self.clockText(eta)
        }
        return text
    }

    static func clockText(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
