import ArgumentParser
import Foundation
import InspectionRules

/// `lanectl rules …`: judge recorded or hand-written cases, and show the rulesets' tables.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Judge inspection cases against a ruleset; list and show rulesets.",
        subcommands: [Evaluate.self, List.self, Show.self]
    )

    /// `lanectl rules evaluate FILE|-`.
    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Judge one JSON case or a JSON array of cases (standards.md §8); '-' reads standard input.",
            discussion: "Exit status 0 when every case was judged (whatever the verdicts), 2 when any case could not be.")

        @Argument(help: "A JSON file, or '-' for standard input.")
        var file: String

        @Flag(help: "Print compact JSON on one line.")
        var compact = false

        func run() throws {
            let bytes: [UInt8]
            if file == "-" {
                bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
            } else {
                guard let data = FileManager.default.contents(atPath: file) else {
                    let message = "error: cannot read \(file): no such file or not readable / 无法读取文件 \(file)"
                    FileHandle.standardError.write(Data((message + "\n").utf8))
                    throw ExitCode(2)
                }
                bytes = Array(data)
            }
            let output = RulesInterface.evaluate(bytes: bytes, indent: compact ? nil : "  ")
            print(output.json)
            for line in output.diagnostics { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            if output.exitStatus != 0 { throw ExitCode(output.exitStatus) }
        }
    }

    /// `lanectl rules list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rulesets and their versions.")

        func run() {
            for ruleset in RulesetCatalog.all {
                let recalled = ruleset.tables.filter(\.needsConfirmation).count
                print("\(ruleset.id.rawValue)\t\(ruleset.version)\t\(ruleset.title) / \(ruleset.titleZH)"
                    + (recalled > 0 ? "\t(\(recalled) table(s) hold recalled limits to confirm)" : ""))
            }
        }
    }

    /// `lanectl rules show RULESET`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a ruleset's limit tables, each row with its source tag (V-std, V-vendor, V-sec, R).")

        @Argument(help: "CN-GB7258-2017, UK-MOT or EU-2014-45.")
        var ruleset: String

        func run() throws {
            guard let id = RulesetID(rawValue: ruleset) else {
                let known = RulesetID.allCases.map(\.rawValue).joined(separator: ", ")
                let message = "error: unknown ruleset \"\(ruleset)\"; known: \(known) / 未知规则集"
                FileHandle.standardError.write(Data((message + "\n").utf8))
                throw ExitCode(2)
            }
            print(RulesetText.render(RulesetCatalog.ruleset(id)))
        }
    }
}

/// Plain-text rendering of a ruleset for operators.
enum RulesetText {
    static func render(_ ruleset: RulesetDescription) -> String {
        var out = "\(ruleset.id.rawValue) version \(ruleset.version)\n\(ruleset.title)\n\(ruleset.titleZH)\n"
        out += "Rounding: \(ruleset.rounding)\n"
        out += "Source tags: V-std regulation text, V-vendor lane-vendor code, V-sec secondary page, "
            + "R recalled — CONFIRM before release (marked ⚠).\n"
        for table in ruleset.tables {
            out += "\n## \(table.id): \(table.title) / \(table.titleZH)\n"
            out += "   source: \(table.reference)\n"
            let header = table.columns + ["source"]
            var rows = [header]
            for row in table.rows {
                rows.append(row.cells + [row.source.rawValue + (row.source.needsConfirmation ? " ⚠ confirm" : "")])
            }
            let widths = (0..<header.count).map { column in
                rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
            }
            for row in rows {
                let cells = row.enumerated().map { column, cell in
                    cell + String(repeating: " ", count: max(0, widths[column] - cell.count))
                }
                out += "   " + cells.joined(separator: " | ") + "\n"
            }
        }
        return out
    }
}
