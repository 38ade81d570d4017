import AudioIO
import DSP
import Foundation
import Testing
import TestSupport

/// Running commands and generating batches for the deployment tests (real Slurm, the Kubernetes
/// schema validator). These tests fail when a service is missing, unless VOICEQA_NO_SERVICES=1.
enum Deploy {
    static var repositoryRoot: URL { Fixtures.root.deletingLastPathComponent() }
    static var environment: [String: String] { ProcessInfo.processInfo.environment }
    static var servicesDeliberatelyAbsent: Bool { environment["VOICEQA_NO_SERVICES"] == "1" }

    struct Output { var exitCode: Int32; var stdout: String; var stderr: String }

    /// Runs `executable` with `arguments` and extra environment, reading both pipes to the end.
    static func run(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:],
                    timeoutSeconds: Double = 300) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment.merging(extra) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter(); DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter(); DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        group.wait()
        return Output(exitCode: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// `count` short two-channel calls (16 kHz PCM WAV, 4–7 s): fixture utterances on the agent
    /// channel answered by others on the customer channel, under `folder/teamT/agentA/`.
    static func writeBatch(count: Int, in folder: URL) throws -> [String] {
        // Each fixture utterance cut to its first 3 s: short calls keep the test quick.
        let voices = CallBuilder.levelledUtterances.map { u in
            var v = u; v.samples = Array(u.samples.prefix(Int(3 * CallBuilder.rateHz))); return v
        }
        precondition(voices.count >= 2, "needs the speech fixtures")
        var paths: [String] = []
        for i in 0..<count {
            let agent = voices[i % voices.count], customer = voices[(i * 7 + 1) % voices.count]
            let rate = CallBuilder.rateHz
            let customerStart = agent.samples.count + Int(0.6 * rate)
            let length = customerStart + customer.samples.count + Int(0.5 * rate)
            var left = [Float](repeating: 0, count: length), right = left
            Synth.mix(&left, agent.samples, at: 0)
            Synth.mix(&right, customer.samples, at: customerStart)
            let relative = "team\(i % 2)/agent\(i % 5)/call-\(String(format: "%03d", i)).wav"
            let url = folder.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try TestAudioWriter.write(AudioBuffer(sampleRateHz: rate, channels: [left, right]), to: url.path, format: TestAudioWriter.formats[0])
            paths.append(relative)
        }
        return paths
    }
}
