import Foundation
import Journal
import LaneCore
import Testing

/// A small day with known figures: 3 vehicles, 4 attempts (one re-test) on 2 lanes, and one vehicle
/// the next day that must not count.
struct SmallDay {
    let folder: TemporaryFolder
    let journal: Journal

    static func s(_ seconds: Int64) -> WallTime { t0.adding(milliseconds: seconds * 1000) }

    init() throws {
        folder = try TemporaryFolder()
        journal = try Journal(path: folder.path(), now: t0)
        let s = Self.s
        try journal.record(UserRecord(id: "insp1", name: "Inspector", role: "inspector"), actor: "admin", at: t0)
        try journal.record(ShiftRecord(id: "S-L1", lane: "L1", openedAt: t0, seedHash: "ab"), actor: "system", at: t0)
        try journal.record(ShiftRecord(id: "S-L2", lane: "L2", openedAt: t0, seedHash: "cd"), actor: "system", at: t0)
        var draws: [String: Int] = [:]
        func attempt(
            _ id: InspectionID, vehicle: String, lane: LaneID, arrived: Int64, opened: Int64, closed: Int64,
            driver: DriverID, items: [(String, ItemVerdict)], status: InspectionStatus, retestOf: InspectionID? = nil
        ) throws {
            try openInspection(
                journal, id, vehicle: vehicle, lane: lane, arrived: s(arrived), opened: s(opened),
                attempt: retestOf == nil ? 1 : 2, retestOf: retestOf)
            let shift = "S-\(lane.rawValue)"
            let index = draws[shift, default: 0]
            draws[shift] = index + 1
            try journal.write { tx in
                try tx.record(
                    DrawRecord(shiftID: shift, drawIndex: index, eligible: lane == "L1" ? ["D01", "D02"] : ["D05", "D06"], chosen: driver, inspection: id, at: s(opened)),
                    actor: "system", at: s(opened))
                try tx.record(
                    AssignmentRecord(inspection: id, driver: driver, task: "drive.lane", shiftID: shift, drawIndex: index, at: s(opened)),
                    actor: "system", at: s(opened))
            }
            try journal.record(
                PromptRecord(id: "\(id)-p", inspection: id, recipient: driver.rawValue, kind: "brake.now", text: "Brake now", at: s(opened + 5)),
                actor: "system", at: s(opened + 5))
            try journal.record(
                AcknowledgementRecord(promptID: "\(id)-p", inspection: id, actor: driver.rawValue, response: "ok", at: s(opened + 6)),
                actor: driver.rawValue, at: s(opened + 6))
            try journal.record(
                MeasurementRecord(id: "\(id)/brake.axle1", inspection: id, station: "brake", name: "brake.axle1", figures: ["peak_left_n": 4000], at: s(opened + 10)),
                actor: "system", at: s(opened + 10))
            try journal.record(
                curve: try CurveRecord(
                    measurementID: "\(id)/brake.axle1", inspection: id,
                    curve: Curve(channel: "force_left", unit: "N", resolution: 1, timesNs: [0, 10_000_000, 20_000_000], values: [0, 2000, 4000])),
                actor: "system", at: s(opened + 10))
            for (item, verdict) in items { try judge(journal, id, item, verdict, at: s(opened + 11)) }
            try close(journal, id, status, at: s(closed))
        }
        try attempt("I1", vehicle: "V1", lane: "L1", arrived: 0, opened: 60, closed: 300, driver: "D01", items: [("a", .pass), ("b", .pass)], status: .pass)
        try attempt("I2", vehicle: "V2", lane: "L2", arrived: 10, opened: 130, closed: 400, driver: "D05", items: [("a", .pass), ("b", .fail)], status: .fail)
        try attempt("I4", vehicle: "V3", lane: "L1", arrived: 20, opened: 200, closed: 260, driver: "D02", items: [("a", .incomplete)], status: .incomplete)
        try journal.record(SignOffRecord(inspection: "I2", userID: "insp1", decision: .retestOrdered, comment: "b", at: s(500)), actor: "insp1", at: s(500))
        try attempt("I3", vehicle: "V2", lane: "L2", arrived: 10, opened: 1000, closed: 1200, driver: "D05", items: [("b", .pass)], status: .pass, retestOf: "I2")
        try journal.record(SignOffRecord(inspection: "I3", userID: "insp1", decision: .approved, comment: nil, at: s(1300)), actor: "insp1", at: s(1300))
        try journal.record(ShiftCloseRecord(shiftID: "S-L2", closedAt: s(2000), seed: "00ff"), actor: "system", at: s(2000))
        try attempt("I9", vehicle: "V9", lane: "L1", arrived: 90_000, opened: 90_100, closed: 90_200, driver: "D01", items: [("a", .fail)], status: .fail)
    }
}

