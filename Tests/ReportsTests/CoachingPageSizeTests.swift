import Foundation
import Reports
import Rubric
import SpeechAnalysis
import Testing
import TestSupport

/// Without embedded audio, the page of a one-hour stereo call stays under 1 MB: the pitch track is
/// decimated to 450 medians per timeline row and loudness kept at one value per second.
struct CoachingPageSizeTests {
    /// A one-hour report: a fixture call's report repeated back to back (every event, segment, track
    /// frame and loudness value shifted by the copy's start), as a long call would hold them.
    static func oneHour(from report: AnalysisReport) -> AnalysisReport {
        let period = report.audio.durationSeconds
        let copies = Int((3600 / period).rounded(.up))
        var long = report
        long.audio.durationSeconds = period * Double(copies)
        func tile<T>(_ items: [T], _ shift: (T, Double) -> T) -> [T] {
            (0..<copies).flatMap { k in items.map { shift($0, Double(k) * period) } }
        }
        func seg(_ s: Segment, _ d: Double) -> Segment { Segment(start: s.start + d, end: s.end + d) }
        for c in long.channels.indices {
            var ch = long.channels[c]
            ch.speech.segments = tile(ch.speech.segments, seg)
            ch.speech.pauses.items = tile(ch.speech.pauses.items, seg)
            if var p = ch.pitch {
                if var t = p.track {
                    let perCopy = Int((period / t.hopSeconds).rounded())
                    let one = Array(t.hz.prefix(perCopy)) + Array(repeating: 0, count: max(0, perCopy - t.hz.count))
                    t.hz = (0..<copies).flatMap { _ in one }
                    p.track = t
                }
                p.utterances = tile(p.utterances) { u, d in var u = u; u.start += d; u.end += d; return u }
                ch.pitch = p
            }
            if var r = ch.rate {
                r.utterances = tile(r.utterances) { u, d in var u = u; u.start += d; u.end += d; return u }
                ch.rate = r
            }
            if var l = ch.loudness, let series = l.shortTermLoudnessLUFS {
                let perCopy = Int(period.rounded(.down))
                let one = Array(series.prefix(perCopy)) + Array(repeating: nil, count: max(0, perCopy - series.count))
                l.shortTermLoudnessLUFS = (0..<copies).flatMap { _ in one }
                ch.loudness = l
            }
            long.channels[c] = ch
        }
        if var c = long.conversation {
            c.interruptions = c.interruptions.map { tile($0) { i, d in var i = i; i.time += d; return i } }
            c.backchannels = c.backchannels.map { tile($0) { b, d in var b = b; b.time += d; return b } }
            c.deadAir = tile(c.deadAir, seg)
            c.holds = tile(c.holds) { h, d in var h = h; h.start += d; h.end += d; return h }
            if var l = c.responseLatency {
                l.items = tile(l.items) { i, d in var i = i; i.customerEnd += d; i.agentStart += d; return i }
                c.responseLatency = l
            }
            if var f = c.filledPauses {
                f.items = tile(f.items) { i, d in var i = i; i.start += d; i.end += d; return i }
                c.filledPauses = f
            }
            long.conversation = c
        }
        if var guidelines = long.guidelines {
            for g in guidelines.indices {
                guidelines[g].evidence = tile(guidelines[g].evidence) { e, d in var e = e; e.start += d; e.end += d; return e }
            }
            long.guidelines = guidelines
        }
        return long
    }

    @Test(arguments: [3600.0, 3739.9])
    func aOneHourCallsPageIsUnderOneMegabyte(durationSeconds: Double) throws {
        var long = Self.oneHour(from: try CoachingFixture.report("devcall_mixed_03"))   // 31 × 120.6 s
        long.audio.durationSeconds = min(long.audio.durationSeconds, durationSeconds)
        let hz = try #require(long.channels.first { $0.role == .agent }?.pitch?.track?.hz)
        #expect(hz.count >= 360_000)   // 10 ms frames for the hour
        let clock = ContinuousClock()
        var html = ""
        let elapsed = clock.measure { html = CoachingPage.html(for: long, pageLanguage: .zh, audio: .link(relativePath: "call.wav")) }
        let bytes = html.utf8.count
        print("\(durationSeconds) s call: page of \(bytes) bytes, rendered in \(elapsed) (this build)")
        #expect(bytes < 1_000_000)
        // Kept for people to look at (docs/report.md): .build/report-screenshots/one-hour-*.html.
        let folder = Fixtures.root.deletingLastPathComponent().appendingPathComponent(".build/report-screenshots")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? Data(html.utf8).write(to: folder.appendingPathComponent("one-hour-\(Int(durationSeconds)).html"))
        // Rows of equal span, at most 12: 5-minute rows for the hour, 10-minute rows just past it.
        let rowMinutes = durationSeconds <= 3600 ? 5 : 10
        let rows = Int((durationSeconds / Double(rowMinutes * 60)).rounded(.up))
        #expect(html.components(separatedBy: "<svg class=\"row\"").count - 1 == rows)
        #expect(html.components(separatedBy: "data-span=\"\(rowMinutes * 60)\"").count - 1 == rows)
    }
}
