import ArgumentParser
import Foundation
import Journal
import LaneCore
import StationControl
import Valet

/// `lanectl dispatch …`: the auditable driver draw.
struct DispatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch",
        abstract: "Verify a shift's driver draws / 复核班次的驾驶员抽签.",
        subcommands: [Verify.self, VerifyFile.self]
    )

    /// `lanectl dispatch verify DB --shift ID`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Re-run every draw of a closed shift from the station's journal database.",
            discussion: """
                First checks the journal's hash chain (as `lanectl journal verify`), then reads the shift's
                dispatch entries in journal order and re-runs them as `verify-file` does. Opens the database
                read-only. Exit status 0 when everything checks, 1 when anything does not, 2 when the database
                cannot be read.
                """
        )
        @Argument(help: "The station's journal database (SQLite).") var db: String
        @Option(help: "The shift to verify.") var shift: String
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            let chain: VerificationReport
            let entries: [DispatchJournalEntry]
            do {
                chain = try Journal.verify(path: db)
                entries = try DispatchJournal.entries(of: ShiftID(shift), in: Journal(readingAt: db))
            } catch {
                FileHandle.standardError.write(Data("lanectl dispatch verify: \(error)\n".utf8))
                throw ExitCode(2)
            }
            if let problem = chain.firstProblem {
                print("Journal chain NOT intact / 日志链已被篡改: \(problem)")
                throw ExitCode(1)
            }
            guard !entries.isEmpty else {
                print("No dispatch entries for shift \(shift) in \(db) / 数据库中没有该班次的调度记录")
                throw ExitCode(1)
            }
            try report(DrawAudit.verify(entries, shift: ShiftID(shift)), shift: shift, json: json)
        }
    }

    /// `lanectl dispatch verify-file FILE --shift ID`.
    struct VerifyFile: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-file",
            abstract: "Re-run every draw of a closed shift from its journal entries in a JSON file.",
            discussion: """
                FILE holds the shift's journal entries (DispatchJournalEntry) as a JSON array or as JSON lines,
                in journal order. Checks the revealed seed against the commitment published at opening, the
                numbering of entries and draws, each draw against the seed, and replays the shift's events
                through the dispatcher. Exit status 0 when everything checks, 1 when anything does not.
                """
        )
        @Argument(help: "JSON file of journal entries.") var file: String
        @Option(help: "The shift to verify.") var shift: String
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            let entries = try readEntries(file)
            try report(DrawAudit.verify(entries, shift: ShiftID(shift)), shift: shift, json: json)
        }
    }
}

/// Prints an audit report; exit status 1 when it did not pass.
fileprivate func report(_ report: DrawAudit.Report, shift: String, json: Bool) throws {
    if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    } else {
        print("Shift \(shift): \(report.entries) entries, \(report.draws) draws, \(report.drawsConfirmed) confirmed by the seed, "
              + "\(report.assignmentsWithoutDraw) assignments without a draw; replay \(report.replayMatches ? "matches" : "DIFFERS")")
        if let c = report.seedCommitment { print("Seed commitment (SHA-256) / 种子承诺值: \(c)") }
        for f in report.findings { print("  ✗ \(f)") }
        print(report.passed ? "VERIFIED / 复核通过" : "NOT VERIFIED / 复核未通过 (\(report.findings.count) finding(s))")
    }
    if !report.passed { throw ExitCode(1) }
}

/// Reads journal entries from a JSON array or JSON lines, saying where a bad entry is.
fileprivate func readEntries(_ path: String) throws -> [DispatchJournalEntry] {
    let data: Data
    do {
        data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw ValidationError("Cannot read \(path): \(error.localizedDescription) / 无法读取 \(path)")
    }
    let decoder = JSONDecoder()
    if data.first(where: { !$0.isWhitespace }) == UInt8(ascii: "[") {
        do {
            return try decoder.decode([DispatchJournalEntry].self, from: data)
        } catch {
            throw ValidationError("\(path): not a JSON array of journal entries: \(describe(error)) / 不是日志记录的 JSON 数组")
        }
    }
    var entries: [DispatchJournalEntry] = []
    for (n, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where line.contains(where: { !$0.isWhitespace }) {
        do {
            entries.append(try decoder.decode(DispatchJournalEntry.self, from: Data(line)))
        } catch {
            throw ValidationError("\(path):\(n + 1): not a journal entry: \(describe(error)) / 第 \(n + 1) 行不是日志记录")
        }
    }
    return entries
}

fileprivate func describe(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, let c): "missing \(key.stringValue) at \(path(c.codingPath))"
    case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c): "\(c.debugDescription) at \(path(c.codingPath))"
    case DecodingError.dataCorrupted(let c): "\(c.debugDescription) at \(path(c.codingPath))"
    default: "\(error)"
    }
}

private func path(_ p: [any CodingKey]) -> String {
    "$" + p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
}

extension UInt8 {
    fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}
