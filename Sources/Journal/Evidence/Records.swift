public import GRDB
public import LaneCore

/// A person who acts at the station: operator, inspector, valet driver, administrator.
public struct UserRecord: EvidenceRecord {
    public static let databaseTableName = "users"
    public static let entryKind = EntryKind.userAdded
    public var id: String
    public var name: String
    /// `operator`, `inspector`, `driver`, `admin`.
    public var role: String
    public var inspectionID: InspectionID? { nil }

    public init(id: String, name: String, role: String) {
        self.id = id
        self.name = name
        self.role = role
    }
}

/// A vehicle as checked in at the station (one row per check-in; the same plate may come back another day).
public struct VehicleRecord: EvidenceRecord {
    public static let databaseTableName = "vehicles"
    public static let entryKind = EntryKind.vehicleRegistered
    /// The station's id for this check-in (`"V-20261121-0042"`).
    public var id: String
    public var plate: String
    public var vin: String?
    /// Everything the rules need, stored as JSON.
    public var data: Vehicle
    /// When the vehicle arrived (waiting time runs from here to the inspection's start).
    public var arrivedAt: WallTime
    public var inspectionID: InspectionID? { nil }

    enum CodingKeys: String, CodingKey {
        case id, plate, vin, data
        case arrivedAt = "arrived_at"
    }

    public init(id: String, vehicle: Vehicle, arrivedAt: WallTime) {
        self.id = id
        self.plate = vehicle.plate
        self.vin = vehicle.vin
        self.data = vehicle
        self.arrivedAt = arrivedAt
    }
}

/// One attempt at inspecting a vehicle on a lane. A re-test is a new attempt whose `retestOf` names
/// the previous one; attempt numbers count 1, 2, 3 along that chain.
public struct InspectionRecord: EvidenceRecord {
    public static let databaseTableName = "inspections"
    public static let entryKind = EntryKind.inspectionOpened
    public var id: InspectionID
    public var vehicleID: String
    public var lane: LaneID
    /// 1 for the first attempt, previous + 1 for a re-test.
    public var attempt: Int
    /// The previous attempt, for a re-test.
    public var retestOf: InspectionID?
    public var openedAt: WallTime
    /// The operator who started it.
    public var operatorID: String?
    /// Software and lane-profile versions that ran it (evidence: what produced the figures).
    public var softwareVersion: String
    public var profileVersion: String
    public var inspectionID: InspectionID? { id }

    enum CodingKeys: String, CodingKey {
        case id, lane, attempt
        case vehicleID = "vehicle_id"
        case retestOf = "retest_of"
        case openedAt = "opened_at"
        case operatorID = "operator_id"
        case softwareVersion = "software_version"
        case profileVersion = "profile_version"
    }

    public init(
        id: InspectionID, vehicleID: String, lane: LaneID, attempt: Int = 1, retestOf: InspectionID? = nil,
        openedAt: WallTime, operatorID: String? = nil, softwareVersion: String, profileVersion: String
    ) {
        self.id = id
        self.vehicleID = vehicleID
        self.lane = lane
        self.attempt = attempt
        self.retestOf = retestOf
        self.openedAt = openedAt
        self.operatorID = operatorID
        self.softwareVersion = softwareVersion
        self.profileVersion = profileVersion
    }
}

/// How an inspection attempt ended. An attempt without an outcome is open.
public enum InspectionStatus: String, Hashable, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    case pass, fail
    /// The data were not good enough for a verdict (a data-quality gate refused it).
    case incomplete
    /// An operator stopped it.
    case aborted
    /// The process stopped while it was open; marked at the next start.
    case interrupted
}

/// The end of an inspection attempt (at most one per attempt: the table's key is the inspection id).
public struct OutcomeRecord: EvidenceRecord {
    public static let databaseTableName = "inspection_outcomes"
    public static let entryKind = EntryKind.inspectionClosed
    public var inspection: InspectionID
    public var status: InspectionStatus
    public var closedAt: WallTime
    public var reason: String?
    public var inspectionID: InspectionID? { inspection }

    enum CodingKeys: String, CodingKey {
        case status, reason
        case inspection = "inspection_id"
        case closedAt = "closed_at"
    }

    public init(inspection: InspectionID, status: InspectionStatus, closedAt: WallTime, reason: String? = nil) {
        self.inspection = inspection
        self.status = status
        self.closedAt = closedAt
        self.reason = reason
    }
}

/// The figures of one test step (`brake.axle1`, `headlamp.left.low`), from which items are judged.
public struct MeasurementRecord: EvidenceRecord {
    public static let databaseTableName = "measurements"
    public static let entryKind = EntryKind.measurementRecorded
    /// Unique id, conventionally `<inspection>/<name>`.
    public var id: String
    public var inspection: InspectionID
    /// The station in drive order (`brake`, `headlamp`, `emission`).
    public var station: String
    public var rig: RigID?
    /// Name of the step (`brake.axle1`).
    public var name: String
    /// Figures by name (`peak_left_n`: 4120.5 …).
    public var figures: [String: Double]
    /// Monotonic nanoseconds of the step's first and last sample, if known.
    public var startedMonotonicNs: Int64?
    public var endedMonotonicNs: Int64?
    public var at: WallTime
    public var inspectionID: InspectionID? { inspection }

