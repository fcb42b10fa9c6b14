import LaneCore
import Logging
import Modbus
import Rigs
import ServiceLifecycle
import Synchronization
import Testing

/// The poller against our Modbus server on loopback.
@Suite(.timeLimit(.minutes(5)))
struct LinkPollerTests {
    static let map = RegisterMap(
        model: "LC-TEST", kind: .brakeTester, version: "1", defaultWordOrder: .cdab,
        channels: [
            .init(name: "force_left", table: .input, address: 0, type: .f32, unit: "daN"),
            .init(name: "force_right", table: .input, address: 2, type: .f32, wordOrder: .abcd, unit: "daN"),
            .init(name: "weight", table: .input, address: 4, type: .u16, scale: 0.5, unit: "kg"),
            .init(name: "temperature", table: .holding, address: 10, type: .i16, scale: 0.1, offset: -40, unit: "°C",
                  minimum: -30, maximum: 80),
            .init(name: "counter", table: .holding, address: 11, type: .u32, wordOrder: .dcba),
            .init(name: "rollers_running", table: .coil, address: 0, type: .bool),
            .init(name: "ready", table: .discreteInput, address: 3, type: .bool),
        ],
        commands: [
            .init(name: "rollers_run", table: .coil, address: 0),
            .init(name: "setpoint", table: .holding, address: 20, type: .i32, wordOrder: .badc, scale: 0.01),
        ])

    static let layout = ModbusServer.Layout(covering: map)

    func fill(_ server: ModbusServer, unit: UInt8 = 1) {
        server.withTables(unit: unit) { t in
            try! t.setValue(412.5, .input, 0, type: .f32, order: .cdab)
            try! t.setValue(-3.25, .input, 2, type: .f32, order: .abcd)
            t.setRegister(.input, 4, 1700)
            try! t.setValue(250, .holding, 10, type: .i16)  // 250 × 0.1 − 40 = −15 °C
            try! t.setValue(123_456_789, .holding, 11, type: .u32, order: .dcba)
            t.setBit(.coil, 0, true)
            t.setBit(.discreteInput, 3, true)
        }
    }

    func link(
        _ server: ModbusServer, rigs: [RigConfiguration]? = nil, period: Duration = .milliseconds(100),
        timeout: Duration = .milliseconds(40)  // generous: the machine running the tests is loaded
    ) -> LinkConfiguration {
        LinkConfiguration(
            name: "test", transport: server.transport,
            rigs: rigs ?? [RigConfiguration(rig: "lane1.brake", unitID: 1, map: Self.map)], period: period,
            responseTimeout: timeout,
            reconnect: ReconnectPolicy(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(100)))
    }

