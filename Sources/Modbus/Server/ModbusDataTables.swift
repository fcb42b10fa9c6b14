public import LaneCore
import CModbus

/// The four data tables of one unit served by a ``ModbusServer``, valid only inside
/// ``ModbusServer/withTables(unit:_:)`` (the server holds its lock meanwhile; do not let it escape).
///
/// Addresses are protocol addresses (zero-based), not offsets into the tables. An address outside the unit's
/// ``ModbusServer/Layout`` is a programming error in the firmware and stops the process with a message.
public struct ModbusDataTables {
    let mapping: UnsafeMutablePointer<modbus_mapping_t>

    /// The value of a coil or discrete input.
    public func bit(_ table: RegisterTable, _ address: Int) -> Bool { bitPointer(table, address).pointee != 0 }

    /// Sets a coil or discrete input.
    public func setBit(_ table: RegisterTable, _ address: Int, _ value: Bool) {
        bitPointer(table, address).pointee = value ? 1 : 0
    }

    /// The raw value of a holding or input register.
    public func register(_ table: RegisterTable, _ address: Int) -> UInt16 { registerPointer(table, address).pointee }

    /// Sets a holding or input register.
    public func setRegister(_ table: RegisterTable, _ address: Int, _ value: UInt16) {
        registerPointer(table, address).pointee = value
    }

    /// Reads a typed raw value (before scale and offset); bits read as 0 or 1.
    public func value(_ table: RegisterTable, _ address: Int, type: ValueType, order: WordOrder = .abcd) -> Double {
        switch table {
        case .coil, .discreteInput: return bit(table, address) ? 1 : 0
        case .holding, .input:
            let words = (0..<type.registerCount).map { register(table, address + $0) }
            return RegisterCodec.decode(words, as: type, order: order) ?? .nan
        }
    }

    /// Writes a typed raw value (before scale and offset); bits take 0 as off and anything else as on.
    public func setValue(
        _ value: Double, _ table: RegisterTable, _ address: Int, type: ValueType, order: WordOrder = .abcd
    ) throws(RegisterCodecError) {
        switch table {
        case .coil, .discreteInput: setBit(table, address, value != 0)
        case .holding, .input:
            for (i, word) in try RegisterCodec.encode(value, as: type, order: order).enumerated() {
                setRegister(table, address + i, word)
            }
        }
    }

    /// True when the unit serves this address in this table.
    public func contains(_ table: RegisterTable, _ address: Int) -> Bool {
        let m = mapping.pointee
        let (start, count): (Int32, Int32) =
            switch table {
            case .coil: (m.start_bits, m.nb_bits)
            case .discreteInput: (m.start_input_bits, m.nb_input_bits)
            case .holding: (m.start_registers, m.nb_registers)
            case .input: (m.start_input_registers, m.nb_input_registers)
            }
        return address >= Int(start) && address < Int(start) + Int(count)
    }

    private func bitPointer(_ table: RegisterTable, _ address: Int) -> UnsafeMutablePointer<UInt8> {
        precondition(contains(table, address), "ModbusDataTables: \(table.rawValue) address \(address) is not served")
        let m = mapping.pointee
        switch table {
        case .coil: return m.tab_bits + (address - Int(m.start_bits))
        case .discreteInput: return m.tab_input_bits + (address - Int(m.start_input_bits))
        default: preconditionFailure("ModbusDataTables: \(table.rawValue) is a register table, not a bit table")
        }
    }

    private func registerPointer(_ table: RegisterTable, _ address: Int) -> UnsafeMutablePointer<UInt16> {
        precondition(contains(table, address), "ModbusDataTables: \(table.rawValue) address \(address) is not served")
        let m = mapping.pointee
        switch table {
        case .holding: return m.tab_registers + (address - Int(m.start_registers))
        case .input: return m.tab_input_registers + (address - Int(m.start_input_registers))
        default: preconditionFailure("ModbusDataTables: \(table.rawValue) is a bit table, not a register table")
        }
    }
}
