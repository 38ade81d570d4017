import AudioIO
import CSndFile
import Foundation
import Glibc

// The floor benchmark (issue 18): the `voiceqa analyze` process against the least work any analysis of
// the same frames must do (`voiceqa-floor`, Bench/floor.c: decode, deinterleave, per 10 ms frame
// per channel one windowed r2c, the power spectrum and one c2r), in CPU time of each process,
// and callgrind instruction counts per stage on a 5-minute excerpt of real speech.

/// CPU (user + system), wall time and peak resident set of one child process run to its end,
/// its standard output and error discarded. From `wait4`, so the figures are the child's own.
struct ChildUsage { var cpuSeconds: Double; var wallSeconds: Double; var peakMB: Double; var status: Int32 }

func runChild(_ executable: String, _ arguments: [String]) -> ChildUsage {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([executable] + arguments).map { strdup($0) }
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let start = Date()
    let spawned = (argv + [nil]).withUnsafeBufferPointer { p in
        posix_spawn(&pid, executable, &actions, nil, UnsafeMutablePointer(mutating: p.baseAddress!), environ)
    }
    guard spawned == 0 else { return ChildUsage(cpuSeconds: 0, wallSeconds: 0, peakMB: 0, status: -1) }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let wall = Date().timeIntervalSince(start)
    let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return ChildUsage(cpuSeconds: cpu, wallSeconds: wall, peakMB: Double(usage.ru_maxrss) / 1024, status: exited)
}

/// Best (least) CPU and wall of `runs` runs, and the largest peak RSS; nil when a run failed.
func bestOf(_ runs: Int, _ executable: String, _ arguments: [String]) -> ChildUsage? {
    var best = ChildUsage(cpuSeconds: .infinity, wallSeconds: .infinity, peakMB: 0, status: 0)
    for _ in 0..<runs {
        let u = runChild(executable, arguments)
        guard u.status == 0 else { return nil }
        best.cpuSeconds = min(best.cpuSeconds, u.cpuSeconds)
        best.wallSeconds = min(best.wallSeconds, u.wallSeconds)
        best.peakMB = max(best.peakMB, u.peakMB)
    }
    return best
}

/// A long stereo 8 kHz call of real speech: the recordings in `folder` (`Fixtures/calls`, all
/// stereo 8 kHz), in file-name order, joined end to end and repeated until `seconds`, written as
/// PCM16 WAV; the first `excerptSeconds` also to `excerptPath`. Deterministic: the same fixtures
/// give the same bytes. Files already there are kept.
func joinCalls(from folder: String, seconds: Double, to path: String,
               excerptSeconds: Double, excerptPath: String) throws {
    let fm = FileManager.default
    if fm.fileExists(atPath: path) && fm.fileExists(atPath: excerptPath) { return }
    let names = try fm.contentsOfDirectory(atPath: folder)
        .filter { $0.hasSuffix(".wav") || $0.hasSuffix(".flac") }.sorted()
    guard !names.isEmpty else {
        throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "no recordings in \(folder)"])
    }
    let rate = 8000, channels = 2
    func open(_ p: String) throws -> OpaquePointer {
        var info = SF_INFO(frames: 0, samplerate: Int32(rate), channels: Int32(channels),
                           format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), sections: 0, seekable: 0)
        guard let h = sf_open(p, Int32(SFM_WRITE), &info) else {
            throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: String(cString: sf_strerror(nil))])
        }
        return h
    }
    let whole = try open(path + ".part"), excerpt = try open(excerptPath + ".part")
    let total = Int(seconds * Double(rate)), excerptTotal = Int(excerptSeconds * Double(rate))
    var written = 0
    var interleaved = [Float](repeating: 0, count: 4096 * channels)
    repeatLoop: while true {
        for name in names {
            let reader = try AudioFileReader(path: folder + "/" + name)
            guard reader.info.sampleRateHz == rate, reader.info.channelCount == channels else {
                print("joined call: skipping \(name) (not stereo 8 kHz)"); continue
            }
            while true {
                let n = min(try reader.readBlock(), total - written)
                if n <= 0 { break }
                for c in 0..<channels {
                    for i in 0..<n { interleaved[i * channels + c] = reader.channelBlocks[c][i] }
                }
                interleaved.withUnsafeBufferPointer { p in
                    _ = sf_writef_float(whole, p.baseAddress, sf_count_t(n))
                    let e = min(n, excerptTotal - written)
                    if e > 0 { _ = sf_writef_float(excerpt, p.baseAddress, sf_count_t(e)) }
                }
                written += n
                if written >= total { break repeatLoop }
            }
        }
    }
    sf_close(whole)
    sf_close(excerpt)
    try? fm.removeItem(atPath: path)
    try? fm.removeItem(atPath: excerptPath)
    try fm.moveItem(atPath: path + ".part", toPath: path)
    try fm.moveItem(atPath: excerptPath + ".part", toPath: excerptPath)
}

