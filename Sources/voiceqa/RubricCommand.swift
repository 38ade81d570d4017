import ArgumentParser
import Rubric

struct RubricCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rubric", abstract: "Show the guideline rubric.", subcommands: [Show.self, Check.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the built-in rubric (JSON), a starting point for --rubric FILE.")
        func run() throws { try writeOrFail(Rubric.builtInText, newline: false) }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a rubric file; prints its version or the first error.")
        @Argument(help: "Rubric file (JSON).") var file: String
        func run() throws {
            let version: String
            do { version = try Rubric.load(path: file).rubricVersion } catch let e as RubricError { throw ValidationError(e.description) }
            try writeOrFail(version)
        }
    }
}
