// voiceqa-bench: generates long test recordings, analyses each in a child process on one
// core, and prints × realtime and peak memory. `make bench` runs it; nothing here is a test.
import AudioIO
import CallAnalysis
import CSndFile
import DSP
import Foundation
import Glibc
import SpeechAnalysis

struct BenchFile {
    var name: String
    var fileExtension: String
    var sfFormat: Int32
    var sampleRateHz: Int
    var channelCount: Int
    var durationSeconds: Double
}

/// Speech-like test signal, generated in blocks: turns of voiced "syllables" (a wavetable
/// harmonic source at a gliding F0, 4–5 Hz syllable envelope) separated by pauses, the two
/// channels taking turns, over a −60 dBFS noise floor. Seeded, so every run writes the same file.
func generate(_ spec: BenchFile, to path: String, seed firstSeed: UInt64 = 12345) throws {
    var info = SF_INFO(frames: 0, samplerate: Int32(spec.sampleRateHz), channels: Int32(spec.channelCount),
                       format: spec.sfFormat, sections: 0, seekable: 0)
    guard let handle = sf_open(path, Int32(SFM_WRITE), &info) else {
        throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: String(cString: sf_strerror(nil))])
    }
    defer { sf_close(handle) }
    let rate = Double(spec.sampleRateHz)
    let table: [Float] = (0..<1024).map { i in
        let x = Double(i) / 1024
        var v = 0.0
        for h in 1...12 { v += sin(2 * .pi * Double(h) * x) / Double(h) }   // sawtooth-like source
        return Float(v * 0.3)
    }
    var seed = firstSeed
    func random() -> Double { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Double(seed >> 11) / Double(1 << 53) }
    let total = Int(spec.durationSeconds * rate)
    let block = 8192
    var interleaved = [Float](repeating: 0, count: block * spec.channelCount)
    var phase = [Double](repeating: 0, count: spec.channelCount)
    var speaker = 0, turnLeft = Int(2 * rate), pauseLeft = 0
    var t = 0
    while t < total {
        let n = min(block, total - t)
        for i in 0..<n {
            if pauseLeft > 0 { pauseLeft -= 1 } else {
                turnLeft -= 1
                if turnLeft <= 0 {
                    pauseLeft = Int((0.3 + 1.5 * random()) * rate)
                    turnLeft = Int((1 + 4 * random()) * rate)
                    if random() < 0.6 { speaker = (speaker + 1) % spec.channelCount }
                }
            }
            let time = Double(t + i) / rate
            for c in 0..<spec.channelCount {
                var v = Float((random() - 0.5) * 0.002)
                if pauseLeft == 0 && c == speaker {
                    let f0 = (c == 0 ? 190.0 : 120.0) * (1 + 0.1 * sin(2 * .pi * 0.7 * time))
                    phase[c] += f0 / rate
                    if phase[c] >= 1 { phase[c] -= 1 }
                    let envelope = Float(0.5 + 0.5 * sin(2 * .pi * 4.5 * time))
                    v += table[Int(phase[c] * 1024) & 1023] * envelope * 0.5
                }
                interleaved[i * spec.channelCount + c] = v
            }
        }
        _ = interleaved.withUnsafeBufferPointer { sf_writef_float(handle, $0.baseAddress, sf_count_t(n)) }
        t += n
    }
}

/// Peak resident set of this process so far, MB, and its CPU time (user + system), seconds.
/// Each child reports its own; CPU time stays meaningful when other work shares the machine.
func usageSoFar() -> (peakMB: Double, cpuSeconds: Double) {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    return (Double(usage.ru_maxrss) / 1024, cpu)
}

/// The foundation alone: decode, one front end per channel (no pitch observer), speech activity.
func foundation(path: String) throws -> Double {
    let reader = try AudioFileReader(path: path)
    let rate = Double(reader.info.sampleRateHz)
    let frontEnds = (0..<reader.info.channelCount).map { _ in
        ChannelFrontEnd(sampleRateHz: rate, measurePlans: true, expectedFrames: reader.info.declaredFrameCount / max(1, Int((rate * 0.01).rounded())))
    }
    let activity = SpeechActivityStream(timeBase: frontEnds[0].timeBase, channelCount: frontEnds.count)
    for (c, fe) in frontEnds.enumerated() { fe.bandObservers.append(activity.input(channel: c)) }
    while true {
        let n = try reader.readBlock()
        if n == 0 { break }
        for c in 0..<frontEnds.count {
            reader.channelBlocks[c].withUnsafeBufferPointer { frontEnds[c].consume(UnsafeBufferPointer(rebasing: $0[0..<n])) }
        }
    }
    for fe in frontEnds { _ = fe.finish() }
    _ = activity.finish()
    return Double(reader.framesRead) / rate
}

