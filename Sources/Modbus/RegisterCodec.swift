public import LaneCore

/// Encodes and decodes typed values (u16, i16, u32, i32, f32) to and from 16-bit registers in a declared
/// word and byte order.
///
/// A 32-bit value's bytes are named A (most significant) to D (least significant); the ``WordOrder`` names
/// the order in which they appear on the wire: ABCD is Modbus's big-endian convention, CDAB swaps the words,
/// BADC swaps the bytes inside each word, DCBA is fully little-endian.
public enum RegisterCodec {
    /// Decodes the value at the start of `registers` (1 register for 16-bit types, 2 for 32-bit ones).
    /// - Returns: The raw value as a `Double` (exact for every supported type), or nil when `registers` is too short.
    public static func decode(_ registers: some Collection<UInt16>, as type: ValueType, order: WordOrder = .abcd)
        -> Double?
    {
        var iterator = registers.makeIterator()
        guard let first = iterator.next() else { return nil }
        switch type {
        case .bool: return first != 0 ? 1 : 0
        case .u16: return Double(first)
        case .i16: return Double(Int16(bitPattern: first))
        case .u32, .i32, .f32:
            guard let second = iterator.next() else { return nil }
            let bits = combine(first, second, order: order)
            switch type {
            case .u32: return Double(bits)
            case .i32: return Double(Int32(bitPattern: bits))
            default: return Double(Float(bitPattern: bits))
            }
        }
    }

    /// Encodes a raw value into registers (1 for 16-bit types, 2 for 32-bit ones).
    ///
    /// Integer types round to the nearest integer. Throws ``RegisterCodecError`` when the value does not fit.
    public static func encode(_ value: Double, as type: ValueType, order: WordOrder = .abcd) throws(RegisterCodecError)
        -> [UInt16]
    {
        guard value.isFinite || type == .f32 else { throw RegisterCodecError(value: value, type: type) }
        let rounded = value.rounded()
        switch type {
        case .bool: return [value != 0 ? 1 : 0]
        case .u16:
            guard let v = UInt16(exactly: rounded) else { throw RegisterCodecError(value: value, type: type) }
            return [v]
        case .i16:
            guard let v = Int16(exactly: rounded) else { throw RegisterCodecError(value: value, type: type) }
            return [UInt16(bitPattern: v)]
        case .u32:
            guard let v = UInt32(exactly: rounded) else { throw RegisterCodecError(value: value, type: type) }
            return split(v, order: order)
        case .i32:
            guard let v = Int32(exactly: rounded) else { throw RegisterCodecError(value: value, type: type) }
            return split(UInt32(bitPattern: v), order: order)
        case .f32:
            let f = Float(value)
            guard f.isFinite || !value.isFinite else { throw RegisterCodecError(value: value, type: type) }
            return split(f.bitPattern, order: order)
        }
    }

    /// Puts two wire registers back into the 32-bit pattern ABCD.
    @inline(__always)
    public static func combine(_ first: UInt16, _ second: UInt16, order: WordOrder) -> UInt32 {
        switch order {
        case .abcd: return UInt32(first) << 16 | UInt32(second)
        case .cdab: return UInt32(second) << 16 | UInt32(first)
        case .badc: return UInt32(first.byteSwapped) << 16 | UInt32(second.byteSwapped)
        case .dcba: return UInt32(second.byteSwapped) << 16 | UInt32(first.byteSwapped)
        }
    }

    /// Splits the 32-bit pattern ABCD into two wire registers.
    @inline(__always)
    public static func split(_ bits: UInt32, order: WordOrder) -> [UInt16] {
        let high = UInt16(truncatingIfNeeded: bits >> 16)
        let low = UInt16(truncatingIfNeeded: bits)
        switch order {
        case .abcd: return [high, low]
        case .cdab: return [low, high]
        case .badc: return [high.byteSwapped, low.byteSwapped]
        case .dcba: return [low.byteSwapped, high.byteSwapped]
        }
    }
}

/// A value that does not fit the register type it should be written as.
public struct RegisterCodecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The value that was refused.
    public var value: Double
    /// The type it should have been encoded as.
    public var type: ValueType
    /// What went wrong, English then Chinese.
    public var description: String {
        "Value \(value) does not fit a \(type.rawValue) register; check the command's scale and offset. / 数值 \(value) 超出 \(type.rawValue) 寄存器范围，请检查比例和偏移。"
    }
}