struct QueryTests {
    @Test func dayStatisticsCountVehiclesPassRatesAndTimes() throws {
        let day = try SmallDay()
        let stats = try day.journal.statistics(from: t0, to: t0.adding(milliseconds: 86_400_000))
        #expect(stats.vehicles == 3)
        #expect(stats.overall.attempts == 4)
        #expect(stats.overall.pass == 2 && stats.overall.fail == 1 && stats.overall.incomplete == 1)
        #expect(stats.overall.passRate == 2.0 / 3.0)
        #expect(stats.firstAttempts.attempts == 3 && stats.firstAttempts.pass == 1)
        #expect(stats.byLane["L1"]?.attempts == 2 && stats.byLane["L1"]?.incomplete == 1)
        #expect(stats.byLane["L2"]?.passRate == 0.5)
        #expect(stats.byDriver["D05"]?.attempts == 2)
        #expect(stats.byDriver["D01"]?.pass == 1 && stats.byDriver["D02"]?.incomplete == 1)
        #expect(stats.byItem["a"]?.pass == 2 && stats.byItem["a"]?.incomplete == 1)
        #expect(stats.byItem["b"]?.pass == 2 && stats.byItem["b"]?.fail == 1)
        #expect(stats.waiting.count == 3 && stats.waiting.mean == 120 && stats.waiting.max == 180)
        #expect(stats.laneTime.count == 4 && stats.laneTime.mean == 192.5 && stats.laneTime.max == 270)
        #expect(stats.laneTimeByLane["L1"]?.mean == 150)
    }

    @Test func inspectionReportHasItemsCurvesPromptsDrawAndHistory() throws {
        let day = try SmallDay()
        let report = try #require(try day.journal.report(for: "I3"))
        #expect(report.vehicle.id == "V2")
        #expect(report.outcome?.status == .pass)
        #expect(report.currentItems.map(\.item) == ["b"])
        #expect(report.curves.first?.curve.values == [0, 2000, 4000])
        #expect(report.prompts.count == 1 && report.acknowledgements.count == 1)
        #expect(report.assignments.first?.driver == "D05")
        #expect(report.draws.first?.drawIndex == 1)
        #expect(report.shifts.map(\.id) == ["S-L2"])
        #expect(report.shiftCloses.first?.seed == "00ff")
        #expect(report.signOffs.map(\.decision) == [.approved])
        #expect(report.history.map(\.id) == ["I2", "I3"])
        #expect(report.history.map(\.status) == [.fail, .pass])
        #expect(try day.journal.report(for: "I2")?.history.map(\.attempt) == [1, 2])
        #expect(try day.journal.report(for: "nope") == nil)
    }

    @Test func evidenceBundleChecksOfflineAndCatchesEdits() throws {
        let day = try SmallDay()
        let bundle = try #require(try day.journal.evidenceBundle(for: "I3", exportedAt: SmallDay.s(3000)))
        #expect(bundle.checkOffline().isEmpty, "\(bundle.checkOffline())")
        let kinds = Set(bundle.entries.map(\.kind))
        for kind: EntryKind in [.vehicleRegistered, .inspectionOpened, .driverDrawn, .driverAssigned, .shiftOpened, .shiftClosed,
            .curveRecorded, .itemJudged, .inspectionClosed, .inspectionSigned, .promptIssued, .promptAcknowledged, .userAdded]
        {
            #expect(kinds.contains(kind), "bundle lacks \(kind)")
        }
        let decoded = try JSONDecoder().decode(EvidenceBundle.self, from: try bundle.jsonData())
        #expect(decoded == bundle)

        var editedItem = decoded
        editedItem.report.items[0].record.value = 12
        #expect(!editedItem.checkOffline().isEmpty)
        var editedEntry = decoded
        editedEntry.entries[0].actor = "mallory"
        #expect(editedEntry.checkOffline().contains { $0.contains("does not match its hash") })
        var editedCurve = decoded
        editedCurve.report.curves[0].data[editedCurve.report.curves[0].data.count - 1] ^= 1
        #expect(!editedCurve.checkOffline().isEmpty)
    }
}
