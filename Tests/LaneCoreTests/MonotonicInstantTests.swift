import LaneCore
import Testing

struct MonotonicInstantTests {
    @Test func sinceIsSignedAndAdditionRoundTrips() {
        let a = MonotonicInstant(nanoseconds: 5_000_000_000)
        let b = a + .milliseconds(250)
        #expect(b.nanoseconds == 5_250_000_000)
        #expect(b.since(a) == .milliseconds(250))
        #expect(a.since(b) == .milliseconds(-250))
        #expect(b + .milliseconds(-250) == a)
    }

    @Test func registerMapFindsChannelsByName() {
        let map = RegisterMap(
            model: "test", kind: .brakeTester, version: "1",
            channels: [
                .init(name: "force_left", table: .input, address: 0, type: .u16),
                .init(name: "force_right", table: .input, address: 1, type: .u16),
            ],
            commands: [.init(name: "rollers_run", table: .coil, address: 0)])
        #expect(map.channelIndex("force_right") == 1)
        #expect(map.channelIndex("nope") == nil)
        #expect(map.command("rollers_run")?.address == 0)
    }
}
