public import Foundation
public import GRDB
public import LaneCore
import Crypto

/// A wall-clock time as the journal stores it: whole milliseconds since 1970-01-01 UTC.
///
/// The journal never reads the clock for an entry: the caller passes the time in, so a replay or a
/// test writes exactly the times it was given. Milliseconds are an integer so a time hashes, stores
/// and round-trips through JSON without floating-point drift.
public struct WallTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, DatabaseValueConvertible {
    /// Milliseconds since the Unix epoch (UTC).
    public var milliseconds: Int64

    /// A time from its milliseconds since the Unix epoch.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// A time from a `Date`, truncated to the millisecond.
    public init(_ date: Date) { self.milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    /// The same instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    /// ISO 8601 in UTC with milliseconds, for people and bundles (`2026-11-21T08:30:00.125Z`).
    public var iso8601: String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
    }

    public var description: String { iso8601 }
    public static func < (a: Self, b: Self) -> Bool { a.milliseconds < b.milliseconds }

    /// This time plus a number of milliseconds.
    public func adding(milliseconds delta: Int64) -> WallTime { WallTime(milliseconds: milliseconds + delta) }

    public init(from decoder: any Decoder) throws {
        milliseconds = try decoder.singleValueContainer().decode(Int64.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(milliseconds)
    }
    public var databaseValue: DatabaseValue { milliseconds.databaseValue }
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> WallTime? {
        Int64.fromDatabaseValue(dbValue).map(WallTime.init(milliseconds:))
    }
}

/// What kind of event a journal entry records (`"item.judged"`). Open set: new kinds are added as static constants.
public struct EntryKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    /// A user (operator, inspector, driver account) was added. Row in `users`.
    public static let userAdded: EntryKind = "user.added"
    /// A vehicle was checked in. Row in `vehicles`.
    public static let vehicleRegistered: EntryKind = "vehicle.registered"
    /// An inspection attempt started on a lane. Row in `inspections`.
    public static let inspectionOpened: EntryKind = "inspection.opened"
    /// An inspection attempt ended (pass, fail, incomplete, aborted, interrupted). Row in `inspection_outcomes`.
    public static let inspectionClosed: EntryKind = "inspection.closed"
    /// A measurement (figures of one test step). Row in `measurements`.
    public static let measurementRecorded: EntryKind = "measurement.recorded"
    /// A raw curve of a measurement. Row in `curves`; the payload holds the blob's SHA-256.
    public static let curveRecorded: EntryKind = "curve.recorded"
    /// An item judged by the rules (value, limit, verdict, clause). Row in `items`.
    public static let itemJudged: EntryKind = "item.judged"
    /// A prompt sent to a handheld or the console. Row in `prompts`.
    public static let promptIssued: EntryKind = "prompt.issued"
    /// A prompt's acknowledgement. Row in `acknowledgements`.
    public static let promptAcknowledged: EntryKind = "prompt.acknowledged"
    /// A driver shift opened with the hash of its draw seed. Row in `shifts`.
    public static let shiftOpened: EntryKind = "shift.opened"
    /// A shift closed and its seed was revealed. Row in `shift_closes`.
    public static let shiftClosed: EntryKind = "shift.closed"
    /// One random draw among eligible drivers. Row in `draws`.
    public static let driverDrawn: EntryKind = "driver.drawn"
    /// A driver assigned to an inspection by a draw. Row in `assignments`.
    public static let driverAssigned: EntryKind = "driver.assigned"
    /// An inspector signed, rejected or ordered a re-test. Row in `signoffs`.
    public static let inspectionSigned: EntryKind = "inspection.signed"
    /// A batch of raw samples written by the ingest writer. Rows in `samples`.
    public static let samplesBatch: EntryKind = "samples.batch"
    /// Samples the ingest queue refused because it was full (counted, never silent).
    public static let samplesDropped: EntryKind = "samples.dropped"
    /// A correction of an earlier entry (`corrects` names it).
    public static let correction: EntryKind = "correction"
    /// A free-form event (operator note, rig fault, abort reason).
    public static let note: EntryKind = "note"
}

