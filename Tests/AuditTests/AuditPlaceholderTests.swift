import Testing
@testable import Audit

struct AuditPlaceholderTests {
    @Test func targetBuilds() { _ = Audit.self }
}
