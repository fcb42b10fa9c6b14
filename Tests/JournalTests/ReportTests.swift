import Foundation
import GRDB
import Journal
import LaneCore
import TestScheduling
import Testing

/// The journal folded by hand from its entries (payloads decoded by kind), with none of the SQL the
/// queries use: what the reports must agree with.
struct DirectJournal {
    var vehicles: [String: VehicleRecord] = [:]
    var inspections: [InspectionRecord] = []
    var outcomes: [InspectionID: OutcomeRecord] = [:]
    /// Items by entry sequence, and the sequences replaced by a correction.
    var items: [(seq: Int64, record: ItemRecord)] = []
    var corrected = Set<Int64>()
    var assignments: [InspectionID: [AssignmentRecord]] = [:]
    var approved: [InspectionID: SignOffRecord] = [:]

    init(_ journal: Journal) throws {
        for entry in try journal.entries() {
            switch entry.kind {
            case .vehicleRegistered:
                let v = try entry.decodePayload(VehicleRecord.self)
                vehicles[v.id] = v
            case .inspectionOpened: inspections.append(try entry.decodePayload(InspectionRecord.self))
            case .inspectionClosed:
                let o = try entry.decodePayload(OutcomeRecord.self)
                outcomes[o.inspection] = o
            case .itemJudged:
                let item = try entry.decodePayload(ItemRecord.self)
                items.append((entry.sequence, item))
                if let c = entry.corrects { corrected.insert(c) }
            case .driverAssigned:
                let a = try entry.decodePayload(AssignmentRecord.self)
                assignments[a.inspection, default: []].append(a)
            case .inspectionSigned:
                let s = try entry.decodePayload(SignOffRecord.self)
                if s.decision == .approved, approved[s.inspection] == nil { approved[s.inspection] = s }
            default: break
            }
        }
    }

    func currentItems(_ id: InspectionID) -> [ItemRecord] {
        items.filter { $0.record.inspection == id && !corrected.contains($0.seq) }.map(\.record)
    }
}

/// A simulated station day: 80 vehicles over two lanes, half of them signed at once, re-tests of some
/// failed ones, shifts closed (seeds revealed).
struct SimulatedDay {
    let folder: TemporaryFolder
    let journal: Journal
    let start = WallTime(milliseconds: 1_795_219_200_000)  // 2026-11-21T00:00Z = 08:00 at UTC+8
    var retests: [InspectionID: InspectionID] = [:]