/// One entry of the append-only, hash-chained journal.
///
/// `hash` is SHA-256 over ``canonicalBytes``: every field, the previous entry's hash included, so
/// changing, removing or reordering any entry breaks the chain from that point on.
public struct JournalEntry: Hashable, Sendable, Codable {
    /// Position in the chain, 1, 2, 3 … without gaps.
    public var sequence: Int64
    /// Wall time of the event, as the caller passed it in.
    public var at: WallTime
    public var kind: EntryKind
    /// The inspection the event belongs to, if any.
    public var inspectionID: InspectionID?
    /// Who caused the event: a user id, a driver id, `system`, `ingest` …
    public var actor: String
    /// The event's data as JSON (sorted keys); for typed rows, the row itself.
    public var payload: String
    /// The entry this one corrects, if it is a correction.
    public var corrects: Int64?
    /// Hex SHA-256 of the previous entry (64 zeros for the first).
    public var previousHash: String
    /// Hex SHA-256 of this entry's ``canonicalBytes``.
    public var hash: String

    enum CodingKeys: String, CodingKey {
        case sequence, at, kind, actor, payload, corrects, hash
        case inspectionID = "inspection_id"
        case previousHash = "previous_hash"
    }

    /// The hash of the (absent) entry before the first.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The bytes the hash covers: a domain tag, then each field as a 4-byte big-endian length and its
    /// UTF-8 bytes (a missing value is the length `0xFFFFFFFF` and no bytes), in this order:
    /// sequence (decimal), at (milliseconds, decimal), kind, inspection id, actor, payload, corrects
    /// (decimal), previous hash (hex). See docs/journal.md.
    public static func canonicalBytes(
        sequence: Int64, at: WallTime, kind: EntryKind, inspectionID: InspectionID?, actor: String,
        payload: String, corrects: Int64?, previousHash: String
    ) -> [UInt8] {
        var bytes = Array("lanecontrol.journal.v1\n".utf8)
        bytes.reserveCapacity(64 + payload.utf8.count + actor.utf8.count + kind.rawValue.utf8.count + 128)
        func field(_ s: String?) {
            guard let s else {
                bytes.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF])
                return
            }
            let n = UInt32(s.utf8.count)
            bytes.append(contentsOf: [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)])
            bytes.append(contentsOf: s.utf8)
        }
        field(String(sequence))
        field(String(at.milliseconds))
        field(kind.rawValue)
        field(inspectionID?.rawValue)
        field(actor)
        field(payload)
        field(corrects.map { String($0) })
        field(previousHash)
        return bytes
    }

    /// Hex SHA-256 of the canonical bytes of an entry with these fields.
    public static func computeHash(
        sequence: Int64, at: WallTime, kind: EntryKind, inspectionID: InspectionID?, actor: String,
        payload: String, corrects: Int64?, previousHash: String
    ) -> String {
        let bytes = canonicalBytes(
            sequence: sequence, at: at, kind: kind, inspectionID: inspectionID, actor: actor, payload: payload,
            corrects: corrects, previousHash: previousHash)
        return hexString(SHA256.hash(data: bytes))
    }

    /// The hash this entry should carry, recomputed from its fields (with `sequence` replaced when given).
    public func recomputedHash(asSequence other: Int64? = nil) -> String {
        Self.computeHash(
            sequence: other ?? sequence, at: at, kind: kind, inspectionID: inspectionID, actor: actor,
            payload: payload, corrects: corrects, previousHash: previousHash)
    }

    /// Decodes the payload as `T` (the typed row for typed kinds).
    public func decodePayload<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(payload.utf8))
    }
}

extension JournalEntry: FetchableRecord, PersistableRecord {
    /// The table's name.
    public static let databaseTableName = "journal"

    public init(row: Row) throws {
        sequence = row["seq"]
        at = WallTime(milliseconds: row["at_ms"])
        kind = EntryKind(rawValue: row["kind"])
        inspectionID = (row["inspection_id"] as String?).map(InspectionID.init(rawValue:))
        actor = row["actor"]
        payload = row["payload"]
        corrects = row["corrects"]
        previousHash = row["prev_hash"]
        hash = row["hash"]
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container["seq"] = sequence
        container["at_ms"] = at.milliseconds
        container["kind"] = kind.rawValue
        container["inspection_id"] = inspectionID?.rawValue
        container["actor"] = actor
        container["payload"] = payload
        container["corrects"] = corrects
        container["prev_hash"] = previousHash
        container["hash"] = hash
    }
}

/// Lower-case hex of a digest or any byte sequence.
func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(64)
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Hex SHA-256 of some bytes.
public func sha256Hex(_ bytes: some DataProtocol) -> String { hexString(SHA256.hash(data: bytes)) }

/// The JSON encoder every payload goes through: sorted keys, so the same value always gives the same text.
func makePayloadEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
}
