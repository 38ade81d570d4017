import AudioIO
import DSP
import Foundation
import SpeechAnalysis
import TestSupport

/// One speech fixture prepared for the rate tests.
struct RateFixture {
    var stem: String
    var language: SpeechLanguage
    var samples: [Float]
    var sampleRateHz: Int
    /// Ground-truth speech segments of the clip; the whole clip where they leave out speech
    /// (`Fixtures.truthLeavesOutSpeech`): the true count is of the whole utterance.
    var segments: [Segment]
    /// True syllables (morae for Japanese).
    var trueCount: Int

    static func all() throws -> [RateFixture] {
        try Fixtures.stems(in: "speech").map { stem in
            let truth = try Fixtures.truth("speech", stem)
            let audio = try AudioFileReader.readAll(path: Fixtures.audioPath("speech", stem))
            let language = SpeechLanguage(rawValue: String(stem.prefix(2))) ?? .en
            var segments = Fixtures.speechSegments(truth)[0].map { Segment(start: $0.0, end: $0.1) }
            if Fixtures.truthLeavesOutSpeech(stem) {  // count the whole utterance the true count is of
                segments = [Segment(start: 0, end: audio.durationSeconds)]
            }
            return RateFixture(stem: stem, language: language, samples: audio.channels[0],
                               sampleRateHz: Int(audio.sampleRateHz), segments: segments,
                               trueCount: truth["syllable_count"] as! Int)
        }
    }

    /// Detected count in the fixture's own unit (morae for Japanese), on `samples` at `rateHz`
    /// with the segments scaled by `timeScale` (output time = input time × timeScale).
    func detected(samples: [Float]? = nil, sampleRateHz: Int? = nil, timeScale: Double = 1) -> (count: Int, measures: RateMeasures) {
        let x = samples ?? self.samples
        let rate = sampleRateHz ?? self.sampleRateHz
        let frontEnd = ChannelFrontEnd(sampleRateHz: Double(rate), retainBandLevels: true)
        frontEnd.consume(x)
        return detected(contours: frontEnd.finish(), timeScale: timeScale)
    }

    /// `detected(samples:sampleRateHz:timeScale:)` on contours already computed (a front end with
    /// `retainBandLevels`), for studies that read activity from the same contours.
    func detected(contours: ChannelContours, timeScale: Double = 1) -> (count: Int, measures: RateMeasures) {
        let speech = segments.map { Segment(start: $0.start * timeScale, end: $0.end * timeScale) }
        let settings = try! RateSettings(language: language)
        let m = SpeakingRate.measure(contours, speech: speech, settings: settings)!
        return (language == .ja ? m.moraCount! : m.syllableCount, m)
    }
}

enum RateStatistics {
    static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for (x, y) in zip(a, b) { sab += (x - ma) * (y - mb); saa += (x - ma) * (x - ma); sbb += (y - mb) * (y - mb) }
        return sab / (saa * sbb).squareRoot()
    }

    /// Median absolute percentage error of detected vs true counts, %.
    static func medianAPE(_ pairs: [(detected: Int, truth: Int)]) -> Double {
        Statistics.median(pairs.map { 100 * abs(Double($0.detected - $0.truth)) / Double($0.truth) }) ?? .nan
    }
}
