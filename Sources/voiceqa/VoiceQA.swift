import ArgumentParser
import Reports

@main
struct VoiceQA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voiceqa",
        abstract: "Measures how a call-centre agent sounds, from the recording alone.",
        version: VoiceQAVersion.string,
        subcommands: [Analyze.self, ReportCommand.self, AuditCommand.self, RubricCommand.self],
        defaultSubcommand: Analyze.self)
}
