import ArgumentParser

/// `voiceqa audit`: batch audits with results in SQLite (issue: batch audits).
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Audit a batch of calls; results in SQLite.")
    func run() throws { throw ValidationError("not built yet") }
}
