import LaneCore
import Logging
import Modbus
import Rigs
import Testing

/// The link thread sleeps to each deadline whatever happens on the link: a rig that answers, a link whose
/// connects are refused (reconnect back-off), a rig that never answers (response timeouts). A loop that spun
/// would show as CPU time close to the wall time and as more cycles than periods elapsed.
@Suite(.timeLimit(.minutes(5)))
struct LinkPollerIdleTests {
    static let map = RegisterMap(
        model: "LC-TEST", kind: .brakeTester, version: "1", defaultWordOrder: .abcd,
        channels: [.init(name: "force_left", table: .input, address: 0, type: .f32, unit: "daN")], commands: [])

    enum Peer { case answering, refusing, silent }

    func measure(_ peer: Peer) async throws {
        var server: ModbusServer? = try ModbusServer(units: [1: ModbusServer.Layout(covering: Self.map)])
        let transport = server!.transport
        switch peer {
        case .answering: server?.start()
        case .refusing: server = nil  // listening socket closed: connects refused
        case .silent:
            server?.setFaultHandler { _ in .noReply }
            server?.start()
        }
        defer { server?.stop() }
        let period = Duration.milliseconds(10)
        let configuration = LinkConfiguration(
            name: "idle", transport: transport, rigs: [RigConfiguration(rig: "lane1.brake", unitID: 1, map: Self.map)],
            period: period, responseTimeout: .milliseconds(3),
            reconnect: ReconnectPolicy(initialDelay: .milliseconds(5), maximumDelay: .milliseconds(50)))
        let (stream, continuation) = AsyncStream.makeStream(of: Sample.self, bufferingPolicy: .bufferingNewest(16))
        let poller = LinkPoller(configuration: configuration, samples: continuation, logger: Logger(label: "test"))
        poller.start()
        var samples = stream.makeAsyncIterator()
        _ = await samples.next()
        let clock = ContinuousClock()
        let cyclesBefore = poller.statistics().cycles
        let cpuBefore = try #require(poller.threadCPUTime)
        let start = clock.now
        try await Task.sleep(for: .seconds(1))
        let cpu = try #require(poller.threadCPUTime) - cpuBefore
        let wall = clock.now - start
        let cycles = poller.statistics().cycles - cyclesBefore
        await poller.stop()
        #expect(cpu < wall / 2, "\(peer): link thread used \(cpu) of \(wall)")
        let periods = Int(wall / period)
        #expect(cycles <= UInt64(periods + 2), "\(peer): \(cycles) cycles in \(periods) periods")
    }

    @Test func aPolledRigLeavesTheThreadAsleepBetweenDeadlines() async throws { try await measure(.answering) }
    @Test func aRefusedLinkBacksOffWithoutSpinning() async throws { try await measure(.refusing) }
    @Test func aSilentRigCostsTimeoutsNotASpin() async throws { try await measure(.silent) }
}