    enum CodingKeys: String, CodingKey {
        case id, station, rig, name, figures, at
        case inspection = "inspection_id"
        case startedMonotonicNs = "started_mono_ns"
        case endedMonotonicNs = "ended_mono_ns"
    }

    public init(
        id: String, inspection: InspectionID, station: String, rig: RigID? = nil, name: String,
        figures: [String: Double], startedMonotonicNs: Int64? = nil, endedMonotonicNs: Int64? = nil, at: WallTime
    ) {
        self.id = id
        self.inspection = inspection
        self.station = station
        self.rig = rig
        self.name = name
        self.figures = figures
        self.startedMonotonicNs = startedMonotonicNs
        self.endedMonotonicNs = endedMonotonicNs
        self.at = at
    }
}

/// The verdict of one item.
public enum ItemVerdict: String, Hashable, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    case pass, fail, incomplete
    case notApplicable = "not_applicable"
}

/// One judged item (`brake.axle1.rate`): value, limit, verdict, and the rule that produced it.
public struct ItemRecord: EvidenceRecord {
    public static let databaseTableName = "items"
    public static let entryKind = EntryKind.itemJudged
    public var inspection: InspectionID
    /// Dotted item id: `brake.axle1.rate`, `headlamp.left.low.intensity`.
    public var item: String
    public var value: Double?
    public var unit: String?
    /// The limit as the standard states it (`≥ 60`, `≤ 20`, `[−170, +350] mm`).
    public var limit: String?
    public var verdict: ItemVerdict
    /// Ruleset id, its version and the clause applied (`GB 7258-2017`, `2017`, `7.2.9`).
    public var ruleset: String
    public var rulesetVersion: String
    public var clause: String?
    /// Why the verdict is what it is, for the report.
    public var explanation: String?
    /// The measurement the value came from.
    public var measurementID: String?
    /// The journal sequence of the item entry this one replaces (a correction), if any.
    public var corrects: Int64?
    public var at: WallTime
    public var inspectionID: InspectionID? { inspection }

    enum CodingKeys: String, CodingKey {
        case item, value, unit, limit, verdict, ruleset, clause, explanation, corrects, at
        case inspection = "inspection_id"
        case rulesetVersion = "ruleset_version"
        case measurementID = "measurement_id"
    }

    public init(
        inspection: InspectionID, item: String, value: Double?, unit: String?, limit: String?, verdict: ItemVerdict,
        ruleset: String, rulesetVersion: String, clause: String?, explanation: String?, measurementID: String? = nil,
        corrects: Int64? = nil, at: WallTime
    ) {
        self.inspection = inspection
        self.item = item
        self.value = value
        self.unit = unit
        self.limit = limit
        self.verdict = verdict
        self.ruleset = ruleset
        self.rulesetVersion = rulesetVersion
        self.clause = clause
        self.explanation = explanation
        self.measurementID = measurementID
        self.corrects = corrects
        self.at = at
    }
}

/// A prompt shown on a handheld or the console ("brake now", "park in bay 7").
public struct PromptRecord: EvidenceRecord {
    public static let databaseTableName = "prompts"
    public static let entryKind = EntryKind.promptIssued
    public var id: String
    public var inspection: InspectionID?
    /// Who it is for: a driver id, a handheld id, `console`.
    public var recipient: String
    /// Machine-readable kind (`brake.now`, `park`).
    public var kind: String
    /// The text shown.
    public var text: String
    public var at: WallTime
    public var inspectionID: InspectionID? { inspection }

    enum CodingKeys: String, CodingKey {
        case id, recipient, kind, text, at
        case inspection = "inspection_id"
    }

    public init(id: String, inspection: InspectionID?, recipient: String, kind: String, text: String, at: WallTime) {
        self.id = id
        self.inspection = inspection
        self.recipient = recipient
        self.kind = kind
        self.text = text
        self.at = at
    }
}

/// A prompt's acknowledgement by whoever received it.
public struct AcknowledgementRecord: EvidenceRecord {
    public static let databaseTableName = "acknowledgements"
    public static let entryKind = EntryKind.promptAcknowledged
    public var promptID: String
    public var inspection: InspectionID?
    public var actor: String
    /// `ok`, `refused`, `timeout` …
    public var response: String
    public var at: WallTime
    public var inspectionID: InspectionID? { inspection }

    enum CodingKeys: String, CodingKey {
        case actor, response, at
        case promptID = "prompt_id"
        case inspection = "inspection_id"
    }

