import Foundation
import Rubric
import SpeechAnalysis

/// The timeline: both channels' speech and the call's events, with the agent's pitch, both
/// channels' loudness and the agent's rate per utterance aligned under it on one time axis.
///
/// Long calls are cut into rows of equal span (5, 10, 15, 20, 30 or 60 minutes, the shortest that
/// gives at most 12 rows), all on the same scale, so a second is as wide in every row and the page
/// prints without a zoom control. Series are decimated for the page: the pitch track to one median
/// per bin of 1/450 of a row (at least 20 ms) over the agent's speech segments only, loudness kept at
/// its one value per second.
extension Builder {
    /// Geometry of a row, in SVG user units.
    enum Row {
        static let width = 1000.0, x0 = 96.0, plotWidth = 896.0
        static let markerY = 8.0, axisY = 26.0
        static let agentY = 38.0, customerY = 70.0, laneHeight = 20.0
        static let pitchY = 106.0, pitchHeight = 60.0, pitchRangeSemitones = 12.0
        static let loudY = 180.0, loudHeight = 48.0, loudTopLUFS = -10.0, loudBottomLUFS = -60.0
        static let rateY = 242.0, rateHeight = 50.0, rateTop = 10.0
        static let height = 300.0
        static let pitchBinsPerRow = 450.0, minimumPitchBinSeconds = 0.02
    }

    /// Seconds per row for a call of `duration` seconds.
    static func rowSpan(_ duration: Double) -> Double {
        if duration <= 360 { return max(duration, 1) }
        for minutes in [5.0, 10, 15, 20, 30, 60] where (duration / (minutes * 60)).rounded(.up) <= 12 { return minutes * 60 }
        return (duration / 12).rounded(.up)
    }

    static func tickStep(_ span: Double) -> Double {
        for step in [1.0, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600] where span / step <= 12 { return step }
        return 7200
    }

    func timeline() -> String {
        let duration = report.audio.durationSeconds
        let span = Self.rowSpan(duration)
        let rowCount = max(1, Int((duration / span).rounded(.up)))
        var out = "<section class=\"timeline\"><h2>\(E.text(text("timeline.heading")))</h2>"
        out += "<p class=\"small muted\"><span class=\"hint\">\(E.text(text("timeline.hint")))</span>"
        if rowCount > 1 { out += " " + E.text(text("timeline.rows", ["minutes": span / 60])) }
        out += "</p>\n"
        let data = TimelineData(report: report)
        if data.agentTrack == nil { out += "<p class=\"note\">\(E.text(text("note.noPitchTrack")))</p>\n" }
        if !data.hasLoudness { out += "<p class=\"note\">\(E.text(text("note.noSeries")))</p>\n" }
        for r in 0..<rowCount {
            out += row(data, start: Double(r) * span, span: span, end: min(duration, Double(r + 1) * span))
        }
        out += legend(data)
        return out + "</section>\n"
    }

