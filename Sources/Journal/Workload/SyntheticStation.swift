import GRDB
public import LaneCore

/// A deterministic pseudo-random generator (SplitMix64), so a workload replays identically from its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Writes realistic inspections into a journal, one acknowledged transaction per event, for the
/// crash test (`lanectl journal torture`), the benchmark and demos. Not used by the station itself.
public struct SyntheticStation {
    public var random: SplitMix64
    public var clock: WallTime
    private var started = false
    private var drawIndex: [String: Int] = [:]
    private var inspectionCount = 0
    /// Software version written on inspections.
    public var softwareVersion = "lanecontrol-synthetic"

    public init(seed: UInt64, start: WallTime) {
        random = SplitMix64(seed: seed)
        clock = start
    }

    static let lanes: [LaneID] = ["L1", "L2"]
    static func drivers(_ lane: LaneID) -> [DriverID] {
        lane == "L1" ? ["D01", "D02", "D03", "D04"] : ["D05", "D06", "D07", "D08"]
    }

    mutating func tick(_ ms: Int64) -> WallTime {
        clock = clock.adding(milliseconds: ms)
        return clock
    }

    /// Runs one inspection through every kind of evidence. `acknowledged` is called after each
    /// committed transaction with its last entry. `prefix` keeps ids unique across processes.
    @discardableResult
    public mutating func runInspection(
        journal: Journal, prefix: String, acknowledged: (JournalEntry) -> Void = { _ in }
    ) throws -> InspectionID {
        func ack(_ entry: JournalEntry) { acknowledged(entry) }
        if !started {
            for (id, name, role) in [("op1", "Operator One", "operator"), ("insp1", "Inspector One", "inspector")] {
                if try journal.read({ db in try UserRecord.fetchOne(db, key: id) }) == nil {
                    ack(try journal.record(UserRecord(id: id, name: name, role: role), actor: "admin", at: tick(1)))
                }
            }
            for lane in Self.lanes {
                let shift = "\(prefix)-shift-\(lane)"
                let seed = (0..<4).map { _ in String(random.next(), radix: 16) }.joined()
                ack(
                    try journal.record(
                        ShiftRecord(id: shift, lane: lane, openedAt: clock, seedHash: sha256Hex(Array(seed.utf8))),
                        actor: "system", at: tick(1)))
            }
            started = true
        }
        inspectionCount += 1
        let n = inspectionCount
        let lane = Self.lanes[n % 2]
        let vehicleID = "\(prefix)-V\(n)"
        var vehicle = Vehicle(plate: "京A\(10000 + n)")
        vehicle.category = "M1"
        vehicle.serviceBrake = .hydraulic
        ack(try journal.record(VehicleRecord(id: vehicleID, vehicle: vehicle, arrivedAt: clock), actor: "op1", at: clock))
        let id = InspectionID("\(prefix)-I\(n)")
        let opened = tick(Int64.random(in: 30_000...600_000, using: &random))
        ack(
            try journal.record(
                InspectionRecord(
                    id: id, vehicleID: vehicleID, lane: lane, openedAt: opened, operatorID: "op1",
                    softwareVersion: softwareVersion, profileVersion: "synthetic-1"), actor: "op1", at: opened))
        let shift = "\(prefix)-shift-\(lane)"
        let index = drawIndex[shift, default: 0]
        drawIndex[shift] = index + 1
        let eligible = Self.drivers(lane)
        let chosen = eligible[Int.random(in: 0..<eligible.count, using: &random)]
        let t = tick(500)
        ack(
            try journal.write { tx in
                try tx.record(
                    DrawRecord(shiftID: shift, drawIndex: index, eligible: eligible, chosen: chosen, inspection: id, at: t),
                    actor: "system", at: t)
                return try tx.record(
                    AssignmentRecord(inspection: id, driver: chosen, task: "drive.lane", shiftID: shift, drawIndex: index, at: t),
                    actor: "system", at: t)
            })
        let promptID = "\(id.rawValue)-P1"
        ack(
            try journal.record(
                PromptRecord(id: promptID, inspection: id, recipient: chosen.rawValue, kind: "brake.now", text: "踩刹车 / Brake now", at: tick(2_000)),
                actor: "system", at: clock))
        ack(
            try journal.record(
                AcknowledgementRecord(promptID: promptID, inspection: id, actor: chosen.rawValue, response: "ok", at: tick(1_500)),
                actor: chosen.rawValue, at: clock))
        var allPass = true
        for axle in 1...2 {
            let measurementID = "\(id.rawValue)/brake.axle\(axle)"
            let start = Int64(n) * 1_000_000_000_000 + Int64(axle) * 10_000_000_000
            let peakLeft = Double.random(in: 2500...4500, using: &random)
            let peakRight = peakLeft * Double.random(in: 0.8...1.0, using: &random)
            ack(
                try journal.record(
                    MeasurementRecord(
                        id: measurementID, inspection: id, station: "brake", rig: RigID("\(lane.rawValue).brake"),
                        name: "brake.axle\(axle)", figures: ["peak_left_n": peakLeft, "peak_right_n": peakRight],
                        startedMonotonicNs: start, endedMonotonicNs: start + 3_000_000_000, at: tick(4_000)),
                    actor: "system", at: clock))
            for (channel, peak) in [("force_left", peakLeft), ("force_right", peakRight)] {
                let points = 300
                let times = (0..<points).map { start + Int64($0) * 10_000_000 }
                let values = (0..<points).map { i -> Double in
                    let x = Double(i) / Double(points)
                    return peak * min(1, x * 3) * (x > 0.8 ? (1 - x) * 5 : 1) + Double.random(in: -5...5, using: &random)
                }
                let curve = Curve(channel: channel, unit: "N", resolution: 1, timesNs: times, values: values)
                ack(try journal.record(curve: try CurveRecord(measurementID: measurementID, inspection: id, curve: curve), actor: "system", at: clock))
            }
            let imbalance = (peakLeft - peakRight) / peakLeft * 100
            let verdict: ItemVerdict = imbalance <= 20 ? .pass : .fail
            if verdict == .fail { allPass = false }
            ack(
                try journal.record(
                    ItemRecord(
                        inspection: id, item: "brake.axle\(axle).imbalance", value: imbalance, unit: "%", limit: "≤ 20",
                        verdict: verdict, ruleset: "GB 7258", rulesetVersion: "2017", clause: "7.2.9",
                        explanation: "left/right difference over the rise / 制动力差", measurementID: measurementID, at: tick(10)),
                    actor: "system", at: clock))
        }
        let status: InspectionStatus = allPass ? .pass : .fail
        ack(try journal.record(OutcomeRecord(inspection: id, status: status, closedAt: tick(60_000)), actor: "system", at: clock))
        ack(
            try journal.record(
                SignOffRecord(inspection: id, userID: "insp1", decision: allPass ? .approved : .retestOrdered, comment: nil, at: tick(5_000)),
                actor: "insp1", at: clock))
        return id
    }
}
