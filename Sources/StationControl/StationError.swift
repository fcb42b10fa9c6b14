/// Why an operator, driver or inspector action was refused: what was wrong, where, in Chinese and English.
///
/// The server maps ``Kind`` to an HTTP status (`notFound` 404, `forbidden` 403, `conflict` 409, `invalid` 422)
/// and shows `zh`/`en` to the person; ``field`` names the form field or JSON path that was wrong, when there is one.
public struct StationError: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    /// What kind of refusal it is.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// The lane, driver, queue number, inspection or prompt does not exist.
        case notFound = "not_found"
        /// The caller may not do this (a driver acting on another driver's task).
        case forbidden
        /// The station is not in a state where this applies (shift not open, lane busy, stale prompt).
        case conflict
        /// The request's data is wrong (a bad plate, a VIN with a bad check digit, a missing reason).
        case invalid
    }

    public var kind: Kind
    /// The field or subject concerned (`plate`, `vin`, `reason`, a driver id, a queue number), if any.
    public var field: String?
    /// A stable machine-readable code (`plate`, `vin`, `duplicate`, `wrong_state`, `lane_busy` …).
    public var code: String
    public var en: String
    public var zh: String

    public init(_ kind: Kind, code: String, field: String? = nil, en: String, zh: String) {
        self.kind = kind
        self.code = code
        self.field = field
        self.en = en
        self.zh = zh
    }

    public var description: String {
        "StationError(\(kind.rawValue), \(code)\(field.map { ", field \($0)" } ?? "")): \(en) / \(zh)"
    }

    static func shiftNotOpen() -> StationError {
        StationError(.conflict, code: "shift_not_open", en: "No shift is open: open a shift first.",
                     zh: "当前没有开班：请先开班。")
    }

    static func unknownLane(_ lane: LaneIDString) -> StationError {
        StationError(.notFound, code: "unknown_lane", field: "lane", en: "This station has no lane \(lane).",
                     zh: "本站没有 \(lane) 线。")
    }

    static func unknownDriver(_ driver: String) -> StationError {
        StationError(.notFound, code: "unknown_driver", field: "driver", en: "Driver \(driver) is not on the station's roster.",
                     zh: "驾驶员 \(driver) 不在本站名单上。")
    }
}

typealias LaneIDString = String