    func row(_ d: TimelineData, start: Double, span: Double, end: Double) -> String {
        typealias R = Row
        let n = PageStyle.n
        func x(_ t: Double) -> Double { R.x0 + (min(max(t, start), start + span) - start) / span * R.plotWidth }
        func w(_ a: Double, _ b: Double) -> Double { max(0.6, x(b) - x(a)) }
        func inRow(_ a: Double, _ b: Double) -> Bool { b >= start && a <= end }
        var s = "<svg class=\"row\" viewBox=\"0 0 \(n(R.width)) \(n(R.height))\" data-start=\"\(n(start))\" data-span=\"\(n(span))\" data-x0=\"\(n(R.x0))\" data-w=\"\(n(R.plotWidth))\" role=\"img\" aria-label=\"\(E.attribute(text("timeline.heading"))) \(PageText.clock(start))–\(PageText.clock(end))\">"
        // Background bands spanning both lanes: rings, holds, dead air (clickable).
        let bandTop = R.agentY - 4, bandHeight = R.customerY + R.laneHeight + 4 - bandTop
        func band(_ a: Double, _ b: Double, fill: String, key: String, mark: String, pattern: String? = nil) -> String {
            guard inRow(a, b) else { return "" }
            let label = "\(text(key)) \(PageText.clock(a))–\(PageText.clock(b))"
            return "<rect class=\"mk-\(mark)\" x=\"\(n(x(a)))\" y=\"\(n(bandTop))\" width=\"\(n(w(a, b)))\" height=\"\(n(bandHeight))\" fill=\"\(pattern ?? fill)\" data-t=\"\(PageText.fixed(a, decimals: 3))\"><title>\(E.text(label))</title></rect>"
        }
        s += "<defs><pattern id=\"hm\(n(start))\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\"><rect width=\"6\" height=\"6\" fill=\"#e8dcf5\"/><path d=\"M0 6L6 0\" stroke=\"#8250df\" stroke-width=\"1\"/></pattern></defs>"
        // Axis.
        let step = Self.tickStep(span)
        var t = (start / step).rounded(.up) * step
        while t <= start + span + 1e-9 {
            let xt = x(t)
            s += "<line class=\"grid\" x1=\"\(n(xt))\" y1=\"\(n(R.axisY + 2))\" x2=\"\(n(xt))\" y2=\"\(n(R.rateY + R.rateHeight))\"/>"
            if t <= end + 1e-9 || t == start { s += "<text class=\"axis\" x=\"\(n(xt))\" y=\"\(n(R.axisY))\" text-anchor=\"middle\">\(PageText.clock(t))</text>" }
            t += step
        }
        // Lanes.
        s += "<text class=\"lbl\" x=\"\(n(R.x0 - 6))\" y=\"\(n(R.agentY + 14))\" text-anchor=\"end\">\(E.text(text("lane.agent")))</text>"
        s += "<text class=\"lbl\" x=\"\(n(R.x0 - 6))\" y=\"\(n(R.customerY + 14))\" text-anchor=\"end\">\(E.text(text("lane.customer")))</text>"
        func lanePath(_ segments: [Segment], y: Double, h: Double) -> String {
            var p = ""
            for seg in segments where inRow(seg.start, seg.end) {
                p += "M\(n(x(seg.start))) \(n(y))h\(n(w(seg.start, seg.end)))v\(n(h))h-\(n(w(seg.start, seg.end)))z"
            }
            return p
        }
        s += "<rect x=\"\(n(R.x0))\" y=\"\(n(R.agentY))\" width=\"\(n(x(end) - R.x0))\" height=\"\(n(R.laneHeight))\" fill=\"#eef3f8\"/>"
        s += "<rect x=\"\(n(R.x0))\" y=\"\(n(R.customerY))\" width=\"\(n(x(end) - R.x0))\" height=\"\(n(R.laneHeight))\" fill=\"#fbf2e9\"/>"
        // Rings, holds and dead air over the lanes' backgrounds, under the speech.
        for ring in d.rings { s += band(ring.start, ring.end, fill: "#fde2c8", key: "legend.ring", mark: "ring") }
        for h in d.holds {
            switch h.kind {
            case .music: s += band(h.start, h.end, fill: "", key: "legend.holdMusic", mark: "hold-music", pattern: "url(#hm\(n(start)))")
            case .tone: s += band(h.start, h.end, fill: "#d8c8f0", key: "legend.holdTone", mark: "hold-tone")
            case .silence: s += band(h.start, h.end, fill: "#e4e7eb", key: "legend.holdSilence", mark: "hold-silence")
            }
        }
        for a in d.deadAir { s += band(a.start, a.end, fill: "#fbd5d5", key: "legend.deadAir", mark: "dead-air") }
        let agentPath = lanePath(d.agentSegments, y: R.agentY, h: R.laneHeight)
        if !agentPath.isEmpty { s += "<path class=\"mk-speech-agent\" d=\"\(agentPath)\" fill=\"\(PageStyle.agentColour)\"/>" }
        let customerPath = lanePath(d.customerSegments, y: R.customerY, h: R.laneHeight)
        if !customerPath.isEmpty { s += "<path class=\"mk-speech-customer\" d=\"\(customerPath)\" fill=\"\(PageStyle.customerColour)\"/>" }
        let overlapPath = lanePath(d.overlaps, y: R.agentY + R.laneHeight + 2, h: R.customerY - R.agentY - R.laneHeight - 4)
        if !overlapPath.isEmpty { s += "<path class=\"mk-overlap\" d=\"\(overlapPath)\" fill=\"\(PageStyle.overlapColour)\"/>" }
        // Greeting: a bracket over the agent lane.
        if let g = d.greeting, inRow(g.start, g.end) {
            s += "<path class=\"mk-greeting\" d=\"M\(n(x(g.start))) \(n(R.agentY - 1))v-4h\(n(w(g.start, g.end)))v4\" fill=\"none\" stroke=\"#1a7f37\" stroke-width=\"2\" data-t=\"\(PageText.fixed(g.start, decimals: 3))\"><title>\(E.text(text("legend.greeting") + " " + PageText.clock(g.start)))</title></path>"
        }
        // Filled pauses: amber dots on the agent lane.
        for f in d.filledPauses where inRow(f.start, f.end) {
            s += "<circle class=\"mk-filled-pause\" cx=\"\(n((x(f.start) + x(f.end)) / 2))\" cy=\"\(n(R.agentY + R.laneHeight / 2))\" r=\"4\" fill=\"#f2c744\" stroke=\"#7a5a00\" stroke-width=\"1\" data-t=\"\(PageText.fixed(f.start, decimals: 3))\"><title>\(E.text(text("legend.filledPause") + " " + PageText.clock(f.start)))</title></circle>"
        }
        // Backchannels: small diamonds at the bottom of the speaker's lane.
        for b in d.backchannels where inRow(b.time, b.time) {
            let y = (b.by == .agent ? R.agentY : R.customerY) + R.laneHeight
            let xb = x(b.time)
            s += "<path class=\"mk-backchannel-\(b.by.rawValue)\" d=\"M\(n(xb)) \(n(y - 7))l4 4l-4 4l-4-4z\" fill=\"#fff\" stroke=\"#24292f\" stroke-width=\"1.2\" data-t=\"\(PageText.fixed(b.time, decimals: 3))\"><title>\(E.text(text("legend.backchannel") + " " + PageText.clock(b.time)))</title></path>"
        }
        // Interruptions: a triangle above the interrupter's lane, in the overlap colour.
        for i in d.interruptions where inRow(i.time, i.time) {
            let y = i.by == .agent ? R.agentY - 2 : R.customerY - 2
            let xi = x(i.time)
            let key = i.by == .agent ? "legend.interruptionAgent" : "legend.interruptionCustomer"
            s += "<path class=\"mk-interruption-\(i.by.rawValue)\" d=\"M\(n(xi - 6)) \(n(y - 9))h12l-6 9z\" fill=\"\(PageStyle.overlapColour)\" stroke=\"#fff\" stroke-width=\"1\" data-t=\"\(PageText.fixed(i.time, decimals: 3))\"><title>\(E.text(text(key) + " " + PageText.clock(i.time)))</title></path>"
        }
        // Moments to coach: numbered markers on the axis.
        var placed: [Double] = []
        for (k, m) in summary.moments.enumerated() {
            guard let e = m.evidence, inRow(e.start, e.start) else { continue }
            var xm = x(e.start)
            while placed.contains(where: { abs($0 - xm) < 15 }) { xm += 15 }   // moments at one time side by side
            placed.append(xm)
            s += "<g class=\"mk-moment\" data-t=\"\(PageText.fixed(e.start, decimals: 3))\"><circle cx=\"\(n(xm))\" cy=\"\(n(R.markerY))\" r=\"7\" fill=\"\(m.isMiss ? "#cf222e" : "#1a7f37")\"/><text x=\"\(n(xm))\" y=\"\(n(R.markerY + 3.5))\" text-anchor=\"middle\" font-size=\"10\" font-weight=\"700\" fill=\"#fff\">\(k + 1)</text><title>\(E.text(title(m.guideline)))</title></g>"
        }
        // Pitch panel.
        s += "<text class=\"lbl\" x=\"\(n(R.x0 - 6))\" y=\"\(n(R.pitchY + R.pitchHeight / 2 + 4))\" text-anchor=\"end\">\(E.text(text("panel.pitch")))</text>"
        let mid = R.pitchY + R.pitchHeight / 2
        func py(_ st: Double) -> Double { mid - max(-R.pitchRangeSemitones, min(R.pitchRangeSemitones, st)) / R.pitchRangeSemitones * (R.pitchHeight / 2) }
        s += "<line class=\"zero\" x1=\"\(n(R.x0))\" y1=\"\(n(mid))\" x2=\"\(n(x(end)))\" y2=\"\(n(mid))\"/>"
        for st in [-12.0, 12] {
            s += "<text class=\"axis\" x=\"\(n(R.x0 - 6))\" y=\"\(n(py(st) + (st > 0 ? 8 : -1)))\" text-anchor=\"end\">\(st > 0 ? "+" : "−")12</text>"
        }
        s += "<line class=\"grid\" x1=\"\(n(R.x0))\" y1=\"\(n(R.pitchY))\" x2=\"\(n(x(end)))\" y2=\"\(n(R.pitchY))\"/><line class=\"grid\" x1=\"\(n(R.x0))\" y1=\"\(n(R.pitchY + R.pitchHeight))\" x2=\"\(n(x(end)))\" y2=\"\(n(R.pitchY + R.pitchHeight))\"/>"
        if let track = d.agentTrack, let median = d.agentMedianHz {
            let bin = max(R.minimumPitchBinSeconds, span / R.pitchBinsPerRow)
            var path = "", pen = false
            var b = start
            while b < end {
                if let st = track.medianSemitones(from: b, to: min(end, b + bin), medianHz: median) {
                    path += (pen ? "L" : "M") + "\(n(x(b + bin / 2))) \(n(py(st)))"
                    pen = true
                } else { pen = false }
                b += bin
            }
            if !path.isEmpty { s += "<path class=\"mk-pitch\" d=\"\(path)\" fill=\"none\" stroke=\"\(PageStyle.agentColour)\" stroke-width=\"1.6\" stroke-linejoin=\"round\"/>" }
        }
        // Loudness panel.
        s += "<text class=\"lbl\" x=\"\(n(R.x0 - 6))\" y=\"\(n(R.loudY + R.loudHeight / 2 + 4))\" text-anchor=\"end\">\(E.text(text("panel.loudness")))</text>"
        func ly(_ v: Double) -> Double {
            let f = (max(R.loudBottomLUFS, min(R.loudTopLUFS, v)) - R.loudBottomLUFS) / (R.loudTopLUFS - R.loudBottomLUFS)
            return R.loudY + R.loudHeight * (1 - f)
        }
        s += "<line class=\"grid\" x1=\"\(n(R.x0))\" y1=\"\(n(R.loudY))\" x2=\"\(n(x(end)))\" y2=\"\(n(R.loudY))\"/><line class=\"grid\" x1=\"\(n(R.x0))\" y1=\"\(n(R.loudY + R.loudHeight))\" x2=\"\(n(x(end)))\" y2=\"\(n(R.loudY + R.loudHeight))\"/>"
        s += "<text class=\"axis\" x=\"\(n(R.x0 - 6))\" y=\"\(n(R.loudY + 8))\" text-anchor=\"end\">\(Int(R.loudTopLUFS))</text><text class=\"axis\" x=\"\(n(R.x0 - 6))\" y=\"\(n(R.loudY + R.loudHeight))\" text-anchor=\"end\">\(Int(R.loudBottomLUFS))</text>"
        for (series, colour, dash, role) in [(d.customerLoudness, PageStyle.customerColour, " stroke-dasharray=\"4 2\"", "customer"), (d.agentLoudness, PageStyle.agentColour, "", "agent")] {
            guard let series else { continue }
            var path = "", pen = false
            let first = max(0, Int(start.rounded(.down))), last = min(series.count - 1, Int(end.rounded(.up)))
            if first <= last {
                for i in first...last {
                    if let v = series[i], v > R.loudBottomLUFS - 10 {
                        path += (pen ? "L" : "M") + "\(n(x(Double(i)))) \(n(ly(v)))"
                        pen = true
                    } else { pen = false }
                }
            }
            if !path.isEmpty { s += "<path class=\"mk-loudness-\(role)\" d=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.4\"\(dash)/>" }
        }
        // Rate panel: one bar per agent utterance at its rate; the target band shaded.
        s += "<text class=\"lbl\" x=\"\(n(R.x0 - 6))\" y=\"\(n(R.rateY + R.rateHeight / 2 + 4))\" text-anchor=\"end\">\(E.text(text("panel.rate")))</text>"
        func ry(_ v: Double) -> Double { R.rateY + R.rateHeight * (1 - min(max(v, 0), R.rateTop) / R.rateTop) }
        if let lo = d.rateBand?.0, let hi = d.rateBand?.1 {
            s += "<rect x=\"\(n(R.x0))\" y=\"\(n(ry(hi)))\" width=\"\(n(x(end) - R.x0))\" height=\"\(n(ry(lo) - ry(hi)))\" fill=\"#dafbe1\"/>"
        }
        s += "<line class=\"grid\" x1=\"\(n(R.x0))\" y1=\"\(n(R.rateY + R.rateHeight))\" x2=\"\(n(x(end)))\" y2=\"\(n(R.rateY + R.rateHeight))\"/>"
        s += "<text class=\"axis\" x=\"\(n(R.x0 - 6))\" y=\"\(n(R.rateY + 8))\" text-anchor=\"end\">\(Int(R.rateTop))</text>"
        var ratePath = ""
        for u in d.rateUnits where inRow(u.start, u.end) && u.end > u.start {
            let r = u.perSecond, y = ry(r)
            ratePath += "M\(n(x(u.start))) \(n(y))h\(n(w(u.start, u.end)))v\(n(R.rateY + R.rateHeight - y))h-\(n(w(u.start, u.end)))z"
        }
        if !ratePath.isEmpty { s += "<path class=\"mk-rate\" d=\"\(ratePath)\" fill=\"\(PageStyle.agentColour)\" fill-opacity=\"0.55\" stroke=\"\(PageStyle.agentColour)\" stroke-width=\"0.6\"/>" }
        s += "<line class=\"ph\" x1=\"0\" y1=\"\(n(R.agentY - 6))\" x2=\"0\" y2=\"\(n(R.rateY + R.rateHeight))\"/>"
        return s + "</svg>\n"
    }

