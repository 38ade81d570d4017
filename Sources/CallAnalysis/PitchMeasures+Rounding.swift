import DSP
import SpeechAnalysis

extension PitchMeasures {
    /// Fixed precision for the report: Hz 0.01 (track 0.1, as Praat's reference tracks), semitones
    /// 0.001, seconds 0.001, slopes 0.001 st/s.
    func rounded() -> PitchMeasures {
        let st = { (x: Double) in Rounding.round(x, scale: 1000) }
        var r = self
        r.medianHz = Rounding.hz(medianHz)
        r.stdevSemitones = stdevSemitones.map(st)
        r.rangeSemitones = st(rangeSemitones)
        r.voicedSeconds = Rounding.seconds(voicedSeconds)
        r.track?.startSeconds = Rounding.seconds(track?.startSeconds ?? 0)
        r.track?.hopSeconds = Rounding.seconds(track?.hopSeconds ?? 0)
        r.track?.hz = track?.hz.map { Rounding.round($0, scale: 10) } ?? []
        r.utterances = utterances.map { u in
            var u = u
            u.start = Rounding.seconds(u.start); u.end = Rounding.seconds(u.end)
            u.voicedSeconds = Rounding.seconds(u.voicedSeconds)
            u.meanSemitonesReMedian = u.meanSemitonesReMedian.map(st)
            u.finalSlopeSemitonesPerSecond = u.finalSlopeSemitonesPerSecond.map(st)
            return u
        }
        if var g = greeting {
            g.start = Rounding.seconds(g.start); g.end = Rounding.seconds(g.end)
            g.riseSemitones = g.riseSemitones.map(st)
            g.endSemitonesReMedian = g.endSemitonesReMedian.map(st)
            g.meanSemitonesReMedian = g.meanSemitonesReMedian.map(st)
            r.greeting = g
        }
        return r
    }
}