/// Floor CPU, `voiceqa analyze` CPU and their ratio for each file, best of 3 each.
func floorBenchmark(files: [(name: String, path: String)], binDir: URL) {
    let floor = binDir.appendingPathComponent("voiceqa-floor").path
    let voiceqa = binDir.appendingPathComponent("voiceqa").path
    guard FileManager.default.isExecutableFile(atPath: floor), FileManager.default.isExecutableFile(atPath: voiceqa) else {
        print("floor benchmark skipped: \(floor) or \(voiceqa) is missing (make bench builds both)")
        return
    }
    print("")
    print("Floor and full analysis, one core (CPU = user + system of each process, best of 3; ratio = full / floor)")
    print("file                          audio s  floor CPU s  full CPU s   ratio  full wall s  full peak MB")
    for file in files {
        guard let f = bestOf(3, floor, [file.path]),
              let a = bestOf(3, voiceqa, ["analyze", "--jobs", "1", file.path]) else {   // one core: no pitch thread
            print("\(file.name): failed"); continue
        }
        let seconds = durationSeconds(file.path)
        print(file.name.padding(toLength: 28, withPad: " ", startingAt: 0)
              + String(format: " %8.0f %12.3f %11.3f %7.2f× %12.3f %13.1f", seconds, f.cpuSeconds, a.cpuSeconds,
                       a.cpuSeconds / f.cpuSeconds, a.wallSeconds, a.peakMB))
    }
    print("floor = Bench/floor.c: decode, deinterleave, per 10 ms frame per channel a 40 ms Hann window into one")
    print("FFTW r2c, the power spectrum and one c2r, with the product's FFT size and plan flags; full = voiceqa analyze --jobs 1 FILE")
}

func durationSeconds(_ path: String) -> Double {
    var info = SF_INFO()
    guard let h = sf_open(path, Int32(SFM_READ), &info) else { return 0 }
    sf_close(h)
    return Double(info.frames) / Double(info.samplerate)
}

/// The joined real-speech call (`BENCH_HOURS` long, from `BENCH_FIXTURES`, default
/// `Fixtures/calls`) and its 5-minute excerpt; the floor table for it and `syntheticFiles`;
/// callgrind's instructions per stage on the excerpt.
func realSpeechBenchmark(syntheticFiles: [(String, String)]) throws {
    let environment = ProcessInfo.processInfo.environment
    let hours = Double(environment["BENCH_HOURS"] ?? "1") ?? 1
    let base = URL(fileURLWithPath: environment["BENCH_DIR"] ?? "bench-out")
    try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    let joined = base.appendingPathComponent(String(format: "joined-calls-%gh.wav", hours)).path
    let excerpt = base.appendingPathComponent("joined-calls-5min.wav").path
    try joinCalls(from: environment["BENCH_FIXTURES"] ?? "Fixtures/calls", seconds: hours * 3600, to: joined,
                  excerptSeconds: 300, excerptPath: excerpt)
    let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    floorBenchmark(files: syntheticFiles + [("stereo 8 kHz joined calls", joined)], binDir: binDir)
    twoCoreBenchmark(file: joined, binDir: binDir, workDir: base)
    if environment["BENCH_CALLGRIND"] != "0" { callgrindStages(excerpt: excerpt, binDir: binDir, workDir: base) }
}