    func legend(_ d: TimelineData) -> String {
        var items: [(String, String)] = [
            (PageStyle.swatch(PageStyle.agentColour), text("legend.agentSpeech")),
            (PageStyle.swatch(PageStyle.customerColour), text("legend.customerSpeech")),
            (PageStyle.swatch(PageStyle.overlapColour), text("legend.overlap")),
            (PageStyle.swatch(PageStyle.overlapColour, shape: "tri"), text("legend.interruptionAgent") + " / " + text("legend.interruptionCustomer")),
            ("<svg width=\"14\" height=\"12\" viewBox=\"0 0 14 12\" aria-hidden=\"true\"><path d=\"M7 1l5 5l-5 5l-5-5z\" fill=\"#fff\" stroke=\"#24292f\"/></svg>", text("legend.backchannel")),
            (PageStyle.swatch("#f2c744", shape: "dot"), text("legend.filledPause")),
            ("<svg width=\"16\" height=\"12\" viewBox=\"0 0 16 12\" aria-hidden=\"true\"><path d=\"M1 11V4h14v7\" fill=\"none\" stroke=\"#1a7f37\" stroke-width=\"2\"/></svg>", text("legend.greeting")),
            (PageStyle.swatch("#fbd5d5"), text("legend.deadAir")),
            ("<svg width=\"16\" height=\"12\" viewBox=\"0 0 16 12\" aria-hidden=\"true\"><rect x=\"1\" y=\"1\" width=\"14\" height=\"10\" fill=\"#e8dcf5\"/><path d=\"M1 11L11 1M6 11L15 2\" stroke=\"#8250df\"/></svg>", text("legend.holdMusic")),
            (PageStyle.swatch("#d8c8f0"), text("legend.holdTone")),
            (PageStyle.swatch("#e4e7eb"), text("legend.holdSilence")),
            (PageStyle.swatch("#fde2c8"), text("legend.ring")),
            (PageStyle.swatch(PageStyle.agentColour, shape: "line"), text("legend.pitch")),
            (PageStyle.swatch(PageStyle.agentColour, shape: "line"), text("legend.loudnessAgent")),
            (PageStyle.swatch(PageStyle.customerColour, shape: "dash"), text("legend.loudnessCustomer")),
            (PageStyle.swatch(PageStyle.agentColour), text("legend.rate", [:], ["unit": rateUnit])),
            (PageStyle.swatch("#dafbe1"), text("legend.rateBand")),
            ("<svg width=\"16\" height=\"14\" viewBox=\"0 0 16 14\" aria-hidden=\"true\"><circle cx=\"8\" cy=\"7\" r=\"6\" fill=\"#cf222e\"/><text x=\"8\" y=\"10.5\" text-anchor=\"middle\" font-size=\"9\" fill=\"#fff\">1</text></svg>", text("moments.heading")),
            (PageStyle.swatch("#111", shape: "vline"), text("legend.playhead")),
        ]
        if d.agentTrack == nil { items.removeAll { $0.1 == text("legend.pitch") } }
        let lis = items.map { "<li>\($0.0)<span>\(E.text($0.1))</span></li>" }.joined()
        return "<h3 class=\"small\">\(E.text(text("legend.heading")))</h3><ul class=\"legend\">\(lis)</ul>\n"
    }
}

