import Foundation
import GRDB
import Journal
import LaneCore

/// A fresh folder per test, removed afterwards; the journal inside is a real WAL file with the real migrator.
final class TemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("journal-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String = "journal.sqlite") -> String { url.appendingPathComponent(name).path }
}

let t0 = WallTime(milliseconds: 1_795_000_000_000)  // 2026-11-17T…Z; any fixed time

/// Opens vehicle + inspection; returns the inspection id.
@discardableResult
func openInspection(
    _ journal: Journal, _ id: InspectionID, vehicle: String = "V1", lane: LaneID = "L1", arrived: WallTime = t0,
    opened: WallTime? = nil, attempt: Int = 1, retestOf: InspectionID? = nil
) throws -> InspectionID {
    if try journal.read({ db in try VehicleRecord.fetchOne(db, key: vehicle) }) == nil {
        var v = Vehicle(plate: "京A-\(vehicle)")
        v.category = "M1"
        try journal.record(VehicleRecord(id: vehicle, vehicle: v, arrivedAt: arrived), actor: "op1", at: arrived)
    }
    let at = opened ?? arrived.adding(milliseconds: 60_000)
    try journal.record(
        InspectionRecord(
            id: id, vehicleID: vehicle, lane: lane, attempt: attempt, retestOf: retestOf, openedAt: at,
            operatorID: "op1", softwareVersion: "test", profileVersion: "p1"), actor: "op1", at: at)
    return id
}

@discardableResult
func judge(
    _ journal: Journal, _ id: InspectionID, _ item: String, _ verdict: ItemVerdict, value: Double = 1,
    at: WallTime = t0, corrects: Int64? = nil
) throws -> JournalEntry {
    try journal.record(
        ItemRecord(
            inspection: id, item: item, value: value, unit: "%", limit: "≤ 20", verdict: verdict, ruleset: "GB 7258",
            rulesetVersion: "2017", clause: "7.2.9", explanation: "test", corrects: corrects, at: at),
        actor: "system", at: at)
}

func close(_ journal: Journal, _ id: InspectionID, _ status: InspectionStatus, at: WallTime) throws {
    try journal.record(OutcomeRecord(inspection: id, status: status, closedAt: at), actor: "system", at: at)
}
