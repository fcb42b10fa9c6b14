import LaneCore
import Modbus
import Testing

/// The word orders against known wire patterns (not only round trips, which a consistent mistake would pass).
struct RegisterCodecTests {
    // 1.0f is 0x3F800000: bytes A=3F B=80 C=00 D=00. 0x12345678 is A=12 B=34 C=56 D=78.
    @Test(arguments: [
        (WordOrder.abcd, [UInt16(0x1234), 0x5678], [UInt16(0x3F80), 0x0000]),
        (.cdab, [0x5678, 0x1234], [0x0000, 0x3F80]),
        (.badc, [0x3412, 0x7856], [0x803F, 0x0000]),
        (.dcba, [0x7856, 0x3412], [0x0000, 0x803F]),
    ])
    func wordOrdersPutTheBytesWhereTheirNamesSay(order: WordOrder, u32Wire: [UInt16], oneWire: [UInt16]) throws {
        #expect(try RegisterCodec.encode(Double(0x1234_5678), as: .u32, order: order) == u32Wire)
        #expect(RegisterCodec.decode(u32Wire, as: .u32, order: order) == Double(0x1234_5678))
        #expect(try RegisterCodec.encode(1.0, as: .f32, order: order) == oneWire)
        #expect(RegisterCodec.decode(oneWire, as: .f32, order: order) == 1.0)
    }

    @Test func signedTypesUseTwosComplement() throws {
        #expect(try RegisterCodec.encode(-1, as: .i16) == [0xFFFF])
        #expect(RegisterCodec.decode([0x8000], as: .i16) == -32768)
        #expect(try RegisterCodec.encode(-2, as: .i32, order: .abcd) == [0xFFFF, 0xFFFE])
        #expect(RegisterCodec.decode([0xFFFE, 0xFFFF], as: .i32, order: .cdab) == -2)
    }

    @Test func valuesThatDoNotFitAreRefused() throws {
        #expect(throws: RegisterCodecError.self) { try RegisterCodec.encode(65536, as: .u16) }
        #expect(throws: RegisterCodecError.self) { try RegisterCodec.encode(-1, as: .u32) }
        #expect(throws: RegisterCodecError.self) { try RegisterCodec.encode(40000, as: .i16) }
        #expect(throws: RegisterCodecError.self) { try RegisterCodec.encode(.nan, as: .u16) }
        #expect(throws: RegisterCodecError.self) { try RegisterCodec.encode(1e39, as: .f32) }
        #expect(try RegisterCodec.encode(12.6, as: .u16) == [13], "integers round to nearest")
    }

    @Test func tooFewRegistersDecodeToNil() {
        #expect(RegisterCodec.decode([0x3F80], as: .f32) == nil)
        #expect(RegisterCodec.decode([UInt16](), as: .u16) == nil)
    }

    @Test func errorCodesClassifyThemselves() {
        #expect(ModbusError.Code.illegalDataAddress.exceptionCode == 2)
        #expect(ModbusError.Code.exception(0x06) == .serverDeviceBusy)
        #expect(ModbusError.Code.connectionReset.isLinkFailure)
        #expect(ModbusError.Code.badCRC.isProtocolFailure)
        #expect(!ModbusError.Code.timedOut.isLinkFailure && !ModbusError.Code.timedOut.isException)
        let error = ModbusError(
            code: .illegalDataAddress, operation: "modbus_read_registers", link: "tcp 10.0.0.5:502", rig: "lane1.brake",
            unitID: 3, function: .readHoldingRegisters, address: 100, count: 4)
        #expect(error.description.contains("rig lane1.brake, link tcp 10.0.0.5:502, unit 3"))
        #expect(error.description.contains("registers 100…103"))
        #expect(error.description.contains("寄存器"))
    }
}