/// What the timeline draws, taken from the report once.
struct TimelineData {
    struct RateUnit { var start: Double, end: Double, perSecond: Double }
    struct Track {
        var hopSeconds: Double, startSeconds: Double, hz: [Double]
        /// Median F0 of the voiced frames in [a, b), in semitones re `medianHz`; nil without a voiced frame.
        func medianSemitones(from a: Double, to b: Double, medianHz: Double) -> Double? {
            let i0 = max(0, Int(((a - startSeconds) / hopSeconds).rounded(.up))), i1 = min(hz.count, Int(((b - startSeconds) / hopSeconds).rounded(.up)))
            guard i0 < i1 else { return nil }
            var voiced: [Double] = []
            voiced.reserveCapacity(i1 - i0)
            for i in i0..<i1 where hz[i] > 0 { voiced.append(hz[i]) }
            guard !voiced.isEmpty else { return nil }
            voiced.sort()
            return 12 * log2(voiced[voiced.count / 2] / medianHz)
        }
    }
    var agentSegments: [Segment] = [], customerSegments: [Segment] = [], overlaps: [Segment] = []
    var interruptions: [Conversation.Interruption] = [], backchannels: [Conversation.Backchannel] = []
    var deadAir: [Segment] = [], holds: [Conversation.Hold] = [], rings: [Conversation.Ring] = []
    var filledPauses: [Segment] = []
    var greeting: Segment?
    var agentTrack: Track?
    var agentMedianHz: Double?
    var agentLoudness: [Double?]?, customerLoudness: [Double?]?
    var rateUnits: [RateUnit] = []
    var rateBand: (Double, Double)?
    var hasLoudness: Bool { agentLoudness != nil || customerLoudness != nil }