// Child mode: analyse one file, print the wall time.
let arguments = CommandLine.arguments
if arguments.count == 3 && arguments[1] == "--foundation" {
    let start = Date()
    do {
        let audioSeconds = try foundation(path: arguments[2])
        let u = usageSoFar()
        print(String(format: "%.4f %.3f %.1f %.4f", Date().timeIntervalSince(start), audioSeconds, u.peakMB, u.cpuSeconds))
    } catch {
        FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}
if arguments.count == 3 && arguments[1] == "--one" {
    var options = AnalysisOptions.standard
    options.measureFFTPlans = true
    let start = Date()
    do {
        let analysis = try CallAnalyzer.analyze(path: arguments[2], options: options)
        let seconds = Date().timeIntervalSince(start)
        let u = usageSoFar()
        print(String(format: "%.4f %.3f %.1f %.4f", seconds, analysis.audio.durationSeconds, u.peakMB, u.cpuSeconds))
    } catch {
        FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}

if arguments.count == 2 && arguments[1] == "--audit" { try auditBenchmark(); exit(0) }
if arguments.count == 2 && arguments[1] == "--queue" { try queueBenchmark(); exit(0) }

let hours = Double(ProcessInfo.processInfo.environment["BENCH_HOURS"] ?? "1") ?? 1
let specs = [
    BenchFile(name: "stereo 8 kHz PCM16 WAV", fileExtension: "wav", sfFormat: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16),
              sampleRateHz: 8000, channelCount: 2, durationSeconds: hours * 3600),
    BenchFile(name: "stereo 8 kHz mu-law WAV", fileExtension: "wav", sfFormat: Int32(SF_FORMAT_WAV | SF_FORMAT_ULAW),
              sampleRateHz: 8000, channelCount: 2, durationSeconds: hours * 3600),
    BenchFile(name: "mono 16 kHz FLAC", fileExtension: "flac", sfFormat: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16),
              sampleRateHz: 16000, channelCount: 1, durationSeconds: hours * 3600),
]
let dir = URL(fileURLWithPath: ProcessInfo.processInfo.environment["BENCH_DIR"] ?? "bench-out")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
// `--floor`: only the floor table (for the joined call and the generated files already there) and
// callgrind's stages.
if arguments.count == 2 && arguments[1] == "--floor" {
    try realSpeechBenchmark(syntheticFiles: specs.enumerated().compactMap { k, spec in
        let path = dir.appendingPathComponent("bench\(k).\(spec.fileExtension)").path
        return FileManager.default.fileExists(atPath: path) ? (spec.name, path) : nil
    })
    exit(0)
}
print(String(format: "VoiceQA benchmark: %.2f h per file, analysis on one core (release build, FFTW_MEASURE plans)", hours))
print("stage       file                        audio s   wall s  × realtime    CPU s  × realtime (CPU)  peak MB")
for stage in ["foundation", "full"] {
for (k, spec) in specs.enumerated() {
    let path = dir.appendingPathComponent("bench\(k).\(spec.fileExtension)").path
    if !FileManager.default.fileExists(atPath: path) { try generate(spec, to: path) }
    var best = Double.infinity, bestCPU = Double.infinity, audioSeconds = 0.0, peakMB = 0.0
    for _ in 0..<3 {   // best of 3: the machine may be shared
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = [stage == "full" ? "--one" : "--foundation", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let fields = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard process.terminationStatus == 0, fields.count == 4 else { print("\(spec.name): failed"); exit(1) }
        best = min(best, fields[0])
        audioSeconds = fields[1]
        peakMB = max(peakMB, fields[2])
        bestCPU = min(bestCPU, fields[3])
    }
    let label = stage.padding(toLength: 11, withPad: " ", startingAt: 0) + " "
        + spec.name.padding(toLength: 26, withPad: " ", startingAt: 0)
    print(label + String(format: " %8.0f %8.3f %11.0f %8.3f %16.0f %8.1f",
                 audioSeconds, best, audioSeconds / best, bestCPU, audioSeconds / bestCPU, peakMB))
}
}
print("foundation = decode + front end + speech activity; full = every measure and the report's analysis")
try realSpeechBenchmark(syntheticFiles: specs.enumerated().map { k, spec in
    (spec.name, dir.appendingPathComponent("bench\(k).\(spec.fileExtension)").path)
})
if ProcessInfo.processInfo.environment["BENCH_AUDIT"] != "0" { try auditBenchmark() }