    public init(promptID: String, inspection: InspectionID?, actor: String, response: String, at: WallTime) {
        self.promptID = promptID
        self.inspection = inspection
        self.actor = actor
        self.response = response
        self.at = at
    }
}

/// A drivers' shift: the draws of the shift come from a seed whose hash is published when it opens.
public struct ShiftRecord: EvidenceRecord {
    public static let databaseTableName = "shifts"
    public static let entryKind = EntryKind.shiftOpened
    public var id: String
    public var lane: LaneID?
    public var openedAt: WallTime
    /// Hex hash of the seed, published at open (the Valet module defines how it is computed).
    public var seedHash: String
    public var inspectionID: InspectionID? { nil }

    enum CodingKeys: String, CodingKey {
        case id, lane
        case openedAt = "opened_at"
        case seedHash = "seed_hash"
    }

    public init(id: String, lane: LaneID?, openedAt: WallTime, seedHash: String) {
        self.id = id
        self.lane = lane
        self.openedAt = openedAt
        self.seedHash = seedHash
    }
}

/// A shift's close, revealing its seed so anyone can re-run the draws.
public struct ShiftCloseRecord: EvidenceRecord {
    public static let databaseTableName = "shift_closes"
    public static let entryKind = EntryKind.shiftClosed
    public var shiftID: String
    public var closedAt: WallTime
    /// The seed (hex), revealed.
    public var seed: String
    public var inspectionID: InspectionID? { nil }

    enum CodingKeys: String, CodingKey {
        case seed
        case shiftID = "shift_id"
        case closedAt = "closed_at"
    }

    public init(shiftID: String, closedAt: WallTime, seed: String) {
        self.shiftID = shiftID
        self.closedAt = closedAt
        self.seed = seed
    }
}

/// One draw of a shift: who was eligible and whom the seeded generator chose.
public struct DrawRecord: EvidenceRecord {
    public static let databaseTableName = "draws"
    public static let entryKind = EntryKind.driverDrawn
    public var shiftID: String
    /// 0, 1, 2 … within the shift (the generator's position).
    public var drawIndex: Int
    /// Eligible drivers in the order the draw saw them.
    public var eligible: [DriverID]
    public var chosen: DriverID
    public var inspection: InspectionID?
    public var at: WallTime
    public var inspectionID: InspectionID? { inspection }

    enum CodingKeys: String, CodingKey {
        case eligible, chosen, at
        case shiftID = "shift_id"
        case drawIndex = "draw_index"
        case inspection = "inspection_id"
    }

    public init(
        shiftID: String, drawIndex: Int, eligible: [DriverID], chosen: DriverID, inspection: InspectionID?,
        at: WallTime
    ) {
        self.shiftID = shiftID
        self.drawIndex = drawIndex
        self.eligible = eligible
        self.chosen = chosen
        self.inspection = inspection
        self.at = at
    }
}

/// A driver assigned to an inspection, and the draw that chose them.
public struct AssignmentRecord: EvidenceRecord {
    public static let databaseTableName = "assignments"
    public static let entryKind = EntryKind.driverAssigned
    public var inspection: InspectionID
    public var driver: DriverID
    /// What the driver does (`drive.lane`, `park`).
    public var task: String
    public var shiftID: String
    public var drawIndex: Int
    public var at: WallTime
    public var inspectionID: InspectionID? { inspection }

    enum CodingKeys: String, CodingKey {
        case driver, task, at
        case inspection = "inspection_id"
        case shiftID = "shift_id"
        case drawIndex = "draw_index"
    }

    public init(inspection: InspectionID, driver: DriverID, task: String, shiftID: String, drawIndex: Int, at: WallTime) {
        self.inspection = inspection
        self.driver = driver
        self.task = task
        self.shiftID = shiftID
        self.drawIndex = drawIndex
        self.at = at
    }
}

/// An inspector's decision on an inspection's report.
public enum SignOffDecision: String, Hashable, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
    case approved
    case retestOrdered = "retest_ordered"
    case rejected
}

/// An inspector's signature (or refusal) on a report. A signed report is never edited.
public struct SignOffRecord: EvidenceRecord {
    public static let databaseTableName = "signoffs"
    public static let entryKind = EntryKind.inspectionSigned
    public var inspection: InspectionID
    public var userID: String
    public var decision: SignOffDecision
    public var comment: String?
    public var at: WallTime
    public var inspectionID: InspectionID? { inspection }

    enum CodingKeys: String, CodingKey {
        case decision, comment, at
        case inspection = "inspection_id"
        case userID = "user_id"
    }

    public init(inspection: InspectionID, userID: String, decision: SignOffDecision, comment: String?, at: WallTime) {
        self.inspection = inspection
        self.userID = userID
        self.decision = decision
        self.comment = comment
        self.at = at
    }
}