    init(report: AnalysisReport) {
        let agent = report.channels.first { $0.role == .agent }, customer = report.channels.first { $0.role == .customer }
        agentSegments = agent?.speech.segments ?? []
        customerSegments = customer?.speech.segments ?? []
        overlaps = Self.intersections(agentSegments, customerSegments)
        if let c = report.conversation {
            interruptions = c.interruptions ?? []
            backchannels = c.backchannels ?? []
            deadAir = c.deadAir
            holds = c.holds
            rings = c.rings ?? []
            filledPauses = c.filledPauses?.items.map { Segment(start: $0.start, end: max($0.start, $0.end)) } ?? []
        }
        if let g = agent?.pitch?.greeting { greeting = Segment(start: g.start, end: max(g.start, g.end)) }
        if let p = agent?.pitch, let t = p.track, t.hopSeconds > 0 {
            // Only the agent's speech: the tracker also follows music on hold, which is not the agent's voice.
            var hz = [Double](repeating: 0, count: t.hz.count)
            for seg in agentSegments {
                let a = max(0, Int(((seg.start - t.startSeconds) / t.hopSeconds).rounded(.up)))
                let b = min(t.hz.count, Int(((seg.end - t.startSeconds) / t.hopSeconds).rounded(.down)) + 1)
                if a < b { for i in a..<b { hz[i] = t.hz[i] } }
            }
            agentTrack = Track(hopSeconds: t.hopSeconds, startSeconds: t.startSeconds, hz: hz)
            agentMedianHz = p.medianHz > 0 ? p.medianHz : nil
        }
        agentLoudness = agent?.loudness?.shortTermLoudnessLUFS
        customerLoudness = customer?.loudness?.shortTermLoudnessLUFS
        rateUnits = (agent?.rate?.utterances ?? []).compactMap { u in
            let d = u.end - u.start
            return d > 0 ? RateUnit(start: u.start, end: u.end, perSecond: Double(u.syllableCount) / d) : nil
        }
        if let g = report.guidelines?.first(where: { $0.id == GuidelineID.slightlySlow.rawValue }),
           let t = CoachingSummary.thresholds(g, in: report) {
            if let rule = RateTarget(thresholds: t) {
                rateBand = (rule.passBandPerSecond.lowerBound, rule.passBandPerSecond.upperBound)
            } else if let lo = t["ratePassMinPerSecond"], let hi = t["ratePassMaxPerSecond"] {
                rateBand = (lo, hi)
            }
        }
    }

    /// Where both parties speak at once: the intersection of two sorted segment lists.
    static func intersections(_ a: [Segment], _ b: [Segment]) -> [Segment] {
        var out: [Segment] = []
        var i = 0, j = 0
        while i < a.count && j < b.count {
            let s = max(a[i].start, b[j].start), e = min(a[i].end, b[j].end)
            if e > s { out.append(Segment(start: s, end: e)) }
            if a[i].end < b[j].end { i += 1 } else { j += 1 }
        }
        return out
    }
}
