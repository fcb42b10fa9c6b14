import Foundation
import GRDB
import Journal
import LaneCore
import Testing

/// The crash test: a child `lanectl journal torture` writes inspections and prints every acknowledged
/// entry; we SIGKILL it at a random moment, reopen the file, and check nothing acknowledged was lost,
/// the chain verifies, and no inspection is left open or passed on half its evidence.
struct CrashTests {
    static func lanectl() throws -> URL {
        var candidates: [URL] = []
        if let first = CommandLine.arguments.first {
            let url = URL(fileURLWithPath: first).resolvingSymlinksInPath()
            candidates.append(url.deletingLastPathComponent().appendingPathComponent("lanectl"))
            // macOS: …/debug/X.xctest/Contents/MacOS/X
            candidates.append(
                url.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("lanectl"))
        }
        var root = URL(fileURLWithPath: #filePath)
        while root.path != "/" && !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root = root.deletingLastPathComponent()
        }
        candidates.append(root.appendingPathComponent(".build/debug/lanectl"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw JournalError(
                .cannotOpen,
                "lanectl is not built (looked at \(candidates.map(\.path))): run `swift build --product lanectl` before the tests")
        }
        return found
    }

    /// Lines the child printed, collected by a plain reader thread. (Not `FileHandle.readabilityHandler`:
    /// clearing it while the dispatch source still fires crashes libdispatch's event loop on Linux, seen in CI.)
    final class Output: @unchecked Sendable {  // safe: `data` and `ended` only under `lock`
        private let lock = NSLock()
        private var data = Data()
        private var ended = false

        /// Reads `handle` on its own thread until end of file.
        func drain(_ handle: FileHandle) {
            let thread = Thread { [self] in
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    append(chunk)
                }
                lock.lock()
                ended = true
                lock.unlock()
            }
            thread.start()
        }

        /// True once the writer's end closed (the child died) and everything was read.
        var finished: Bool {
            lock.lock()
            defer { lock.unlock() }
            return ended
        }
        func append(_ d: Data) {
            lock.lock()
            data.append(d)
            lock.unlock()
        }
        var text: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: data, as: UTF8.self)
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func sigkillMidInspectionLosesNothingAcknowledgedAndLeavesNothingOpen() throws {
        let executable = try Self.lanectl()
        let folder = try TemporaryFolder()
        let path = folder.path()
        var random = SplitMix64(seed: UInt64(Date().timeIntervalSince1970))
        var acknowledged: [Int64: String] = [:]
        var totalInterrupted = 0
        let rounds = 30
        for round in 1...rounds {
            let process = Process()
            process.executableURL = executable
            process.arguments = ["journal", "torture", "--db", path, "--seed", "\(round)"]
                + (round % 2 == 0 ? ["--samples"] : [])
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            let output = Output()
            try process.run()
            try? pipe.fileHandleForWriting.close()  // the child holds its own copy; EOF comes when it dies
            output.drain(pipe.fileHandleForReading)
            let opened = Date()
            while !output.text.contains("OPEN") {
                #expect(Date().timeIntervalSince(opened) < 60, "child never opened the journal")
                if Date().timeIntervalSince(opened) > 60 || !process.isRunning { break }
                usleep(2_000)
            }
            usleep(UInt32.random(in: 20_000...900_000, using: &random))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let drained = Date()
            while !output.finished && Date().timeIntervalSince(drained) < 30 { usleep(2_000) }
            #expect(process.terminationReason == .uncaughtSignal, "round \(round): child exited on its own: \(output.text.suffix(300))")
            var roundAcks = 0
            for line in output.text.split(separator: "\n") {
                let parts = line.split(separator: " ")
                // A line cut by the kill is not an acknowledgement: it must be complete.
                guard parts.count == 3, parts[0] == "ACK", let seq = Int64(parts[1]), parts[2].count == 64 else { continue }
                acknowledged[seq] = String(parts[2])
                roundAcks += 1
            }

            // Reopen as the station would at its next start.
            let journal = try Journal(path: path, now: WallTime(Date()))
            totalInterrupted += journal.interruptedAtOpen.count
            for id in journal.interruptedAtOpen {
                #expect(try journal.status(of: id) == .interrupted)
            }
            #expect(try journal.openInspections().isEmpty)
            let stored = Dictionary(uniqueKeysWithValues: try journal.entries().map { ($0.sequence, $0.hash) })
            for (seq, hash) in acknowledged {
                #expect(stored[seq] == hash, "round \(round): acknowledged entry \(seq) lost or changed")
            }
            let report = try journal.verify()
            #expect(report.isIntact, "round \(round): \(report.problems.prefix(3))")
            // Never pass on half the evidence: every passed attempt has all its items, all passing.
            let passed = try journal.read { db in
                try String.fetchAll(db, sql: "SELECT inspection_id FROM inspection_outcomes WHERE status = 'pass'")
            }
            for id in passed {
                let items = try #require(try journal.report(for: InspectionID(id))).currentItems
                #expect(
                    items.count == SyntheticStation.itemsPerInspection && items.allSatisfy { $0.verdict == .pass },
                    "\(id) passed with \(items)")
            }
            try journal.close()
            _ = roundAcks
        }
        #expect(acknowledged.count > rounds, "the children acknowledged too little to test anything")
        #expect(totalInterrupted > 0, "no kill ever landed mid-inspection")
    }
}