    /// Runs `body` with a started poller and its sample iterator; stops the poller afterwards.
    func withPoller(
        _ configuration: LinkConfiguration,
        _ body: (LinkPoller, inout AsyncStream<Sample>.Iterator) async throws -> Void
    ) async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: Sample.self, bufferingPolicy: .bufferingNewest(4096))
        let poller = LinkPoller(configuration: configuration, samples: continuation, logger: Logger(label: "test"))
        poller.start()
        var iterator = stream.makeAsyncIterator()
        do {
            try await body(poller, &iterator)
        } catch {
            await poller.stop()
            throw error
        }
        await poller.stop()
    }

    @Test func samplesCarryDecodedValuesInEngineeringUnits() async throws {
        let server = try ModbusServer(units: [1: Self.layout])
        fill(server)
        server.start()
        defer { server.stop() }
        try await withPoller(link(server)) { poller, samples in
            let first = try #require(await samples.next())
            let second = try #require(await samples.next())
            #expect(first.rig == "lane1.brake")
            #expect(first.quality == .good)
            #expect(first.values == [412.5, -3.25, 850, -15, 123_456_789, 1, 1])
            #expect(second.sequence == first.sequence + 1)
            #expect(second.time > first.time)
        }
    }

    @Test func aValueOutsideItsRangeMarksTheSample() async throws {
        let server = try ModbusServer(units: [1: Self.layout])
        fill(server)
        server.withTables(unit: 1) { try! $0.setValue(1300, .holding, 10, type: .i16) }  // 90 °C > 80
        server.start()
        defer { server.stop() }
        try await withPoller(link(server)) { _, samples in
            let sample = try #require(await samples.next())
            #expect(sample.quality == .outOfRange)
            #expect(sample.values[3] == 90)
        }
    }

    @Test func aRigThatStopsAnsweringIsStaleWithinTwoPeriodsAndRecovers() async throws {
        let server = try ModbusServer(units: [1: Self.layout])
        fill(server)
        server.start()
        defer { server.stop() }
        let silent = Atomic<Bool>(false)
        server.setFaultHandler { _ in silent.load(ordering: .relaxed) ? .noReply : .none }
        try await withPoller(link(server)) { poller, samples in
            while await samples.next()?.quality != .good {}
            silent.store(true, ordering: .relaxed)
            // Read after the rig fell silent: at most the cycle then under way (this count + 1) can still be
            // good, so the next one (+ 2) must not be.
            let pollsBefore = poller.statistics().rigs[0].polls
            var bad: Sample?
            while let sample = await samples.next() {
                if sample.quality != .good { bad = sample; break }
            }
            let failed = try #require(bad)
            #expect(failed.sequence <= pollsBefore + 2, "not good within two periods of the rig falling silent")
            #expect(failed.quality == .timedOut || failed.quality == .stale)
            #expect(failed.values == [412.5, -3.25, 850, -15, 123_456_789, 1, 1], "stale samples repeat the last good values")
            silent.store(false, ordering: .relaxed)
            var recovered = false
            while let sample = await samples.next() {
                if sample.quality == .good { recovered = true; break }
            }
            #expect(recovered)
            #expect(poller.statistics().rigs[0].timeouts >= 1)
        }
    }

    @Test func aRigThatGoesAwayEntirelyComesBackByItself() async throws {
        var server: ModbusServer? = try ModbusServer(units: [1: Self.layout])
        fill(server!)
        server!.start()
        let port = server!.port
        let configuration = link(server!)
        try await withPoller(configuration) { poller, samples in
            while await samples.next()?.quality != .good {}
            server?.stop()
            server = nil  // closes the listening socket: the rig is gone
            while let sample = await samples.next(), sample.quality == .good {}
            let replacement = try ModbusServer(port: port, units: [1: Self.layout])
            fill(replacement)
            replacement.start()
            defer { replacement.stop() }
            var recovered = false
            while let sample = await samples.next() {
                if sample.quality == .good { recovered = true; break }
            }
            #expect(recovered)
            _ = await samples.next()  // statistics are updated after a cycle's samples are yielded
            #expect(poller.statistics().reconnects >= 1)
        }
    }

    @Test func garbageExceptionsAndDropsNeverStopThePoller() async throws {
        let server = try ModbusServer(units: [1: Self.layout])
        fill(server)
        server.start()
        defer { server.stop() }
        let counter = Atomic<Int>(0)
        let chaos = Atomic<Bool>(true)
        server.setFaultHandler { _ in
            guard chaos.load(ordering: .relaxed) else { return .none }
            switch counter.add(1, ordering: .relaxed).newValue % 6 {
            case 0: return .garbage([0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x01, 0x83])
            case 1: return .exception(.serverDeviceFailure)
            case 2: return .dropConnection
            case 3: return .garbage(Array(repeating: 0xFF, count: 300))
            case 4: return .delay(.milliseconds(15))
            default: return .none
            }
        }
        try await withPoller(link(server, period: .milliseconds(10), timeout: .milliseconds(5))) { poller, samples in
            var seen = 0
            var lastSequence: UInt64 = 0
            while seen < 60, let sample = await samples.next() {
                #expect(sample.sequence > lastSequence)
                lastSequence = sample.sequence
                seen += 1
            }
            chaos.store(false, ordering: .relaxed)
            var recovered = false
            while let sample = await samples.next() {
                if sample.quality == .good { recovered = true; break }
            }
            #expect(recovered)
            let stats = poller.statistics().rigs[0]
            #expect(stats.failures + stats.timeouts > 0)
            #expect(stats.lastError != nil)
        }
    }

    @Test func commandsReachTheRigWithinOnePeriod() async throws {
        let server = try ModbusServer(units: [1: Self.layout])
        fill(server)
        server.withTables(unit: 1) { $0.setBit(.coil, 0, false) }
        server.start()
        defer { server.stop() }
        let (writes, continuation) = AsyncStream.makeStream(of: ModbusServer.Write.self)
        server.setWriteHandler { continuation.yield($0) }
        try await withPoller(link(server)) { poller, samples in
            _ = await samples.next()
            var iterator = writes.makeAsyncIterator()

            // The cycle under way when the command is queued may have drained its queue already, so the command
            // goes out at the start of the next one, whose sample reads it back.
            try poller.submit(RigCommand(rig: "lane1.brake", name: "rollers_run", value: 1))
            let pollsAtSubmit = poller.statistics().rigs[0].polls  // read after: never more than the truth
            #expect(await iterator.next() == .init(unitID: 1, table: .coil, address: 0, count: 1))
            var running: Sample?
            while let sample = await samples.next() {
                if sample.values[5] == 1 { running = sample; break }
            }
            let first = try #require(running)
            #expect(first.sequence <= pollsAtSubmit + 2, "the command waited more than one period")

            try poller.submit(RigCommand(rig: "lane1.brake", name: "setpoint", value: -1234.56))
            #expect(await iterator.next() == .init(unitID: 1, table: .holding, address: 20, count: 2))
            server.withTables(unit: 1) { t in
                #expect(t.bit(.coil, 0))
                #expect(t.value(.holding, 20, type: .i32, order: .badc) == -123_456)
            }
            // The counter moves once the write returns; samples already queued in the stream may predate it
            // (a loaded machine builds a backlog), so read on until it moves, within a generous bound.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while poller.statistics().rigs[0].commandsWritten < 2, clock.now < deadline { _ = await samples.next() }
            #expect(poller.statistics().rigs[0].commandsWritten == 2)
        }
    }

    /// The stop (the map's `safe_value` of `rollers_run`) sent while the rig is silent is written again every cycle
    /// and lands when the rig answers; a start sent while it is silent is written once and never repeated.
    @Test func aFailedStopIsRetriedUntilTheRigTakesItButAFailedStartIsNot() async throws {
        var map = Self.map
        map.commands[0].safeValue = 0
        let server = try ModbusServer(units: [1: Self.layout])
        fill(server)  // rollers running (coil 0 set)
        server.start()
        defer { server.stop() }
        let silent = Atomic<Bool>(false)
        server.setFaultHandler { _ in silent.load(ordering: .relaxed) ? .noReply : .none }
        let configuration = link(server, rigs: [RigConfiguration(rig: "lane1.brake", unitID: 1, map: map)], period: .milliseconds(50))
        try await withPoller(configuration) { poller, samples in
            /// Reads samples until `done` holds for the poller's statistics (at most 30 s).
            func readUntil(_ done: (LinkStatistics) -> Bool) async -> Bool {
                let deadline = ContinuousClock.now + .seconds(30)
                while ContinuousClock.now < deadline {
                    if done(poller.statistics()) { return true }
                    _ = await samples.next()
                }
                return done(poller.statistics())
            }
            while await samples.next()?.quality != .good {}
            silent.store(true, ordering: .relaxed)
            try poller.submit(RigCommand(rig: "lane1.brake", name: "rollers_run", value: 0))
            #expect(await readUntil { $0.rigs[0].commandFailures == 1 && $0.commandsRetained == 1 })
            #expect(server.withTables(unit: 1) { $0.bit(.coil, 0) }, "a silent rig took the write")
            silent.store(false, ordering: .relaxed)
            var stopped = false
            let deadline = ContinuousClock.now + .seconds(30)
            while !stopped, ContinuousClock.now < deadline, let sample = await samples.next() {
                stopped = sample.quality == .good && sample.values[5] == 0
            }
            #expect(stopped)
            #expect(await readUntil { $0.rigs[0].commandsWrittenOnRetry == 1 && $0.commandsRetained == 0 })
            #expect(poller.statistics().rigs[0].commandFailures == 1, "a retried write's failures count once")

            // A start is not a safe state: it fails once and is dropped.
            silent.store(true, ordering: .relaxed)
            try poller.submit(RigCommand(rig: "lane1.brake", name: "rollers_run", value: 1))
            #expect(await readUntil { $0.rigs[0].commandFailures == 2 })
            #expect(poller.statistics().commandsRetained == 0)
            silent.store(false, ordering: .relaxed)
            var good = 0
            while good < 5, let sample = await samples.next() {
                if sample.quality == .good {
                    good += 1
                    #expect(sample.values[5] == 0, "a failed start was written later")
                }
            }
            #expect(good == 5)
            #expect(poller.statistics().rigs[0].commandsWritten == 1)
        }
    }

    @Test func anOverrunSkipsCyclesAndFlagsTheSamplesAfterTheGap() async throws {
        let server = try ModbusServer(units: [1: Self.layout])
        fill(server)
        server.start()
        defer { server.stop() }
        let slow = Atomic<Bool>(false)
        // Three reads per cycle, each answered after 120 ms: one cycle takes about 360 ms of a 100 ms period.
        server.setFaultHandler { _ in slow.load(ordering: .relaxed) ? .delay(.milliseconds(120)) : .none }
        try await withPoller(link(server, period: .milliseconds(100), timeout: .milliseconds(400))) { poller, samples in
            while await samples.next()?.quality != .good {}
            slow.store(true, ordering: .relaxed)
            let switched = monotonicNanoseconds()
            var flagged = false
            // Samples polled before the switch may still be buffered in the stream when the test thread runs
            // late on a loaded machine (at the start of the parallel suite it can stall for seconds): skip
            // them by their poll time, then read until a late one shows up or 10 s of slow polling passed
            // (a slow cycle takes ~360 ms of a 100 ms period).
            while let sample = await samples.next() {
                if sample.deadlineMissed && sample.time.nanoseconds > switched { flagged = true; break }
                if sample.time.nanoseconds > switched + 10_000_000_000 { break }
            }
            slow.store(false, ordering: .relaxed)
            #expect(flagged)
            let stats = poller.statistics()
            #expect(stats.skippedCycles >= 1)
            #expect(stats.missedDeadlines >= stats.skippedCycles)
            // The replies were slow, not lost: every read still succeeded.
            #expect(stats.rigs[0].timeouts == 0)
        }
    }

    @Test func unknownRigsCommandsAndValuesAreRefused() async throws {
        let server = try ModbusServer(units: [1: Self.layout])
        let (_, continuation) = AsyncStream.makeStream(of: Sample.self)
        let poller = LinkPoller(configuration: link(server), samples: continuation, logger: Logger(label: "test"))
        #expect(throws: RigCommandError.self) { try poller.submit(RigCommand(rig: "nope", name: "rollers_run", value: 1)) }
        #expect(throws: RigCommandError.self) { try poller.submit(RigCommand(rig: "lane1.brake", name: "fly", value: 1)) }
        let error = #expect(throws: RigCommandError.self) {
            try poller.submit(RigCommand(rig: "lane1.brake", name: "setpoint", value: 1e12))
        }
        #expect(error?.code == .valueOutOfRange)
        #expect(error?.description.contains("lane1.brake") == true)
    }

    @Test func aDeadUnitDoesNotSilenceTheOtherRigOnTheSameLink() async throws {
        let server = try ModbusServer(units: [1: Self.layout, 2: Self.layout])
        fill(server, unit: 1)
        fill(server, unit: 2)
        server.setFaultHandler { $0.unitID == 2 ? .noReply : .none }
        server.start()
        defer { server.stop() }
        let rigs = [
            RigConfiguration(rig: "a", unitID: 1, map: Self.map), RigConfiguration(rig: "b", unitID: 2, map: Self.map),
        ]
        try await withPoller(link(server, rigs: rigs, period: .milliseconds(150), timeout: .milliseconds(40))) { _, samples in
            var good: [RigID: Int] = [:]
            var bad: [RigID: Int] = [:]
            for _ in 0..<20 {
                let sample = try #require(await samples.next())
                if sample.quality == .good { good[sample.rig, default: 0] += 1 } else { bad[sample.rig, default: 0] += 1 }
            }
            #expect(good["a", default: 0] >= 9, "rig a suffered from rig b's silence")
            #expect(bad["b"] == 10)
            #expect(good["b"] == nil)
        }
    }

    @Test func runsAsAServiceUntilGracefulShutdown() async throws {
        let server = try ModbusServer(units: [1: Self.layout])
        fill(server)
        server.start()
        defer { server.stop() }
        let (stream, continuation) = AsyncStream.makeStream(of: Sample.self, bufferingPolicy: .bufferingNewest(100))
        let poller = LinkPoller(configuration: link(server), samples: continuation, logger: Logger(label: "test"))
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: poller)], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = stream.makeAsyncIterator()
            #expect(await iterator.next()?.quality == .good)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let cycles = poller.statistics().cycles
        try await Task.sleep(for: .milliseconds(100))
        #expect(poller.statistics().cycles == cycles, "the link thread kept running after shutdown")
    }

    @Test func statisticsReportPeriodErrorAndRealTimeStatus() async throws {
        let server = try ModbusServer(units: [1: Self.layout])
        fill(server)
        server.start()
        defer { server.stop() }
        var configuration = link(server, period: .milliseconds(10))
        configuration.realTimePriority = 10
        try await withPoller(configuration) { poller, samples in
            for _ in 0..<20 { _ = await samples.next() }
            let stats = poller.statistics()
            #expect(stats.cycles >= 19)
            #expect(stats.periodError.count == stats.cycles)
            #expect(stats.periodError.max >= stats.periodError.p50)
            #expect(stats.realTime.requestedPriority == 10)
            #expect(stats.realTime.granted || stats.realTime.reason != nil)
            #expect(stats.rigs[0].polls == stats.cycles)
        }
    }
}
