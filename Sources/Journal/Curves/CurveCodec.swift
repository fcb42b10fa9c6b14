public import Foundation

/// A raw curve of one channel: the monotonic time of each point and its value in engineering units.
///
/// Values are kept at a declared resolution (`resolution` = 0.1 N keeps tenths of a newton): the
/// journal stores `round(value / resolution)` as an integer, so what is read back is exactly
/// ``quantized(_:)`` of what was written, bit for bit, every time.
public struct Curve: Hashable, Sendable, Codable {
    /// The channel's name in the rig's register map (`force_left`).
    public var channel: String
    public var unit: String
    /// Step of the stored values, in `unit` (must be > 0).
    public var resolution: Double
    /// Monotonic time of each point, nanoseconds.
    public var timesNs: [Int64]
    /// Value of each point, in `unit`.
    public var values: [Double]

    enum CodingKeys: String, CodingKey {
        case channel, unit, resolution, values
        case timesNs = "times_ns"
    }

    public init(channel: String, unit: String, resolution: Double, timesNs: [Int64], values: [Double]) {
        self.channel = channel
        self.unit = unit
        self.resolution = resolution
        self.timesNs = timesNs
        self.values = values
    }

    /// This curve as it reads back from the journal: every value snapped to the resolution.
    public func quantized() throws -> Curve {
        var copy = self
        copy.values = try CurveCodec.quantize(values, resolution: resolution).map { Double($0) * resolution }
        return copy
    }
}

/// Errors of the curve codec: what is wrong and where.
public struct CurveCodecError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "CurveCodecError: \(message)" }
}

/// The `lcdelta1` blob format: delta-encoded integers as zig-zag LEB128 varints.
///
/// Layout: magic `LCD1`, resolution (IEEE 754 binary64, little-endian), point count (varint), then
/// the times (first value, first delta, then second differences: a steady 100 Hz clock costs one
/// byte a point) and the quantized values (first value, then first differences). Smooth force curves
/// at 1 N take 1–2 bytes a point against 16 for raw doubles and times.
public enum CurveCodec {
    /// The encoding name stored beside each blob.
    public static let encoding = "lcdelta1"
    static let magic: [UInt8] = Array("LCD1".utf8)

    /// The integers a curve's values are stored as.
    public static func quantize(_ values: [Double], resolution: Double) throws -> [Int64] {
        guard resolution > 0, resolution.isFinite else {
            throw CurveCodecError(message: "resolution must be a positive finite number, got \(resolution)")
        }
        return try values.enumerated().map { index, value in
            let q = (value / resolution).rounded()
            guard q.isFinite, abs(q) < 9.0e15 else {
                throw CurveCodecError(
                    message: "value \(value) at point \(index) does not fit resolution \(resolution) (non-finite or too large)")
            }
            return Int64(q)
        }
    }

    /// Encodes a curve's times and values into an `lcdelta1` blob.
    public static func encode(_ curve: Curve) throws -> Data {
        guard curve.timesNs.count == curve.values.count else {
            throw CurveCodecError(
                message: "channel \(curve.channel): \(curve.timesNs.count) times but \(curve.values.count) values")
        }
        let q = try quantize(curve.values, resolution: curve.resolution)
        var out = magic
        out.reserveCapacity(16 + curve.values.count * 3)
        withUnsafeBytes(of: curve.resolution.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        putVarint(UInt64(curve.values.count), &out)
        encodeSecondOrder(curve.timesNs, &out)
        encodeFirstOrder(q, &out)
        return Data(out)
    }

    /// Decodes an `lcdelta1` blob into times, quantized integers and the resolution.
    public static func decode(_ data: Data) throws -> (timesNs: [Int64], quantized: [Int64], resolution: Double) {
        let bytes = [UInt8](data)
        guard bytes.count >= 12, Array(bytes[0..<4]) == magic else {
            throw CurveCodecError(message: "not an lcdelta1 blob (bad magic or shorter than its header)")
        }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(bytes[4 + i]) << (8 * UInt64(i)) }
        let resolution = Double(bitPattern: bits)
        var position = 12
        let count = try getVarint(bytes, &position)
        guard count <= UInt64(bytes.count) * 2 else {
            throw CurveCodecError(message: "point count \(count) is impossible for a \(bytes.count)-byte blob")
        }
        let times = try decodeSecondOrder(bytes, &position, count: Int(count))
        let values = try decodeFirstOrder(bytes, &position, count: Int(count))
        guard position == bytes.count else {
            throw CurveCodecError(message: "\(bytes.count - position) trailing bytes after \(count) points")
        }
        return (times, values, resolution)
    }

    /// Decodes a blob back into a curve with the given channel and unit.
    public static func decodeCurve(_ data: Data, channel: String, unit: String) throws -> Curve {
        let (times, q, resolution) = try decode(data)
        return Curve(channel: channel, unit: unit, resolution: resolution, timesNs: times,
                     values: q.map { Double($0) * resolution })
    }

    // MARK: varints

    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    static func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1) }

    static func putVarint(_ value: UInt64, _ out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func getVarint(_ bytes: [UInt8], _ position: inout Int) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else {
                throw CurveCodecError(message: "blob ends inside a varint at byte \(position)")
            }
            let b = bytes[position]
            position += 1
            guard shift < 64 else { throw CurveCodecError(message: "varint longer than 10 bytes at byte \(position)") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    static func encodeFirstOrder(_ xs: [Int64], _ out: inout [UInt8]) {
        var previous: Int64 = 0
        for x in xs {
            putVarint(zigzag(x &- previous), &out)
            previous = x
        }
    }

    static func decodeFirstOrder(_ bytes: [UInt8], _ position: inout Int, count: Int) throws -> [Int64] {
        var xs = [Int64]()
        xs.reserveCapacity(count)
        var previous: Int64 = 0
        for _ in 0..<count {
            previous = previous &+ unzigzag(try getVarint(bytes, &position))
            xs.append(previous)
        }
        return xs
    }

    static func encodeSecondOrder(_ xs: [Int64], _ out: inout [UInt8]) {
        var previous: Int64 = 0
        var previousDelta: Int64 = 0
        for x in xs {
            let delta = x &- previous
            putVarint(zigzag(delta &- previousDelta), &out)
            previous = x
            previousDelta = delta
        }
    }

    static func decodeSecondOrder(_ bytes: [UInt8], _ position: inout Int, count: Int) throws -> [Int64] {
        var xs = [Int64]()
        xs.reserveCapacity(count)
        var previous: Int64 = 0
        var previousDelta: Int64 = 0
        for _ in 0..<count {
            previousDelta = previousDelta &+ unzigzag(try getVarint(bytes, &position))
            previous = previous &+ previousDelta
            xs.append(previous)
        }
        return xs
    }
}
