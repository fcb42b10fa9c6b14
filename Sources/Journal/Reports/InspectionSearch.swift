public import Foundation
import GRDB
public import LaneCore

/// What an inspector searches by on `/reports`. Every field is optional; set fields are ANDed.
public struct InspectionQuery: Hashable, Sendable, Codable {
    /// Part of the plate, any case (`A100` finds `京A10042`).
    public var plate: String?
    /// Part of the VIN, any case.
    public var vin: String?
    /// Attempts opened at or after this time.
    public var from: WallTime?
    /// Attempts opened before this time.
    public var to: WallTime?
    public var lane: LaneID?
    /// The driver assigned to the attempt.
    public var driver: DriverID?
    /// The outcome; ``Verdict/open`` for attempts without one.
    public var verdict: Verdict?
    /// True: signed (locked) attempts only; false: unsigned only.
    public var signed: Bool?
    /// At most this many rows, newest first (default 500).
    public var limit: Int
    /// One attempt by its id (the summary of a single inspection).
    public var inspection: InspectionID?

    /// An outcome filter: the closed statuses and `open`.
    public enum Verdict: String, Hashable, Sendable, Codable, CaseIterable {
        case pass, fail, incomplete, aborted, interrupted, open
    }

    public init(
        plate: String? = nil, vin: String? = nil, from: WallTime? = nil, to: WallTime? = nil, lane: LaneID? = nil,
        driver: DriverID? = nil, verdict: Verdict? = nil, signed: Bool? = nil, limit: Int = 500,
        inspection: InspectionID? = nil
    ) {
        self.inspection = inspection
        self.plate = plate
        self.vin = vin
        self.from = from
        self.to = to
        self.lane = lane
        self.driver = driver
        self.verdict = verdict
        self.signed = signed
        self.limit = limit
    }
}

/// One row of a search: an attempt with what the result list shows.
public struct InspectionSummary: Hashable, Sendable, Codable {
    public var id: InspectionID
    public var attempt: Int
    public var retestOf: InspectionID?
    /// The attempt that re-tests this one, if any.
    public var retestedBy: InspectionID?
    public var vehicleID: String
    public var plate: String
    public var vin: String?
    public var lane: LaneID
    public var openedAt: WallTime
    /// Nil while open.
    public var status: InspectionStatus?
    public var closedAt: WallTime?
    public var operatorID: String?
    /// The first driver assigned to the attempt.
    public var driver: DriverID?
    /// Current items judged `fail`, in item order.
    public var failedItems: [String]
    /// The inspector who signed (approved) the attempt, and when; nil while unsigned.
    public var signedBy: String?
    public var signedAt: WallTime?

    enum CodingKeys: String, CodingKey {
        case id, attempt, plate, vin, lane, status, driver
        case retestOf = "retest_of"
        case retestedBy = "retested_by"
        case vehicleID = "vehicle_id"
        case openedAt = "opened_at"
        case closedAt = "closed_at"
        case operatorID = "operator_id"
        case failedItems = "failed_items"
        case signedBy = "signed_by"
        case signedAt = "signed_at"
    }

    /// The CSV header matching ``csvFields``.
    public static let csvHeader = [
        "inspection_id", "attempt", "retest_of", "retested_by", "vehicle_id", "plate", "vin", "lane", "opened_at",
        "status", "closed_at", "operator", "driver", "failed_items", "signed_by", "signed_at",
    ]

    /// The row's fields for CSV, in ``csvHeader`` order (times in ISO 8601 UTC).
    public var csvFields: [String] {
        [
            id.rawValue, String(attempt), retestOf?.rawValue ?? "", retestedBy?.rawValue ?? "", vehicleID, plate,
            vin ?? "", lane.rawValue, openedAt.iso8601, status?.rawValue ?? "open", closedAt?.iso8601 ?? "",
            operatorID ?? "", driver?.rawValue ?? "", failedItems.joined(separator: " "), signedBy ?? "",
            signedAt?.iso8601 ?? "",
        ]
    }
}

/// RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled, lines end in CRLF.
public enum CSV {
    /// One field, quoted when needed.
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A table: the header line then one line per row.
    public static func table(header: [String], rows: [[String]]) -> String {
        var out = header.map(field).joined(separator: ",") + "\r\n"
        for row in rows { out += row.map(field).joined(separator: ",") + "\r\n" }
        return out
    }
}

extension Journal {
    /// The attempts matching `query`, newest first.
    public func search(_ query: InspectionQuery) throws -> [InspectionSummary] {
        try read { db in try Self.search(query, db: db) }
    }

