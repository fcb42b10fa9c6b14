import LaneCore
import Modbus
import RigFirmware
import Testing

/// The firmware's encoding against the Modbus module's decoding (two independent implementations).
struct RegisterImageTests {
    static func map(_ type: ValueType, _ order: WordOrder, scale: Double = 1, offset: Double = 0) -> RegisterMap {
        RegisterMap(
            model: "T", kind: .brakeTester, version: "1", defaultWordOrder: order,
            channels: [.init(name: "x", table: .input, address: 3, type: type, scale: scale, offset: offset)],
            commands: [])
    }

    @Test(arguments: [ValueType.u16, .i16, .u32, .i32, .f32], WordOrder.allCases)
    func encodedValuesDecodeBackWithTheClientsCodec(type: ValueType, order: WordOrder) throws {
        let values: [Double] =
            switch type {
            case .u16: [0, 1, 4242, 65535]
            case .i16: [-32768, -1, 0, 1234]
            case .u32: [0, 70_000, 4_000_000_000]
            case .i32: [-2_000_000_000, -5, 123_456]
            case .f32: [-1.5, 0, 400.25, 14.899999618530273]
            case .bool: []
            }
        for value in values {
            var image = RegisterImage(map: Self.map(type, order))
            image.store(["x": value], map: Self.map(type, order))
            let words = Array(image.inputRegisters[3..<(3 + type.registerCount)])
            #expect(RegisterCodec.decode(words, as: type, order: order) == value, "\(type) \(order) \(value)")
        }
    }

    @Test func knownVectorsForEachWordOrder() {
        // 0x43C8_8000 is 401.0 as f32: bytes A=43 B=C8 C=80 D=00.
        let cases: [(WordOrder, [UInt16])] = [
            (.abcd, [0x43C8, 0x8000]), (.cdab, [0x8000, 0x43C8]), (.badc, [0xC843, 0x0080]), (.dcba, [0x0080, 0xC843]),
        ]
        for (order, expected) in cases {
            var image = RegisterImage(map: Self.map(.f32, order))
            image.store(["x": 401], map: Self.map(.f32, order))
            #expect(Array(image.inputRegisters[3...4]) == expected, "\(order)")
        }
    }

    @Test func scaleAndOffsetRoundAndClampToTheType() {
        let map = Self.map(.u16, .abcd, scale: 0.1, offset: -40)
        var image = RegisterImage(map: map)
        image.store(["x": 20.04], map: map)
        #expect(image.inputRegisters[3] == 600)  // (20.04 + 40) / 0.1 = 600.4 → 600
        image.store(["x": -100], map: map)
        #expect(image.inputRegisters[3] == 0)
        image.store(["x": 1e9], map: map)
        #expect(image.inputRegisters[3] == 65535)
    }

    @Test func imageIsSizedToTheMap() {
        let map = Self.map(.u32, .abcd)
        #expect(RegisterImage(map: map).inputRegisters.count == 5)
        #expect(RegisterImage(map: map).coils.isEmpty)
    }

    @Test func writingACommandRegisterDecodesItByTheMap() {
        let map = RegisterMap(
            model: "T", kind: .headlampTester, version: "1", channels: [],
            commands: [
                .init(name: "beam_select", table: .holding, address: 0, type: .u16),
                .init(name: "setpoint", table: .holding, address: 2, type: .i32, wordOrder: .cdab, scale: 0.5),
                .init(name: "go", table: .coil, address: 4),
            ])
        var image = RegisterImage(map: map)
        image.holdingRegisters[2] = 0xFFFE  // CDAB: low word first; −2 raw × 0.5 = −1
        image.holdingRegisters[3] = 0xFFFF
        let written = image.commands(writtenAt: 2, count: 2, table: .holding, map: map)
        #expect(written.map(\.name) == ["setpoint"])
        #expect(written.first?.value == -1)
        image.coils[4] = true
        #expect(image.commands(writtenAt: 4, count: 1, table: .coil, map: map).first?.value == 1)
        #expect(image.commands(writtenAt: 1, count: 1, table: .holding, map: map).isEmpty)
    }
}