/// Instructions per stage of `voiceqa analyze` on the 5-minute excerpt, from callgrind's inclusive
/// counts (valgrind `--tool=callgrind`, then `callgrind_annotate --inclusive=yes`, names demangled
/// by `swift demangle`), and the floor's instructions on the same file. A stage is the inclusive
/// count of its functions, less the functions of other stages they call. In a call this short,
/// speech activity decides every frame in `SpeechActivityStream.finish()`.
func callgrindStages(excerpt: String, binDir: URL, workDir: URL) {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/valgrind") || shell("command -v valgrind") != nil else {
        print("callgrind stages skipped: valgrind is missing (make bench installs it)")
        return
    }
    // valgrind 3.19 gives up on the DWARF 5 debug info of some Swift 6.3 builds ("unhandled dwarf2
    // abbrev form", "possibly corrupted debuginfo"); a copy without it keeps the symbol table, which
    // is all the function names need.
    var voiceqa = binDir.appendingPathComponent("voiceqa").path
    let stripped = workDir.appendingPathComponent("voiceqa-symbols-only").path
    if shell("strip --strip-debug -o '\(stripped)' '\(voiceqa)'") != nil { voiceqa = stripped }
    let floor = binDir.appendingPathComponent("voiceqa-floor").path
    func profile(_ name: String, _ arguments: [String]) -> [String: Double]? {
        let out = workDir.appendingPathComponent("callgrind.\(name).out").path
        let run = runChild("/bin/sh", ["-c", "exec valgrind --tool=callgrind --callgrind-out-file=\"$0\" \"$@\"", out] + arguments)
        guard run.status == 0, let text = shell("callgrind_annotate --inclusive=yes --threshold=100 '\(out)' | swift demangle --simplified")
        else { return nil }
        return inclusiveCounts(text)
    }
    print("")
    print("Instructions per stage, callgrind, voiceqa analyze --jobs 1 on the first 5 minutes of the joined calls (inclusive counts)")
    // One core (`--jobs 1`: no pitch thread), so each stage's functions are called where they are counted.
    guard let counts = profile("voiceqa", [voiceqa, "analyze", "--jobs", "1", excerpt]) else { print("callgrind run failed"); return }
    let floorCounts = profile("floor", [floor, excerpt])
    func c(_ names: String...) -> Double { names.reduce(0) { $0 + (counts[$1] ?? 0) } }
    let total = counts["PROGRAM TOTALS"] ?? 0
    let pitch = c("PitchTracker.observe(frameIndex:powerSpectrum:)", "PitchTracker.finish(frameCount:)")
    let syllables = c("SyllableTracker.observe(frameIndex:bandCodes:levelDB:)", "SyllableTracker.finish(speechRuns:)",
                      "SteadySpectrumTracker.observe(frameIndex:bandCodes:levelDB:)")
    // A two-channel call's meters consume side by side (`consume(_:_:_:_:)`), which calls
    // `consume(_:)` only when the channels' blocks differ.
    let level = c("ChannelLevelMeter.consume(_:)", "ChannelLevelMeter.consume(_:_:_:_:)", "ChannelLevelMeter.finish(speechSegments:)",
                  "ChannelLevelMeter.speechRunsFinal(_:before:timeBase:)")
    let runObservers = c("ChannelLevelMeter.speechRunsFinal(_:before:timeBase:)",
                         "SyllableTracker.speechRunsFinal(_:before:timeBase:)", "ToneKeeper.ChannelObserver.speechRunsFinal(_:before:timeBase:)")
    let frontEnd = c("ChannelFrontEnd.consume(_:)") - c("PitchTracker.observe(frameIndex:powerSpectrum:)")
        - c("SyllableTracker.observe(frameIndex:bandCodes:levelDB:)", "SteadySpectrumTracker.observe(frameIndex:bandCodes:levelDB:)")
    let activity = c("SpeechActivityStream.finish()") - runObservers
    let decode = c("AudioFileReader.readBlock()")
    let json = c("ReportRenderer.json(_:pretty:)")
    let rows: [(String, Double)] = [
        ("decode + deinterleave (AudioFileReader.readBlock)", decode),
        ("front end (ChannelFrontEnd, less its observers)", frontEnd),
        ("  of which FFTW r2c (RealFFT.forward)", c("RealFFT.forward()")),
        ("pitch (PitchTracker.observe + finish)", pitch),
        ("  of which FFTW c2r (RealFFT.inverse)", c("RealFFT.inverse()")),
        ("level (ChannelLevelMeter)", level),
        ("speech activity (SpeechActivityStream.finish)", activity),
        ("  of which BandNoiseFloor.floorCodes", c("BandNoiseFloor.floorCodes(_:frameCount:lift:)")),
        ("syllables, steady spectrum (observers)", syllables),
        ("JSON (ReportRenderer.json)", json),
        ("rest (start-up, measures, rubric)", total - decode - frontEnd - pitch - level - activity - syllables - json),
        ("total", total),
        ("Swift runtime: retain/release, exclusivity", c("swift_retain", "swift_release", "swift_beginAccess", "swift_endAccess")),
    ]
    print("stage                                                   instructions   share")
    for (name, n) in rows {
        print(name.padding(toLength: 52, withPad: " ", startingAt: 0)
              + String(format: " %16.0f %6.1f %%", n, total > 0 ? 100 * n / total : 0))
    }
    if let floorTotal = floorCounts?["PROGRAM TOTALS"], floorTotal > 0 {
        print(String(format: "floor (voiceqa-floor) on the same excerpt: %.0f instructions; full / floor %.2f×", floorTotal, total / floorTotal))
    }
}