    init(vehicles: Int = 80) throws {
        folder = try TemporaryFolder()
        journal = try Journal(path: folder.path(), now: start)
        var station = SyntheticStation(seed: 42, start: start)
        station.signOffProbability = 0.5
        var failedUnsigned: [InspectionID] = []
        for _ in 0..<vehicles {
            let id = try station.runInspection(journal: journal, prefix: "T")
            if try journal.status(of: id) == .fail, try !journal.isSigned(id),
                try journal.read({ db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM signoffs WHERE inspection_id = ?", arguments: [id.rawValue]) }) == 0
            {
                failedUnsigned.append(id)
            }
        }
        for id in failedUnsigned.prefix(5) {
            retests[id] = try station.runRetest(of: id, journal: journal, orderedBy: "insp1")
        }
        try station.closeShifts(journal: journal)
    }
}

@Suite(.offThePool)
struct ReportSearchTests {
    @Test func everyFilterReturnsExactlyTheAttemptsCountedFromTheEntries() throws {
        let day = try SimulatedDay()
        let direct = try DirectJournal(day.journal)
        let all = try day.journal.search(InspectionQuery())
        #expect(all.count == direct.inspections.count)
        #expect(all.map(\.openedAt) == all.map(\.openedAt).sorted(by: >))

        func expectIDs(_ query: InspectionQuery, _ keep: (InspectionRecord) -> Bool, _ label: String) throws {
            let found = Set(try day.journal.search(query).map(\.id))
            let expected = Set(direct.inspections.filter(keep).map(\.id))
            #expect(found == expected, "\(label)")
            #expect(!expected.isEmpty || label.hasPrefix("none"), "\(label) matched nothing: a weak test")
        }
        let some = direct.inspections[7]
        let plate = direct.vehicles[some.vehicleID]!.plate
        try expectIDs(InspectionQuery(plate: String(plate.suffix(4)).lowercased()), { direct.vehicles[$0.vehicleID]!.plate.contains(plate.suffix(4)) }, "plate")
        let vin = direct.vehicles[some.vehicleID]!.vin!
        try expectIDs(InspectionQuery(vin: String(vin.suffix(6)).lowercased()), { direct.vehicles[$0.vehicleID]!.vin!.uppercased().contains(vin.suffix(6).uppercased()) }, "vin")
        try expectIDs(InspectionQuery(lane: "L2"), { $0.lane == "L2" }, "lane")
        try expectIDs(InspectionQuery(driver: "D03"), { direct.assignments[$0.id]?.contains { $0.driver == "D03" } == true }, "driver")
        for verdict in [InspectionQuery.Verdict.pass, .fail] {
            try expectIDs(InspectionQuery(verdict: verdict), { direct.outcomes[$0.id]?.status.rawValue == verdict.rawValue }, "verdict \(verdict)")
        }
        try expectIDs(InspectionQuery(verdict: .open), { direct.outcomes[$0.id] == nil }, "none open")
        try expectIDs(InspectionQuery(signed: true), { direct.approved[$0.id] != nil }, "signed")
        try expectIDs(InspectionQuery(signed: false), { direct.approved[$0.id] == nil }, "unsigned")
        let mid = direct.inspections[40].openedAt
        let late = direct.inspections[60].openedAt
        try expectIDs(InspectionQuery(from: mid, to: late), { $0.openedAt >= mid && $0.openedAt < late }, "dates")
        try expectIDs(
            InspectionQuery(lane: "L1", verdict: .fail, signed: false),
            { $0.lane == "L1" && direct.outcomes[$0.id]?.status == .fail && direct.approved[$0.id] == nil }, "combined")

        // Rows carry what the list shows: failed items, the driver, the re-test links.
        for row in all {
            let failed = direct.currentItems(row.id).filter { $0.verdict == .fail }.map(\.item).sorted()
            #expect(row.failedItems == failed)
            #expect(row.driver == direct.assignments[row.id]?.first?.driver)
            #expect(row.signedBy == direct.approved[row.id]?.userID)
        }
        for (first, retest) in day.retests {
            let row = try #require(all.first { $0.id == first })
            #expect(row.retestedBy == retest)
            #expect(all.first { $0.id == retest }?.retestOf == first)
        }
    }

    @Test func csvOfASearchQuotesFieldsAndHasOneLinePerAttempt() throws {
        let csv = CSV.table(header: ["a", "b"], rows: [["x,y", "say \"hi\""], ["plain", "line\nbreak"]])
        #expect(csv == "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\nplain,\"line\nbreak\"\r\n")
        let day = try SimulatedDay(vehicles: 10)
        let rows = try day.journal.search(InspectionQuery())
        let table = CSV.table(header: InspectionSummary.csvHeader, rows: rows.map(\.csvFields))
        #expect(table.components(separatedBy: "\r\n").count == rows.count + 2)
        #expect(rows.allSatisfy { $0.csvFields.count == InspectionSummary.csvHeader.count })
    }
}

struct ReportAssemblyTests {
    @Test func aReTestReportLinksAttemptsAndCarriesTheDrawProofAndEveryItemsRule() throws {
        let day = try SimulatedDay(vehicles: 40)
        let (first, retest) = try #require(day.retests.first)
        let report = try #require(try day.journal.report(for: retest))
        #expect(report.inspection.retestOf == first)
        #expect(report.history.map(\.id) == [first, retest])
        let firstReport = try #require(try day.journal.report(for: first))
        // Only the failed stations are measured again.
        func station(_ item: String) -> String {
            item.hasPrefix("emission") ? "emission" : item.split(separator: ".").prefix(2).joined(separator: ".")
        }
        let failedStations = Set(firstReport.currentItems.filter { $0.verdict == .fail }.map { station($0.item) })
        #expect(!failedStations.isEmpty)
        #expect(Set(report.currentItems.map { station($0.item) }) == failedStations)
        // A fresh draw that excludes the previous driver.
        let previousDriver = try #require(firstReport.assignments.first?.driver)
        let draw = try #require(report.draws.first)
        #expect(!draw.eligible.contains(previousDriver))
        #expect(report.assignments.first?.driver == draw.chosen)
        // The draw's proof: the shift's commitment and, closed, its seed, which hashes to the commitment.
        let shift = try #require(report.shifts.first)
        let close = try #require(report.shiftCloses.first)
        let seedBytes = stride(from: 0, to: close.seed.count, by: 2).map { i -> UInt8 in
            let start = close.seed.index(close.seed.startIndex, offsetBy: i)
            return UInt8(close.seed[start..<close.seed.index(start, offsetBy: 2)], radix: 16)!
        }
        #expect(sha256Hex(seedBytes) == shift.seedHash)
        // Every item has its limit, clause and ruleset version; every brake measurement two curves.
        for item in firstReport.currentItems {
            #expect(item.limit != nil && item.clause != nil && !item.rulesetVersion.isEmpty)
        }
        #expect(firstReport.curves.count == 2 * firstReport.measurements.filter { $0.station == "brake" }.count)
        #expect(firstReport.prompts.count == firstReport.acknowledgements.count)
        // The inspector's re-test decision is on the first attempt.
        #expect(firstReport.signOffs.contains { $0.decision == .retestOrdered })
    }
}

struct SignOffLockTests {
    @Test func aSignedReportRefusesItemsCorrectionsSecondSignaturesAndReTests() throws {
        let folder = try TemporaryFolder()
        let journal = try Journal(path: folder.path(), now: t0)
        try openInspection(journal, "I1")
        let item = try judge(journal, "I1", "brake.axle1.imbalance", .fail, value: 31)
        try close(journal, "I1", .fail, at: t0.adding(milliseconds: 1000))
        let entry = try journal.signOff("I1", user: "insp9", name: "Inspector Nine", role: "inspector", comment: "ok", at: t0.adding(milliseconds: 2000))
        let signature = try #require(try journal.signature(of: "I1"))
        #expect(signature.entryHash == entry.hash && signature.journalSequence == entry.sequence)
        #expect(signature.signerName == "Inspector Nine")
        #expect(try journal.isSigned("I1"))

        func expectLocked(_ body: () throws -> Void) {
            do {
                try body()
                Issue.record("a change to a signed inspection was accepted")
            } catch let error as JournalError {
                #expect(error.code == .inspectionSigned, "\(error)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        expectLocked { try judge(journal, "I1", "brake.axle1.imbalance", .pass, value: 10, corrects: item.sequence) }
        expectLocked { try journal.signOff("I1", user: "insp9", name: "Inspector Nine", role: "inspector", comment: nil, at: t0) }
        expectLocked {
            try journal.record(SignOffRecord(inspection: "I1", userID: "insp9", decision: .retestOrdered, comment: nil, at: t0), actor: "insp9", at: t0)
        }
        expectLocked { try openInspection(journal, "I1-R", attempt: 2, retestOf: "I1") }
        expectLocked {
            try journal.record(PromptRecord(id: "late", inspection: "I1", recipient: "D01", kind: "park", text: "Park", at: t0), actor: "system", at: t0)
        }
        // The refusal itself is journaled, and the chain stays intact.
        try journal.recordRefusal(
            ReportRefusal(action: "sign", user: "op1", role: "operator", reason: "not_inspector", message: "operators do not sign"),
            inspection: "I1", at: t0.adding(milliseconds: 3000))
        #expect(try journal.refusals(of: "I1").map(\.refusal.reason) == ["not_inspector"])
        try journal.close()
        #expect(try Journal.verify(path: folder.path()).isIntact)
    }

    @Test func anOpenInspectionCannotBeSignedAndAnUnsignedOneStillTakesCorrections() throws {
        let folder = try TemporaryFolder()
        let journal = try Journal(path: folder.path(), now: t0)
        try openInspection(journal, "I1")
        let item = try judge(journal, "I1", "a", .fail)
        #expect(throws: JournalError.self) { try journal.signOff("I1", user: "insp1", name: "I", role: "inspector", comment: nil, at: t0) }
        try close(journal, "I1", .fail, at: t0)
        try judge(journal, "I1", "a", .pass, corrects: item.sequence)
        #expect(try !journal.isSigned("I1"))
    }
}

@Suite(.offThePool)
struct StatisticsTests {
    @Test(arguments: [StatisticsPeriod.day, .week, .month])
    func statisticsEqualTheFiguresCountedFromTheEntries(period: StatisticsPeriod) throws {
        let day = try SimulatedDay()
        let offset = 8 * 3600
        let (from, to) = period.range(containing: day.start.adding(milliseconds: 3_600_000), utcOffsetSeconds: offset)
        let stats = try day.journal.statistics(from: from, to: to, utcOffsetSeconds: offset)
        let direct = try DirectJournal(day.journal)
        let attempts = direct.inspections.filter { $0.openedAt >= from && $0.openedAt < to }
        #expect(attempts.count > 50)

        #expect(stats.vehicles == Set(attempts.map(\.vehicleID)).count)
        func count(_ list: [InspectionRecord]) -> (pass: Int, fail: Int, total: Int) {
            (list.filter { direct.outcomes[$0.id]?.status == .pass }.count,
             list.filter { direct.outcomes[$0.id]?.status == .fail }.count, list.count)
        }
        let overall = count(attempts)
        #expect(stats.overall.attempts == overall.total && stats.overall.pass == overall.pass && stats.overall.fail == overall.fail)
        #expect(overall.fail > 0 && overall.pass > 0)
        let firsts = count(attempts.filter { $0.attempt == 1 })
        #expect(stats.firstAttempts.pass == firsts.pass && stats.firstAttempts.fail == firsts.fail)
        for lane in ["L1", "L2"] {
            let c = count(attempts.filter { $0.lane.rawValue == lane })
            #expect(stats.byLane[lane]?.pass == c.pass && stats.byLane[lane]?.fail == c.fail && stats.byLane[lane]?.attempts == c.total)
        }
        let drivers = Set(attempts.compactMap { direct.assignments[$0.id]?.first?.driver.rawValue })
        #expect(Set(stats.byDriver.keys) == drivers)
        for driver in drivers {
            let c = count(attempts.filter { direct.assignments[$0.id]?.first?.driver.rawValue == driver })
            #expect(stats.byDriver[driver]?.pass == c.pass && stats.byDriver[driver]?.fail == c.fail)
            let times = attempts.filter { direct.assignments[$0.id]?.first?.driver.rawValue == driver }
                .compactMap { a in direct.outcomes[a.id].map { Double($0.closedAt.milliseconds - a.openedAt.milliseconds) / 1000 } }
            #expect(stats.laneTimeByDriver[driver] == DurationSummary(times))
        }
        // Pass rate per item and failures by cause.
        var itemPass: [String: Int] = [:], itemFail: [String: Int] = [:], causes: [String: Set<InspectionID>] = [:]
        for a in attempts {
            for item in direct.currentItems(a.id) {
                if item.verdict == .pass { itemPass[item.item, default: 0] += 1 }
                if item.verdict == .fail {
                    itemFail[item.item, default: 0] += 1
                    let parts = item.item.split(separator: ".")
                    causes["\(parts.first!).\(parts.last!)", default: []].insert(a.id)
                }
            }
        }
        for (item, counts) in stats.byItem {
            #expect(counts.pass == itemPass[item, default: 0] && counts.fail == itemFail[item, default: 0], "\(item)")
        }
        #expect(Set(stats.byItem.keys) == Set(itemPass.keys).union(itemFail.keys))
        #expect(stats.failuresByCause == causes.mapValues(\.count))
        #expect(!causes.isEmpty)
        // Waits (first attempts) and lane times, overall and per lane.
        let waits = attempts.filter { $0.attempt == 1 }.map { Double($0.openedAt.milliseconds - direct.vehicles[$0.vehicleID]!.arrivedAt.milliseconds) / 1000 }
        #expect(stats.waiting == DurationSummary(waits))
        for lane in ["L1", "L2"] {
            let w = attempts.filter { $0.attempt == 1 && $0.lane.rawValue == lane }
                .map { Double($0.openedAt.milliseconds - direct.vehicles[$0.vehicleID]!.arrivedAt.milliseconds) / 1000 }
            #expect(stats.waitingByLane[lane] == DurationSummary(w))
            let t = attempts.filter { $0.lane.rawValue == lane }
                .compactMap { a in direct.outcomes[a.id].map { Double($0.closedAt.milliseconds - a.openedAt.milliseconds) / 1000 } }
            #expect(stats.laneTimeByLane[lane] == DurationSummary(t))
        }
        // Vehicles per local hour: each vehicle in the hour (UTC+8) of its first attempt.
        var hours = Array(repeating: 0, count: 24)
        var first: [String: WallTime] = [:]
        for a in attempts { first[a.vehicleID] = min(first[a.vehicleID] ?? a.openedAt, a.openedAt) }
        for t in first.values {
            let local = t.date.addingTimeInterval(Double(offset))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            hours[calendar.component(.hour, from: local)] += 1
        }
        #expect(stats.vehiclesByHour == hours)
        #expect(stats.vehiclesByHour.reduce(0, +) == stats.vehicles)
        #expect(stats.vehiclesByDay.values.reduce(0, +) == stats.vehicles)
        #expect(hours.filter { $0 > 0 }.count >= 3, "a simulated day spreads over several hours")
    }

    @Test func periodsAreLocalDaysMondayWeeksAndCalendarMonths() throws {
        let offset = 8 * 3600
        // 2026-11-21 10:00 +08:00 is a Saturday.
        let t = try #require(StatisticsPeriod.parseDate("2026-11-21", utcOffsetSeconds: offset)).adding(milliseconds: 10 * 3_600_000)
        let day = StatisticsPeriod.day.range(containing: t, utcOffsetSeconds: offset)
        #expect(day.from == StatisticsPeriod.parseDate("2026-11-21", utcOffsetSeconds: offset))
        #expect(day.to.milliseconds - day.from.milliseconds == 86_400_000)
        #expect(day.from.iso8601.hasPrefix("2026-11-20T16:00:00"))
        let week = StatisticsPeriod.week.range(containing: t, utcOffsetSeconds: offset)
        #expect(week.from == StatisticsPeriod.parseDate("2026-11-16", utcOffsetSeconds: offset))
        #expect(week.to == StatisticsPeriod.parseDate("2026-11-23", utcOffsetSeconds: offset))
        let month = StatisticsPeriod.month.range(containing: t, utcOffsetSeconds: offset)
        #expect(month.from == StatisticsPeriod.parseDate("2026-11-01", utcOffsetSeconds: offset))
        #expect(month.to == StatisticsPeriod.parseDate("2026-12-01", utcOffsetSeconds: offset))
        #expect(StatisticsPeriod.parseDate("2026-02-30", utcOffsetSeconds: 0) == nil)
        #expect(StatisticsPeriod.parseDate("yesterday", utcOffsetSeconds: 0) == nil)
    }
}
