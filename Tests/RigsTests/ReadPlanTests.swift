import LaneCore
import Testing

@testable import Rigs

struct ReadPlanTests {
    static let map = RegisterMap(
        model: "test", kind: .brakeTester, version: "1", defaultWordOrder: .cdab,
        channels: [
            .init(name: "force_left", table: .input, address: 10, type: .f32),
            .init(name: "force_right", table: .input, address: 12, type: .f32),
            .init(name: "weight", table: .input, address: 14, type: .u16),
            .init(name: "slip", table: .input, address: 30, type: .i16),
            .init(name: "running", table: .coil, address: 0, type: .bool),
            .init(name: "ready", table: .discreteInput, address: 5, type: .bool),
            .init(name: "fault", table: .discreteInput, address: 6, type: .bool),
        ],
        commands: [])

    @Test func contiguousChannelsShareOneRead() {
        let plan = ReadPlan(map: Self.map)
        #expect(
            plan.reads == [
                .init(table: .coil, address: 0, count: 1),
                .init(table: .discreteInput, address: 5, count: 2),
                .init(table: .input, address: 10, count: 5),
                .init(table: .input, address: 30, count: 1),
            ])
    }

    @Test func aGapAllowanceMergesNearbyReads() {
        let plan = ReadPlan(map: Self.map, maximumGap: 16)
        #expect(plan.reads.filter { $0.table == .input } == [.init(table: .input, address: 10, count: 21)])
    }

    @Test func readsNeverExceedTheProtocolLimit() {
        let channels = (0..<200).map { RegisterMap.Channel(name: "c\($0)", table: .holding, address: $0, type: .u16) }
        let plan = ReadPlan(map: RegisterMap(model: "m", kind: .brakeTester, version: "1", channels: channels, commands: []))
        #expect(plan.reads.map(\.count) == [125, 75])
    }

    @Test func decodesScaleOffsetAndRange() {
        let map = RegisterMap(
            model: "m", kind: .exhaustAnalyser, version: "1",
            channels: [
                .init(name: "co", table: .holding, address: 0, type: .u16, scale: 0.01, maximum: 10),
                .init(name: "temp", table: .holding, address: 1, type: .i16, scale: 0.1, offset: -40),
            ], commands: [])
        let plan = ReadPlan(map: map)
        var values = [0.0, 0.0]
        #expect(plan.decode([[250, UInt16(bitPattern: 1000)]], into: &values))
        #expect(values == [2.5, 60])
        #expect(!plan.decode([[1500, 0]], into: &values))
    }
}
