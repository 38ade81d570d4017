// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "VoiceQA",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "voiceqa", targets: ["voiceqa"]),
        .library(name: "CallAnalysis", targets: ["CallAnalysis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SQLite for audit results (WAL, migrations); links the system's libsqlite3.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libraries: a module map and a pkg-config name, nothing more.
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),

        // Framing, windows, FFT (owns the FFTW plans), filters, dB helpers, TimeBase.
        .target(name: "DSP", dependencies: ["CFFTW"]),
        // Decodes a file into per-channel Float blocks (−1…1, native rate).
        .target(name: "AudioIO", dependencies: ["CSndFile", "DSP"]),
        // Contours → segments → measures. Takes samples, never paths.
        .target(name: "SpeechAnalysis", dependencies: ["DSP", "CKernels"]),
        // Hot per-sample and per-frame loops in C vector code, with AVX-512 builds chosen at run time (issue 18).
        .target(name: "CKernels"),
        // File → analysis value: streams AudioIO blocks through SpeechAnalysis.
        .target(name: "CallAnalysis", dependencies: ["AudioIO", "SpeechAnalysis", "DSP"]),
        // Guideline verdicts with evidence from the measures; never touches samples.
        .target(name: "Rubric", dependencies: ["SpeechAnalysis", "DSP"]),
        // SHA-256 block compression with the x86 SHA extensions (C intrinsics), for Checksum.
        .target(name: "CSHA256Blocks"),
        // SHA-256 (FIPS 180-4), streamed: audit analysis keys, the coaching page's CSP hash.
        .target(name: "Checksum", dependencies: ["CSHA256Blocks"]),
        // JSON, text and HTML (coaching page) renderings of an analysis, as pure functions.
        .target(name: "Reports", dependencies: ["CallAnalysis", "Rubric", "Checksum"]),
        // A PostgreSQL connection through libpq (blocking, one per process), for the shared audit store;
        // libpq is loaded with dlopen at the first connection, so `analyze` never maps it.
        .target(name: "PostgresClient"),
        // Batch audits: inputs, analysis keys, the results store (SQLite via GRDB) and summaries.
        .target(name: "Audit", dependencies: ["Reports", "Rubric", "CallAnalysis", "PostgresClient", "Checksum",
                                              .product(name: "GRDB", package: "GRDB.swift")]),
        // The CLI: parses arguments, calls the targets, sets exit codes.
        .executableTarget(name: "voiceqa", dependencies: [
            "CallAnalysis", "Reports", "Rubric", "AudioIO", "Audit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Benchmark driver (make bench): generates inputs, reports ×realtime and peak memory.
        .executableTarget(name: "voiceqa-bench", dependencies: ["CallAnalysis", "AudioIO", "DSP", "CSndFile", "PostgresClient"]),
        // libFuzzer target over decode + analysis (make fuzz); a plain build replays inputs.
        .executableTarget(name: "voiceqa-fuzz", dependencies: ["CallAnalysis", "Reports", "AudioIO", "CSndFile"]),

        // Signal synthesis, seeded RNG, fixture lookup for the tests.
        .target(name: "TestSupport", dependencies: ["DSP", "CSndFile", "AudioIO"], path: "Tests/TestSupport"),
        .testTarget(name: "DSPTests", dependencies: ["DSP", "TestSupport"]),
        .testTarget(name: "AudioIOTests", dependencies: ["AudioIO", "TestSupport"]),
        .testTarget(name: "ChecksumTests", dependencies: ["Checksum"]),
        .testTarget(name: "SpeechAnalysisTests", dependencies: ["SpeechAnalysis", "CallAnalysis", "AudioIO", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "CallAnalysis", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"]),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient"]),
        // deploy/ on real engines: Slurm job arrays and the merge, Kubernetes manifests (offline).
        .testTarget(name: "DeployTests", dependencies: ["TestSupport", "AudioIO", "DSP", "PostgresClient"]),
        .testTarget(name: "AuditTests", dependencies: ["Audit", "Reports", "CallAnalysis", "TestSupport"]),
        .testTarget(name: "RubricTests", dependencies: ["Rubric", "Reports", "CallAnalysis", "SpeechAnalysis", "TestSupport"]),
        // Broken and hostile input through decode, analysis and JSON (generated corpus).
        .testTarget(name: "HostileInputTests", dependencies: ["AudioIO", "CallAnalysis", "Reports", "SpeechAnalysis", "TestSupport"]),
    ]
)