/// Function name → inclusive instructions from `callgrind_annotate --inclusive=yes` output
/// (largest entry per name: a function inlined from several files is listed once per file, the
/// entry of its own file holding the whole). "specialized " and "protocol witness" prefixes are
/// folded into the plain name. "PROGRAM TOTALS" is the whole run.
func inclusiveCounts(_ text: String) -> [String: Double] {
    var result: [String: Double] = [:]
    for line in text.split(separator: "\n") {
        let trimmed = line.drop { $0 == " " }
        guard let space = trimmed.firstIndex(of: " "), let n = Double(trimmed[..<space].replacingOccurrences(of: ",", with: "")) else { continue }
        guard let close = trimmed.firstIndex(of: ")") else { continue }
        var name = trimmed[trimmed.index(after: close)...].trimmingCharacters(in: .whitespaces)
        if name == "PROGRAM TOTALS" { result[name] = n; continue }
        if name.hasPrefix("=>") || name.hasPrefix("<") || name.hasPrefix("*") { continue }
        guard let colon = name.firstIndex(of: ":") else { continue }
        name = String(name[name.index(after: colon)...])
        if let bracket = name.range(of: " [", options: .backwards) { name = String(name[..<bracket.lowerBound]) }
        if name.hasPrefix("specialized ") { name = String(name.dropFirst("specialized ".count)) }
        if name.hasPrefix("static ") { name = String(name.dropFirst("static ".count)) }
        result[name] = max(result[name] ?? 0, n)
    }
    return result
}

/// Standard output of `/bin/sh -c command`, nil when it fails.
func shell(_ command: String) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
}

/// One long call on both cores: `voiceqa analyze` of `file` (one file, so the call is shared with a
/// second thread, `ChannelPipeline`) under `taskset -c 0` and `taskset -c 0,1`, best of 5 wall times each,
/// the speed-up, the serial share it implies (Amdahl: speed-up S on 2 cores ⇒ serial share 2/S − 1),
/// and whether the two JSON reports are byte for byte the same.
func twoCoreBenchmark(file: String, binDir: URL, workDir: URL) {
    let voiceqa = binDir.appendingPathComponent("voiceqa").path
    guard sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2, shell("command -v taskset") != nil else {
        print("two-core benchmark skipped: needs 2 cores and taskset")
        return
    }
    var best: [Double] = []
    var outputs: [String] = []
    for cores in ["0", "0,1"] {
        let out = workDir.appendingPathComponent("two-core-\(cores).json").path
        var wall = Double.infinity
        for _ in 0..<5 {
            let u = runChild("/bin/sh", ["-c", "exec taskset -c \"$0\" \"$1\" analyze \"$2\" > \"$3\"", cores, voiceqa, file, out])
            guard u.status == 0 else { print("two-core benchmark: voiceqa failed under taskset -c \(cores)"); return }
            wall = min(wall, u.wallSeconds)
        }
        best.append(wall)
        outputs.append(out)
    }
    let same = FileManager.default.contentsEqual(atPath: outputs[0], andPath: outputs[1])
    let speedUp = best[0] / best[1]
    print("")
    print("One call on two cores (voiceqa analyze, joined calls; wall, best of 5)")
    print(String(format: "taskset -c 0: %.3f s   taskset -c 0,1: %.3f s   speed-up %.2f×   serial share %.0f %%   JSON %@",
                 best[0], best[1], speedUp, 100 * max(0, 2 / speedUp - 1), same ? "identical" : "DIFFERENT"))
}
