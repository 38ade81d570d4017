// voiceqa-fuzz: libFuzzer entry point over decode + analysis + JSON rendering of arbitrary bytes.
//
// Built two ways (see `make fuzz` and README "Input you should not trust"):
//  - fuzzing: `-Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING`: `main` hands over to
//    libFuzzer's driver, which calls `LLVMFuzzerTestOneInput` with mutated bytes;
//  - plain (`swift build`): `VoiceQAFuzz.main` below replays files given on the command line
//    through the same function (to reproduce a crash without sanitizers).
// Both write a seed corpus with `--write-seeds DIR`.
import AudioIO
import CallAnalysis
import Foundation
import Glibc
import Reports

/// Analysis settings for fuzzing: short limits so one input never runs for long.
let fuzzOptions: AnalysisOptions = {
    var o = AnalysisOptions.standard
    o.maxDurationSeconds = 120
    return o
}()

/// One temporary file per process: libsndfile reads paths, and the path check is part of what
/// is tested. In /dev/shm when it exists (no disk writes per input).
let fuzzInputPath: String = {
    let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return "\(dir)/voiceqa-fuzz-\(getpid()).wav"
}()

/// Runs one input. Returns normally when the input is analysed or refused with an error;
/// traps (a finding) when the report cannot be rendered as JSON or a refusal is not one line
/// naming the file.
func runOneInput(_ bytes: UnsafeRawBufferPointer) {
    let fd = open(fuzzInputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0, "cannot create \(fuzzInputPath)")
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        precondition(n > 0, "short write to \(fuzzInputPath)")
        offset += n
    }
    close(fd)
    analyse(path: fuzzInputPath, options: fuzzOptions)
}

func analyse(path: String, options: AnalysisOptions) {
    do {
        let analysis = try CallAnalyzer.analyze(path: path, options: options)
        let json: String
        do { json = try ReportRenderer.json(AnalysisReport(analysis), pretty: false) } catch {
            fatalError("report of \(path) cannot be rendered: \(error)")
        }
        precondition(!json.contains("nan") && !json.contains("inf\""), "non-finite value in report")
        _ = ReportRenderer.text(AnalysisReport(analysis))
    } catch let AnalysisError.needChannelChoice(_, channelCount) {
        // More than two channels: also run the first and last channel as a pair.
        var o = options
        o.channelPair = [0, channelCount - 1]
        analyse(path: path, options: o)
    } catch {
        let message = "\(error)"
        precondition(message.hasPrefix(path) && !message.contains("\n"), "error is not one line naming the file: \(message)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    runOneInput(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// libFuzzer's entry for programs that keep their own `main` (SwiftPM always links an executable
/// target's `main`, so libFuzzer's own cannot be used).
#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32
#endif

@main
enum VoiceQAFuzz {
    static func main() throws {
        if CommandLine.arguments.count == 3 && CommandLine.arguments[1] == "--write-seeds" {
            try FuzzSeeds.write(to: CommandLine.arguments[2])
            return
        }
        #if FUZZING
        atexit { unlink(fuzzInputPath) }         // libFuzzer ends the process with exit()
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzTestOneInput(data, size) })
        #else
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard !arguments.isEmpty else {
            print("usage: voiceqa-fuzz FILE...           replay inputs through the fuzz target\n" +
                  "       voiceqa-fuzz --write-seeds DIR write a small seed corpus")
            exit(64)
        }
        for path in arguments {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            data.withUnsafeBytes { runOneInput($0) }
            print("ok \(path)")
        }
        unlink(fuzzInputPath)
        #endif
    }
}