    static func search(_ query: InspectionQuery, db: Database) throws -> [InspectionSummary] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let inspection = query.inspection {
            conditions.append("i.id = ?")
            arguments.append(inspection.rawValue)
        }
        if let plate = query.plate?.trimmingCharacters(in: .whitespaces), !plate.isEmpty {
            conditions.append("instr(upper(v.plate), upper(?)) > 0")
            arguments.append(plate)
        }
        if let vin = query.vin?.trimmingCharacters(in: .whitespaces), !vin.isEmpty {
            conditions.append("instr(upper(coalesce(v.vin, '')), upper(?)) > 0")
            arguments.append(vin)
        }
        if let from = query.from {
            conditions.append("i.opened_at >= ?")
            arguments.append(from.milliseconds)
        }
        if let to = query.to {
            conditions.append("i.opened_at < ?")
            arguments.append(to.milliseconds)
        }
        if let lane = query.lane {
            conditions.append("i.lane = ?")
            arguments.append(lane.rawValue)
        }
        if let driver = query.driver {
            conditions.append("EXISTS (SELECT 1 FROM assignments a WHERE a.inspection_id = i.id AND a.driver = ?)")
            arguments.append(driver.rawValue)
        }
        switch query.verdict {
        case nil: break
        case .open?: conditions.append("o.status IS NULL")
        case let verdict?:
            conditions.append("o.status = ?")
            arguments.append(verdict.rawValue)
        }
        switch query.signed {
        case nil: break
        case true?: conditions.append("EXISTS (\(signedSQL))")
        case false?: conditions.append("NOT EXISTS (\(signedSQL))")
        }
        let sql = """
            SELECT i.id, i.attempt, i.retest_of, i.vehicle_id, i.lane, i.opened_at, i.operator_id,
                   v.plate, v.vin, o.status, o.closed_at,
                   (SELECT r.id FROM inspections r WHERE r.retest_of = i.id) AS retested_by,
                   (SELECT a.driver FROM assignments a WHERE a.inspection_id = i.id ORDER BY a.journal_seq LIMIT 1) AS driver,
                   (SELECT group_concat(item, ' ') FROM (SELECT it.item FROM items it WHERE it.inspection_id = i.id
                      AND it.verdict = 'fail' AND NOT EXISTS (SELECT 1 FROM items c WHERE c.corrects = it.journal_seq)
                      ORDER BY it.item)) AS failed,
                   (SELECT s.user_id FROM signoffs s WHERE s.inspection_id = i.id AND s.decision = 'approved'
                      ORDER BY s.journal_seq LIMIT 1) AS signed_by,
                   (SELECT s.at FROM signoffs s WHERE s.inspection_id = i.id AND s.decision = 'approved'
                      ORDER BY s.journal_seq LIMIT 1) AS signed_at
            FROM inspections i JOIN vehicles v ON v.id = i.vehicle_id
            LEFT JOIN inspection_outcomes o ON o.inspection_id = i.id
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY i.opened_at DESC, i.journal_seq DESC
            LIMIT ?
            """
        arguments.append(max(0, query.limit))
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
            InspectionSummary(
                id: InspectionID(rawValue: row["id"]), attempt: row["attempt"],
                retestOf: (row["retest_of"] as String?).map(InspectionID.init(rawValue:)),
                retestedBy: (row["retested_by"] as String?).map(InspectionID.init(rawValue:)),
                vehicleID: row["vehicle_id"], plate: row["plate"], vin: row["vin"], lane: LaneID(rawValue: row["lane"]),
                openedAt: WallTime(milliseconds: row["opened_at"]),
                status: (row["status"] as String?).flatMap(InspectionStatus.init(rawValue:)),
                closedAt: (row["closed_at"] as Int64?).map(WallTime.init(milliseconds:)),
                operatorID: row["operator_id"], driver: (row["driver"] as String?).map(DriverID.init(rawValue:)),
                failedItems: ((row["failed"] as String?) ?? "").split(separator: " ").map(String.init),
                signedBy: row["signed_by"], signedAt: (row["signed_at"] as Int64?).map(WallTime.init(milliseconds:)))
        }
    }

    /// The search row of one attempt, nil when there is no such inspection.
    public func summary(of inspection: InspectionID) throws -> InspectionSummary? {
        try search(InspectionQuery(limit: 1, inspection: inspection)).first
    }

    /// `SELECT 1` when inspection `i.id` carries an approving signature (it is locked).
    static let signedSQL = "SELECT 1 FROM signoffs s WHERE s.inspection_id = i.id AND s.decision = 'approved'"
}
