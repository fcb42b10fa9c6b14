import ArgumentParser
import Foundation
import Journal
import LaneCore

/// `lanectl journal …`: check, export and report from a station's journal database.
struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Verify, export and query the station's journal (SQLite evidence store).",
        subcommands: [
            JournalVerifyCommand.self, JournalExportCommand.self, JournalReportCommand.self, JournalStatsCommand.self,
            JournalTortureCommand.self,
        ]
    )
}

/// Opens an existing journal read-only (no creation on a typo, no recovery under a live station).
func openExistingJournal(_ path: String) throws -> Journal {
    guard FileManager.default.fileExists(atPath: path) else {
        throw ValidationError("no journal database at \(path): check the path. / 找不到日志数据库 \(path)，请检查路径。")
    }
    return try Journal(readingAt: path)
}

/// `lanectl journal verify DB`: walk the chain and re-check every typed row.
struct JournalVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Walk the hash chain and name the first entry that was changed, removed or reordered.",
        discussion: "Exit status: 0 intact, 1 tampered (the first problem is printed), 2 the file could not be checked.")

    @Argument(help: "The journal database file.")
    var db: String

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        // Read-only check: never migrate or recover a file under examination.
        let report: VerificationReport
        do {
            report = try Journal.verify(path: db)
        } catch {
            // Exit 2, not 1: "could not check" must not read as "tampered" (or as "intact").
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            for warning in report.warnings { print("warning: \(warning)") }
            if let first = report.firstProblem {
                print("TAMPERED at entry \(first.sequence): \(first.kind.rawValue): \(first.message)")
                if report.problems.count > 1 {
                    print("(\(report.problems.count - 1) further problem(s); --json lists them)")
                }
            } else {
                print(
                    "intact: \(report.entries) entries, \(report.rows) rows re-checked; head \(report.headSequence) \(report.headHash) / 日志完整"
                )
            }
        }
        if !report.isIntact { throw ExitCode(1) }
    }
}

/// `lanectl journal export DB --inspection ID`: the self-contained evidence bundle.
struct JournalExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write an inspection's self-contained JSON evidence bundle.")

    @Argument(help: "The journal database file.")
    var db: String

    @Option(help: "The inspection (attempt) id.")
    var inspection: String

    @Option(name: [.short, .long], help: "Output file (default: standard output).")
    var output: String?

    func run() throws {
        let journal = try openExistingJournal(db)
        guard let bundle = try journal.evidenceBundle(for: InspectionID(inspection), exportedAt: WallTime(Date())) else {
            throw ValidationError("no inspection \(inspection) in \(db). / 数据库中没有检验 \(inspection)。")
        }
        let data = try bundle.jsonData()
        if let output {
            try data.write(to: URL(fileURLWithPath: output))
            FileHandle.standardError.write(Data("wrote \(output): \(bundle.entries.count) entries, \(data.count) bytes\n".utf8))
        } else {
            FileHandle.standardOutput.write(data)
            FileHandle.standardOutput.write(Data("\n".utf8))
        }
    }
}

/// `lanectl journal report DB --inspection ID`: the report of one attempt as JSON.
struct JournalReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Print one inspection's items, curves summary and history.")

    @Argument(help: "The journal database file.")
    var db: String

    @Option(help: "The inspection (attempt) id.")
    var inspection: String

    func run() throws {
        let journal = try openExistingJournal(db)
        guard let report = try journal.report(for: InspectionID(inspection)) else {
            throw ValidationError("no inspection \(inspection) in \(db). / 数据库中没有检验 \(inspection)。")
        }
        print("inspection \(report.inspection.id) attempt \(report.inspection.attempt) lane \(report.inspection.lane)"
            + " vehicle \(report.vehicle.plate): \(report.outcome?.status.rawValue ?? "open")")
        for item in report.currentItems {
            print("  \(item.item) = \(item.value.map { "\($0)" } ?? "-") \(item.unit ?? "") limit \(item.limit ?? "-")"
                + " → \(item.verdict.rawValue) [\(item.ruleset) \(item.rulesetVersion) §\(item.clause ?? "-")]")
        }
        for curve in report.curves {
            print("  curve \(curve.payload.measurementID)/\(curve.payload.channel): \(curve.payload.pointCount) points,"
                + " \(curve.data.count) bytes")
        }
        for attempt in report.history {
            print("  history: attempt \(attempt.attempt) \(attempt.id) \(attempt.status?.rawValue ?? "open")")
        }
    }
}

/// `lanectl journal stats DB --day YYYY-MM-DD`: the day's statistics as JSON.
struct JournalStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Print a day's statistics (UTC day) as JSON.")

    @Argument(help: "The journal database file.")
    var db: String

    @Option(help: "The day, YYYY-MM-DD (UTC).")
    var day: String

    func run() throws {
        let journal = try openExistingJournal(db)
        guard let start = try? Date(day + "T00:00:00Z", strategy: .iso8601) else {
            throw ValidationError("--day \(day) is not a date YYYY-MM-DD. / 日期格式应为 YYYY-MM-DD。")
        }
        let from = WallTime(start)
        let stats = try journal.statistics(from: from, to: from.adding(milliseconds: 86_400_000))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(stats), as: UTF8.self))
    }
}

/// Hidden: the crash test's child. Writes inspections, printing `ACK <seq> <hash>` after each commit.
struct JournalTortureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "torture", abstract: "Crash-test child: write inspections, print each acknowledged entry.",
        shouldDisplay: false)

    @Option(help: "The journal database file.")
    var db: String

    @Option(help: "Inspections to write before exiting.")
    var inspections = 1_000

    @Option(help: "Seed of the synthetic station.")
    var seed: UInt64 = 1

    @Flag(help: "Also run the sample writer with a producer at 6 × 100 Hz.")
    var samples = false

    func run() throws {
        // One write(2) per line, no stdio buffer: a line on the pipe is an acknowledgement already made.
        func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        let journal = try Journal(path: db, now: WallTime(Date()))
        emit("OPEN interrupted=\(journal.interruptedAtOpen.map(\.rawValue).joined(separator: ","))")
        var writer: SampleWriter?
        if samples {
            let w = SampleWriter(journal: journal, configuration: .init(maxDelay: .milliseconds(20)))
            w.start()
            writer = w
            let thread = Thread {
                var n: UInt64 = 0
                while true {
                    for r in 0..<6 {
                        w.offer(Sample(
                            rig: RigID("rig\(r)"), sequence: n, time: MonotonicInstant(nanoseconds: n * 10_000_000),
                            values: Array(repeating: Double(n), count: 12), quality: .good))
                    }
                    n += 1
                    usleep(10_000)
                }
            }
            thread.start()
        }
        var station = SyntheticStation(seed: seed, start: WallTime(Date()))
        let prefix = "p\(getpid())-\(seed)"
        for _ in 0..<inspections {
            try station.runInspection(journal: journal, prefix: prefix) { entry in
                emit("ACK \(entry.sequence) \(entry.hash)")
            }
        }
        writer?.stop()
        emit("DONE")
    }
}
