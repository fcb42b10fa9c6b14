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
/// crash test (`lanectl journal torture`), the benchmark, the reports' tests and demos (`lanectl reports
/// serve`). Not used by the station itself.
///
/// Each inspection has a vehicle, a drawn and assigned driver with a prompt and its acknowledgement, two
/// brake axles (measurement, left and right force curves, imbalance item), both headlamps (measurement,
/// low-beam vertical and horizontal aim, high-beam intensity) and a two-speed idle emission test (CO, HC,
/// λ); a share of them fail. Re-tests (``runRetest(of:journal:orderedBy:)``) measure the failed stations
/// again with a fresh draw that excludes the previous driver.
public struct SyntheticStation: Sendable {
    public var random: SplitMix64
    public var clock: WallTime
    private var started = false
    private var drawIndex: [String: Int] = [:]
    private var inspectionCount = 0
    private var seeds: [String: String] = [:]
    private var shiftPrefix = ""
    /// 0 for the first shifts, +1 after each ``closeShifts(journal:acknowledged:)``.
    private var shiftGeneration = 0
    /// Software version written on inspections.
    public var softwareVersion = "lanecontrol-synthetic"
    /// The share of inspections the synthetic inspector signs (or, failed, orders a re-test for) at once.
    public var signOffProbability = 1.0

    public init(seed: UInt64, start: WallTime) {
        random = SplitMix64(seed: seed)
        clock = start
    }

    /// Items judged in a first attempt: one per brake axle (2), three per headlamp (2), three for emission.
    public static let itemsPerInspection = 2 * 1 + 2 * 3 + 3

    static let lanes: [LaneID] = ["L1", "L2"]
    static func drivers(_ lane: LaneID) -> [DriverID] {
        lane == "L1" ? ["D01", "D02", "D03", "D04"] : ["D05", "D06", "D07", "D08"]
    }

    mutating func tick(_ ms: Int64) -> WallTime {
        clock = clock.adding(milliseconds: ms)
        return clock
    }

