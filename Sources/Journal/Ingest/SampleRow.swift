import Crypto
import Foundation
import GRDB
import LaneCore

/// One stored sample row, as the ingest writer inserts it.
struct SampleRow: FetchableRecord {
    var rig: String
    var sequence: Int64
    var monotonicNs: Int64
    var quality: String
    var deadlineMissed: Bool
    /// The channel values as IEEE 754 binary64, little-endian, in register-map order.
    var channelValues: [UInt8]

    init(_ sample: Sample) {
        rig = sample.rig.rawValue
        sequence = Int64(bitPattern: sample.sequence)
        monotonicNs = Int64(bitPattern: sample.time.nanoseconds)
        quality = sample.quality.rawValue
        deadlineMissed = sample.deadlineMissed
        var bytes = [UInt8]()
        bytes.reserveCapacity(sample.values.count * 8)
        for v in sample.values {
            withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        channelValues = bytes
    }

    init(row: Row) throws {
        rig = row["rig"]
        sequence = row["sequence"]
        monotonicNs = row["mono_ns"]
        quality = row["quality"]
        deadlineMissed = row["deadline_missed"]
        channelValues = [UInt8]((row["channel_values"] as Data?) ?? Data())
    }

    /// The sample this row stores.
    var sample: Sample {
        var values = [Double]()
        values.reserveCapacity(channelValues.count / 8)
        var i = 0
        while i + 8 <= channelValues.count {
            var bits: UInt64 = 0
            for k in 0..<8 { bits |= UInt64(channelValues[i + k]) << (8 * UInt64(k)) }
            values.append(Double(bitPattern: bits))
            i += 8
        }
        return Sample(
            rig: RigID(rig), sequence: UInt64(bitPattern: sequence),
            time: MonotonicInstant(nanoseconds: UInt64(bitPattern: monotonicNs)), values: values,
            quality: SampleQuality(rawValue: quality) ?? .stale, deadlineMissed: deadlineMissed)
    }

    /// Hex SHA-256 over the rows of a batch, each field length-prefixed (see docs/journal.md).
    static func digest(_ rows: [SampleRow]) -> String {
        var hasher = SHA256()
        var buffer = [UInt8]()
        buffer.reserveCapacity(256)
        for row in rows {
            buffer.removeAll(keepingCapacity: true)
            func field(_ bytes: some Collection<UInt8>) {
                let n = UInt32(bytes.count)
                buffer.append(contentsOf: [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)])
                buffer.append(contentsOf: bytes)
            }
            field(row.rig.utf8)
            field(String(row.sequence).utf8)
            field(String(row.monotonicNs).utf8)
            field(row.quality.utf8)
            field(row.deadlineMissed ? [1] : [0])
            field(row.channelValues)
            hasher.update(data: buffer)
        }
        return hexString(hasher.finalize())
    }
}

/// The journal payload of one batch of samples.
struct SampleBatchPayload: Codable, Hashable, Sendable {
    var count: Int
    /// ``SampleRow/digest(_:)`` of the batch's rows in insertion order.
    var sha256: String
    /// First and last sample sequence per rig in this batch.
    var rigs: [String: [Int64]]
}
