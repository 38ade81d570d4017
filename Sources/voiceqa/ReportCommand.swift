import ArgumentParser

/// `voiceqa report`: one coaching page per call (issue: coaching report).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Write a coaching page (HTML) per call.")
    func run() throws { throw ValidationError("not built yet") }
}
