public import LaneCore

/// The four Modbus tables of a rig as its firmware serves them, filled from engineering values by
/// the register map (type, word order, scale, offset).
public struct RegisterImage: Hashable, Sendable {
    public var coils: [Bool]
    public var discreteInputs: [Bool]
    public var holdingRegisters: [UInt16]
    public var inputRegisters: [UInt16]

    /// An all-zero image just large enough for every channel and command of `map`.
    public init(map: RegisterMap) {
        func size(_ table: RegisterTable) -> Int {
            let ends =
                map.channels.filter { $0.table == table }.map { $0.address + $0.type.registerCount }
                + map.commands.filter { $0.table == table }.map { $0.address + $0.type.registerCount }
            return ends.max() ?? 0
        }
        coils = Array(repeating: false, count: size(.coil))
        discreteInputs = Array(repeating: false, count: size(.discreteInput))
        holdingRegisters = Array(repeating: 0, count: size(.holding))
        inputRegisters = Array(repeating: 0, count: size(.input))
    }

    /// Stores each channel's engineering value (channels missing from `values` keep their content).
    public mutating func store(_ values: [String: Double], map: RegisterMap) {
        for channel in map.channels {
            guard let value = values[channel.name] else { continue }
            store(
                value, table: channel.table, address: channel.address, type: channel.type,
                order: channel.wordOrder ?? map.defaultWordOrder, scale: channel.scale, offset: channel.offset)
        }
    }

    /// Stores the state of commands the firmware drives itself (a one-shot coil it cleared).
    public mutating func storeCommands(_ values: [String: Double], map: RegisterMap) {
        for command in map.commands {
            guard let value = values[command.name] else { continue }
            store(
                value, table: command.table, address: command.address, type: command.type,
                order: command.wordOrder ?? map.defaultWordOrder, scale: command.scale, offset: command.offset)
        }
    }

    mutating func store(
        _ value: Double, table: RegisterTable, address: Int, type: ValueType, order: WordOrder, scale: Double,
        offset: Double
    ) {
        switch table {
        case .coil: coils[address] = value != 0
        case .discreteInput: discreteInputs[address] = value != 0
        case .holding:
            let words = ImageCodec.encode(value, type: type, order: order, scale: scale, offset: offset)
            holdingRegisters.replaceSubrange(address..<(address + words.count), with: words)
        case .input:
            let words = ImageCodec.encode(value, type: type, order: order, scale: scale, offset: offset)
            inputRegisters.replaceSubrange(address..<(address + words.count), with: words)
        }
    }

    /// The commands of `map` that a write to `count` items of `table` from `address` touches, with the
    /// engineering value now in the image.
    public func commands(
        writtenAt address: Int, count: Int, table: RegisterTable, map: RegisterMap
    ) -> [(name: String, value: Double)] {
        map.commands.compactMap { command in
            guard command.table == table, command.address < address + count,
                address < command.address + command.type.registerCount
            else { return nil }
            switch table {
            case .coil:
                return (command.name, coils[command.address] ? 1 : 0)
            case .holding:
                let words = Array(holdingRegisters[command.address..<(command.address + command.type.registerCount)])
                let value = ImageCodec.decode(
                    words, type: command.type, order: command.wordOrder ?? map.defaultWordOrder, scale: command.scale,
                    offset: command.offset)
                return (command.name, value)
            default:
                return nil
            }
        }
    }
}

/// Engineering value ⇄ registers, by type, word order, scale and offset.
enum ImageCodec {
    /// Raw = (value − offset) / scale, rounded for integer types and clamped to the type's range.
    public static func encode(_ value: Double, type: ValueType, order: WordOrder, scale: Double, offset: Double) -> [UInt16] {
        let raw = (value - offset) / scale
        func clamp(_ x: Double, _ lo: Double, _ hi: Double) -> Double { x.isNaN ? 0 : min(max(x.rounded(), lo), hi) }
        switch type {
        case .bool: return [value != 0 ? 1 : 0]
        case .u16: return [UInt16(clamp(raw, 0, 65535))]
        case .i16: return [UInt16(bitPattern: Int16(clamp(raw, -32768, 32767)))]
        case .u32: return words(UInt32(clamp(raw, 0, 4_294_967_295)), order)
        case .i32: return words(UInt32(bitPattern: Int32(clamp(raw, -2_147_483_648, 2_147_483_647))), order)
        case .f32: return words(Float(raw).bitPattern, order)
        }
    }

    /// The engineering value of registers: raw × scale + offset.
    public static func decode(_ registers: [UInt16], type: ValueType, order: WordOrder, scale: Double, offset: Double) -> Double {
        let raw: Double
        switch type {
        case .bool: raw = registers[0] != 0 ? 1 : 0
        case .u16: raw = Double(registers[0])
        case .i16: raw = Double(Int16(bitPattern: registers[0]))
        case .u32: raw = Double(value(registers, order))
        case .i32: raw = Double(Int32(bitPattern: value(registers, order)))
        case .f32: raw = Double(Float(bitPattern: value(registers, order)))
        }
        return raw * scale + offset
    }

    /// Two registers for a 32-bit value whose bytes are A (most significant) … D.
    public static func words(_ value: UInt32, _ order: WordOrder) -> [UInt16] {
        let high = UInt16(value >> 16), low = UInt16(value & 0xFFFF)
        switch order {
        case .abcd: return [high, low]
        case .cdab: return [low, high]
        case .badc: return [high.byteSwapped, low.byteSwapped]
        case .dcba: return [low.byteSwapped, high.byteSwapped]
        }
    }

    static func value(_ registers: [UInt16], _ order: WordOrder) -> UInt32 {
        let (first, second) = (registers[0], registers[1])
        let (high, low): (UInt16, UInt16)
        switch order {
        case .abcd: (high, low) = (first, second)
        case .cdab: (high, low) = (second, first)
        case .badc: (high, low) = (first.byteSwapped, second.byteSwapped)
        case .dcba: (high, low) = (second.byteSwapped, first.byteSwapped)
        }
        return UInt32(high) << 16 | UInt32(low)
    }
}