    mutating func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &random) }

    /// Runs one inspection through every kind of evidence. `acknowledged` is called after each
    /// committed transaction with its last entry. `prefix` keeps ids unique across processes.
    @discardableResult
    public mutating func runInspection(
        journal: Journal, prefix: String, acknowledged: (JournalEntry) -> Void = { _ in }
    ) throws -> InspectionID {
        try startIfNeeded(journal: journal, prefix: prefix, acknowledged: acknowledged)
        inspectionCount += 1
        let n = inspectionCount
        let lane = Self.lanes[n % 2]
        let vehicleID = "\(prefix)-V\(n)"
        var vehicle = Vehicle(plate: "京A\(10000 + n)")
        vehicle.vin = "LSVAB4BR0KN\(String(100_000 + n * 7))"
        vehicle.category = "M1"
        vehicle.serviceBrake = .hydraulic
        acknowledged(try journal.record(VehicleRecord(id: vehicleID, vehicle: vehicle, arrivedAt: clock), actor: "op1", at: clock))
        let id = InspectionID("\(prefix)-I\(n)")
        let opened = tick(Int64.random(in: 30_000...600_000, using: &random))
        acknowledged(
            try journal.record(
                InspectionRecord(
                    id: id, vehicleID: vehicleID, lane: lane, openedAt: opened, operatorID: "op1",
                    softwareVersion: softwareVersion, profileVersion: "synthetic-1"), actor: "op1", at: opened))
        let allPass = try runStations(
            id, lane: lane, excluding: [], stations: ["brake.axle1", "brake.axle2", "headlamp.left", "headlamp.right", "emission"],
            repaired: false, journal: journal, acknowledged: acknowledged)
        if uniform(0...1) < signOffProbability {
            acknowledged(
                try journal.record(
                    SignOffRecord(inspection: id, userID: "insp1", decision: allPass ? .approved : .retestOrdered, comment: nil, at: tick(5_000)),
                    actor: "insp1", at: clock))
        }
        return id
    }

    /// Runs a re-test of `previous` (closed, not passed): a new attempt on the same lane measuring again only
    /// the stations whose items failed, driven by a driver drawn afresh among the lane's drivers except the
    /// one who drove `previous`. Journals the inspector's `retest_ordered` decision first. Returns the new id.
    @discardableResult
    public mutating func runRetest(
        of previous: InspectionID, journal: Journal, orderedBy inspector: String, at: WallTime? = nil,
        acknowledged: (JournalEntry) -> Void = { _ in }
    ) throws -> InspectionID {
        if let at, at > clock { clock = at }
        try startIfNeeded(journal: journal, prefix: shiftPrefix.isEmpty ? "retest" : shiftPrefix, acknowledged: acknowledged)
        guard let report = try journal.report(for: previous) else {
            throw JournalError(.unknownInspection, "re-test: there is no inspection \(previous). / 检验 \(previous) 不存在。")
        }
        let failed = report.currentItems.filter { $0.verdict == .fail }.map(\.item)
        let stations = Array(Set(failed.map(Self.station(ofItem:)))).sorted()
        let base = previous.rawValue.split(separator: "~").first.map(String.init) ?? previous.rawValue
        let id = InspectionID("\(base)~A\(report.inspection.attempt + 1)")
        let lane = report.inspection.lane
        let t = tick(1_000)
        acknowledged(
            try journal.write { tx in
                try tx.record(
                    SignOffRecord(
                        inspection: previous, userID: inspector, decision: .retestOrdered,
                        comment: "re-test \(id) of \(failed.joined(separator: ", "))", at: t), actor: inspector, at: t)
                return try tx.record(
                    InspectionRecord(
                        id: id, vehicleID: report.vehicle.id, lane: lane, attempt: report.inspection.attempt + 1,
                        retestOf: previous, openedAt: t, operatorID: report.inspection.operatorID,
                        softwareVersion: softwareVersion, profileVersion: report.inspection.profileVersion),
                    actor: inspector, at: t)
            })
        try runStations(
            id, lane: lane, excluding: Set(report.assignments.map(\.driver)), stations: stations, repaired: true,
            journal: journal, acknowledged: acknowledged)
        return id
    }

    /// Closes the shifts, revealing their seeds (the draws' proof); the next inspection opens new shifts.
    public mutating func closeShifts(journal: Journal, acknowledged: (JournalEntry) -> Void = { _ in }) throws {
        for (shift, seed) in seeds.sorted(by: { $0.key < $1.key }) {
            acknowledged(try journal.record(ShiftCloseRecord(shiftID: shift, closedAt: tick(1_000), seed: seed), actor: "system", at: clock))
        }
        seeds = [:]
        started = false
        shiftGeneration += 1
    }

    func shiftID(_ lane: LaneID) -> String {
        shiftGeneration == 0 ? "\(shiftPrefix)-shift-\(lane)" : "\(shiftPrefix)-shift\(shiftGeneration + 1)-\(lane)"
    }

    /// The station (`brake.axle1`, `headlamp.left`, `emission`) an item id belongs to.
    static func station(ofItem item: String) -> String {
        let parts = item.split(separator: ".")
        return parts.first == "emission" ? "emission" : parts.prefix(2).joined(separator: ".")
    }

    private mutating func startIfNeeded(journal: Journal, prefix: String, acknowledged: (JournalEntry) -> Void) throws {
        guard !started else { return }
        for (id, name, role) in [("op1", "Operator One", "operator"), ("insp1", "Inspector One", "inspector")] {
            if try journal.read({ db in try UserRecord.fetchOne(db, key: id) }) == nil {
                acknowledged(try journal.record(UserRecord(id: id, name: name, role: role), actor: "admin", at: tick(1)))
            }
        }
        shiftPrefix = prefix
        for lane in Self.lanes {
            let shift = shiftID(lane)
            var bytes: [UInt8] = []
            for _ in 0..<4 { withUnsafeBytes(of: random.next().bigEndian) { bytes.append(contentsOf: $0) } }
            seeds[shift] = hexString(bytes)
            acknowledged(
                try journal.record(
                    ShiftRecord(id: shift, lane: lane, openedAt: clock, seedHash: sha256Hex(bytes)),
                    actor: "system", at: tick(1)))
        }
        started = true
    }

    /// Draws and assigns a driver, prompts them, measures and judges `stations`, and closes the attempt.
    /// `repaired`: the vehicle was repaired after a failed attempt (every figure within its limit).
    @discardableResult
    private mutating func runStations(
        _ id: InspectionID, lane: LaneID, excluding: Set<DriverID>, stations: [String], repaired: Bool,
        journal: Journal, acknowledged: (JournalEntry) -> Void
    ) throws -> Bool {
        let shift = shiftID(lane)
        let index = drawIndex[shift, default: 0]
        drawIndex[shift] = index + 1
        let eligible = Self.drivers(lane).filter { !excluding.contains($0) }
        let chosen = eligible[Int.random(in: 0..<eligible.count, using: &random)]
        let t = tick(500)
        acknowledged(
            try journal.write { tx in
                try tx.record(
                    DrawRecord(shiftID: shift, drawIndex: index, eligible: eligible, chosen: chosen, inspection: id, at: t),
                    actor: "system", at: t)
                return try tx.record(
                    AssignmentRecord(inspection: id, driver: chosen, task: "drive.lane", shiftID: shift, drawIndex: index, at: t),
                    actor: "system", at: t)
            })
        var allPass = true
        var promptNumber = 0
        func prompt(_ kind: String, _ text: String, _ s: inout SyntheticStation) throws {
            promptNumber += 1
            let promptID = "\(id.rawValue)-P\(promptNumber)"
            acknowledged(
                try journal.record(
                    PromptRecord(id: promptID, inspection: id, recipient: chosen.rawValue, kind: kind, text: text, at: s.tick(2_000)),
                    actor: "system", at: s.clock))
            acknowledged(
                try journal.record(
                    AcknowledgementRecord(promptID: promptID, inspection: id, actor: chosen.rawValue, response: "ok", at: s.tick(1_500)),
                    actor: chosen.rawValue, at: s.clock))
        }
        func judge(
            _ item: String, _ value: Double, _ unit: String, _ limit: String, _ ok: Bool, clause: String,
            _ explanation: String, measurement: String, _ s: inout SyntheticStation
        ) throws {
            if !ok { allPass = false }
            acknowledged(
                try journal.record(
                    ItemRecord(
                        inspection: id, item: item, value: value, unit: unit, limit: limit, verdict: ok ? .pass : .fail,
                        ruleset: "GB 7258", rulesetVersion: "2017", clause: clause, explanation: explanation,
                        measurementID: measurement, at: s.tick(10)),
                    actor: "system", at: s.clock))
        }
        var s = self
        defer { self = s }
        let n = Int64(s.inspectionCount) * 10 + Int64(promptNumber)
        for station in stations {
            if station.hasPrefix("brake.axle"), let axle = Int(station.dropFirst("brake.axle".count)) {
                try prompt("brake.now", "踩刹车 / Brake now", &s)
                let measurementID = "\(id.rawValue)/brake.axle\(axle)"
                let start = n * 1_000_000_000_000 + Int64(axle) * 10_000_000_000
                // Whole newtons: the curves are stored at 1 N, and their peaks must equal the figures.
                let peakLeft = s.uniform(2500...4500).rounded()
                let peakRight = (peakLeft * (repaired ? s.uniform(0.9...1.0) : s.uniform(0.795...1.0))).rounded()
                acknowledged(
                    try journal.record(
                        MeasurementRecord(
                            id: measurementID, inspection: id, station: "brake", rig: RigID("\(lane.rawValue).brake"),
                            name: "brake.axle\(axle)", figures: ["peak_left_n": peakLeft, "peak_right_n": peakRight],
                            startedMonotonicNs: start, endedMonotonicNs: start + 3_000_000_000, at: s.tick(4_000)),
                        actor: "system", at: s.clock))
                for (channel, peak) in [("force_left", peakLeft), ("force_right", peakRight)] {
                    let points = 300
                    let times = (0..<points).map { start + Int64($0) * 10_000_000 }
                    var values = (0..<points).map { i -> Double in
                        let x = Double(i) / Double(points)
                        return min(peak, max(0, peak * min(1, x * 3) * (x > 0.8 ? (1 - x) * 5 : 1) + Double.random(in: -5...5, using: &s.random)))
                    }
                    values[points / 3] = peak  // the peak is exactly the figure recorded
                    let curve = Curve(channel: channel, unit: "N", resolution: 1, timesNs: times, values: values)
                    acknowledged(
                        try journal.record(
                            curve: try CurveRecord(measurementID: measurementID, inspection: id, curve: curve),
                            actor: "system", at: s.clock))
                }
                let imbalance = (peakLeft - peakRight) / max(peakLeft, peakRight) * 100
                try judge(
                    "brake.axle\(axle).imbalance", imbalance, "%", "≤ 20", imbalance <= 20, clause: "7.2.9",
                    "left/right difference over the rise, of the larger peak / 制动力差（最大差值占较大制动力百分比）",
                    measurement: measurementID, &s)
            } else if station.hasPrefix("headlamp.") {
                let side = String(station.dropFirst("headlamp.".count))
                try prompt("headlamp.low", "开近光灯 / Low beam on", &s)
                let measurementID = "\(id.rawValue)/headlamp.\(side)"
                let vertical = repaired ? s.uniform(0.74...0.86) : s.uniform(0.695...0.90)
                let horizontal = repaired ? s.uniform(-100...100) : s.uniform(-175...200)
                let intensity = repaired ? s.uniform(20_000...30_000) : s.uniform(14_500...40_000)
                let height = 700.0
                acknowledged(
                    try journal.record(
                        MeasurementRecord(
                            id: measurementID, inspection: id, station: "headlamp", rig: RigID("\(lane.rawValue).headlamp"),
                            name: "headlamp.\(side)",
                            figures: [
                                "low_beam_vertical_h": vertical, "low_beam_horizontal_mm": horizontal,
                                "high_beam_intensity_cd": intensity, "lamp_height_mm": height,
                            ], at: s.tick(6_000)),
                        actor: "system", at: s.clock))
                try judge(
                    "headlamp.\(side).low_beam_vertical", vertical, "H", "[0.70, 0.90]", (0.70...0.90).contains(vertical),
                    clause: "8.5.3.2", "low-beam cut-off height at 10 m, of the lamp height / 近光明暗截止线高度", measurement: measurementID, &s)
                try judge(
                    "headlamp.\(side).low_beam_horizontal", horizontal, "mm", "[-170, 350]", (-170...350).contains(horizontal),
                    clause: "8.5.3.2", "low-beam horizontal offset at 10 m / 近光水平偏移", measurement: measurementID, &s)
                try judge(
                    "headlamp.\(side).high_beam_intensity", intensity, "cd", "≥ 15000", intensity >= 15_000,
                    clause: "8.5.2", "high-beam luminous intensity / 远光发光强度", measurement: measurementID, &s)
            } else if station == "emission" {
                try prompt("emission.probe", "插入取样探头 / Insert the probe", &s)
                let measurementID = "\(id.rawValue)/emission"
                let idleCO = repaired ? s.uniform(0.05...0.3) : s.uniform(0.05...0.62)
                let idleHC = repaired ? s.uniform(10...50) : s.uniform(10...82)
                let lambda = repaired ? s.uniform(0.99...1.01) : s.uniform(0.968...1.03)
                acknowledged(
                    try journal.record(
                        MeasurementRecord(
                            id: measurementID, inspection: id, station: "emission", rig: RigID("\(lane.rawValue).emission"),
                            name: "emission.two_speed_idle",
                            figures: ["idle_co_pct": idleCO, "idle_hc_ppm": idleHC, "high_idle_lambda": lambda],
                            at: s.tick(90_000)),
                        actor: "system", at: s.clock))
                try judge("emission.idle.co", idleCO, "%", "≤ 0.6", idleCO <= 0.6, clause: "GB 18285-2018 5.2", "CO at idle / 怠速一氧化碳", measurement: measurementID, &s)
                try judge("emission.idle.hc", idleHC, "10⁻⁶", "≤ 80", idleHC <= 80, clause: "GB 18285-2018 5.2", "HC at idle / 怠速碳氢", measurement: measurementID, &s)
                try judge(
                    "emission.high_idle.lambda", lambda, "", "[0.97, 1.03]", (0.97...1.03).contains(lambda),
                    clause: "GB 18285-2018 5.2", "excess-air ratio at high idle / 高怠速过量空气系数", measurement: measurementID, &s)
            }
        }
        let status: InspectionStatus = allPass ? .pass : .fail
        acknowledged(try journal.record(OutcomeRecord(inspection: id, status: status, closedAt: s.tick(60_000)), actor: "system", at: s.clock))
        return allPass
    }
}
