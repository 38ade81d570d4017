import Audit
import Foundation
import SpeechAnalysis

/// Writes the summary page (and, later, the worst calls' coaching pages) into a folder.
enum AuditPageWriter {
    static func write(summary: AuditSummary, calls: [SummaryCall], store: SQLiteAuditStore, folder: String, language: SpeechLanguage) throws {
        throw AuditFailure("--format html is not built yet")
    }
}
