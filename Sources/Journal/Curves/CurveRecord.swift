public import Foundation
public import GRDB
public import LaneCore

/// A stored curve: the encoded blob and what describes it. The journal entry's payload is this
/// record without `data` (``CurvePayload``), holding the blob's SHA-256 instead.
public struct CurveRecord: Hashable, Sendable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "curves"
    public var measurementID: String
    public var inspection: InspectionID
    public var channel: String
    public var unit: String
    public var resolution: Double
    public var pointCount: Int
    /// Blob format (``CurveCodec/encoding``).
    public var encoding: String
    /// Hex SHA-256 of `data`.
    public var dataSHA256: String
    public var data: Data

    enum CodingKeys: String, CodingKey {
        case channel, unit, resolution, encoding, data
        case measurementID = "measurement_id"
        case inspection = "inspection_id"
        case pointCount = "point_count"
        case dataSHA256 = "data_sha256"
    }

    /// Encodes a curve for storage.
    public init(measurementID: String, inspection: InspectionID, curve: Curve) throws {
        self.measurementID = measurementID
        self.inspection = inspection
        self.channel = curve.channel
        self.unit = curve.unit
        self.resolution = curve.resolution
        self.pointCount = curve.values.count
        self.encoding = CurveCodec.encoding
        self.data = try CurveCodec.encode(curve)
        self.dataSHA256 = sha256Hex(data)
    }

    /// The curve read back (values at the declared resolution).
    public func decoded() throws -> Curve { try CurveCodec.decodeCurve(data, channel: channel, unit: unit) }

    /// What the journal entry carries for this curve.
    public var payload: CurvePayload {
        CurvePayload(
            measurementID: measurementID, inspection: inspection, channel: channel, unit: unit, resolution: resolution,
            pointCount: pointCount, encoding: encoding, dataSHA256: dataSHA256)
    }
}

/// The journal payload of a curve: everything but the blob, and the blob's hash.
public struct CurvePayload: Hashable, Sendable, Codable {
    public var measurementID: String
    public var inspection: InspectionID
    public var channel: String
    public var unit: String
    public var resolution: Double
    public var pointCount: Int
    public var encoding: String
    public var dataSHA256: String

    enum CodingKeys: String, CodingKey {
        case channel, unit, resolution, encoding
        case measurementID = "measurement_id"
        case inspection = "inspection_id"
        case pointCount = "point_count"
        case dataSHA256 = "data_sha256"
    }
}
