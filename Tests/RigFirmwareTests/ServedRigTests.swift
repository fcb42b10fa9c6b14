import Foundation
import LaneCore
import LaneTesting
import Modbus
import Profiles
import RigFirmware
import Testing

/// Simulated rigs served over real loopback sockets, read with the Modbus module's client.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct ServedRigTests {
    func link(_ rig: InProcessRig, timeout: Duration = .seconds(2)) throws -> ModbusLink {
        try ModbusLink(
            ModbusClientConfiguration(
                transport: .tcp(host: "127.0.0.1", port: rig.port), responseTimeout: timeout,
                reconnect: ReconnectPolicy(initialDelay: .milliseconds(10), maximumDelay: .milliseconds(50))))
    }

    /// Every channel of `table` decoded from one read of the whole table (one consistent snapshot).
    func snapshot(_ link: ModbusLink, _ map: RegisterMap, _ table: RegisterTable) async throws -> [String: Double] {
        let channels = map.channels.filter { $0.table == table }
        let end = channels.map { $0.address + $0.type.registerCount }.max() ?? 0
        switch table {
        case .input, .holding:
            let words = try await link.perform { try $0.readRegisters(table, address: 0, count: end) }
            var values: [String: Double] = [:]
            for c in channels {
                let raw = RegisterCodec.decode(
                    words[c.address..<(c.address + c.type.registerCount)], as: c.type, order: c.wordOrder ?? map.defaultWordOrder)!
                values[c.name] = raw * c.scale + c.offset
            }
            return values
        case .coil, .discreteInput:
            let bits = try await link.perform { try $0.readBits(table, address: 0, count: end) }
            return Dictionary(uniqueKeysWithValues: channels.map { ($0.name, bits[$0.address] ? 1.0 : 0.0) })
        }
    }

    func waitUntil(
        _ link: ModbusLink, _ map: RegisterMap, _ table: RegisterTable, _ channel: String, equals value: Double
    ) async throws -> [String: Double] {
        for _ in 0..<200 {
            let values = try await snapshot(link, map, table)
            if values[channel] == value { return values }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(channel) never became \(value)")
        return [:]
    }

    /// Nobody brakes: the scripted driver would press 3 s after the rollers reach speed, lock a wheel and have the
    /// rollers stop on the slip, so a test task that reads late on a loaded machine could miss them at speed.
    static func holdPedalReleased(_ rig: InProcessRig) {
        rig.rig.withModel { ControlCommand.ModelChange.pedal(0).apply(to: &$0) }
    }

    @Test func headlampMeasurementReadsBackAsTheMapPromises() async throws {
        let rig = try InProcessRig(kind: "headlamp", scenario: .misaimedLamp, seed: 11)
        defer { rig.stop() }
        let link = try link(rig)
        defer { link.shutdown() }
        let map = rig.map
        try await link.perform { client in
            try client.writeValue(2, to: .holding, address: map.command("beam_select")!.address, type: .u16)
            try client.writeCoil(address: map.command("measure_left")!.address, value: true)
        }
        _ = try await waitUntil(link, map, .discreteInput, "left_high_ready", equals: 1)
        let served = try await snapshot(link, map, .input)
        let truth = rig.rig.readings(at: rig.server.elapsed)
        for channel in map.channels where channel.table == .input && channel.name.hasPrefix("left_") {
            let tolerance = channel.type == .f32 ? 1e-3 : channel.scale / 2 + 1e-9
            #expect(abs(served[channel.name]! - truth[channel.name]!) <= tolerance, "\(channel.name)")
        }
        #expect(abs(served["left_low_vertical_h"]! - 0.96) < 0.02)
        #expect(abs(served["left_low_horizontal_mm"]! - 420) < 25)
        #expect(served["left_centre_height_mm"] == 700)
        #expect(try await snapshot(link, map, .holding)["beam_selected"] == 2)
        // The one-shot command coil is cleared by the firmware when the lamp is done.
        #expect(try await link.perform { try $0.readCoils(address: 0, count: 1) } == [false])
    }

    @Test func brakeRigServesEveryTypeAndWordOrderConsistently() async throws {
        // Played by hand from this task: no watchdog (InProcessRig), the test below checks it.
        let rig = try InProcessRig(kind: "brake", scenario: .soundCar, seed: 12, commsWatchdog: false)
        defer { rig.stop() }
        Self.holdPedalReleased(rig)
        let link = try link(rig)
        defer { link.shutdown() }
        let map = rig.map
        try await Task.sleep(for: .seconds(2))  // the scale settles (first order, 95 % in 0.8 s)
        let before = rig.server.elapsed
        let values = try await snapshot(link, map, .input)
        let after = rig.server.elapsed
        // f32 CDAB wheel loads, u32 ABCD ×0.1 axle load: one snapshot, so they add up.
        #expect(abs(values["load_left"]! - 401.5) < 2)
        #expect(abs(values["axle_load"]! - (values["load_left"]! + values["load_right"]!)) < 0.11)
        // u32 DCBA heartbeat: milliseconds since the server started.
        let heartbeat = values["heartbeat"]!
        #expect(heartbeat >= Double(before.components.seconds * 1000) && heartbeat <= Double(after.components.seconds * 1000 + 1000))
        // Writing the run coil starts the rollers (and they stay at speed: nobody brakes).
        try await link.perform { try $0.writeCoil(address: map.command("rollers_run")!.address, value: true) }
        _ = try await waitUntil(link, map, .discreteInput, "ready", equals: 1)
        let running = try await snapshot(link, map, .input)
        #expect(running["roller_state"] == 2)
        #expect(abs(running["roller_speed"]! - 2.5) < 0.01)
        // i16 slip stays small while the wheels roll.
        #expect(running["slip_left_pct"]! >= 0 && running["slip_left_pct"]! < 5)
        try await link.perform { try $0.writeCoil(address: map.command("rollers_run")!.address, value: false) }
        _ = try await waitUntil(link, map, .input, "roller_state", equals: 0)
    }

    /// A controller that dies with the rollers running: the rig stops them by itself once its communication watchdog
    /// (2 s in the map) expires, and says so in its fault word when somebody asks again.
    @Test func rollersStopByThemselvesWhenTheControllerFallsSilent() async throws {
        let rig = try InProcessRig(kind: "brake", scenario: .soundCar, seed: 5)
        defer { rig.stop() }
        Self.holdPedalReleased(rig)
        let link = try link(rig)
        defer { link.shutdown() }
        let map = rig.map
        try await link.perform { try $0.writeCoil(address: map.command("rollers_run")!.address, value: true) }
        // Silence from the write on: well past the watchdog (a sleep never ends early; a late one only makes the silence
        // longer, with the rollers commanded to run all through it: one trip whatever the timing; a trip acts only on
        // rollers told to run, so the fault bit and the count show they were).
        try await Task.sleep(for: .seconds(3))
        let values = try await snapshot(link, map, .input)
        #expect(Int(values["fault_word"]!) & Int(BrakeTesterModel.Fault.stoppedControllerSilent) != 0)
        #expect(values["roller_state"] == 3 || values["roller_state"] == 0)  // coasting down or stopped
        #expect(try await snapshot(link, map, .coil)["rollers_running"] == 0)
        #expect(rig.rig.watchdogTrips == 1)
        _ = try await waitUntil(link, map, .input, "roller_state", equals: 0)
    }

    @Test func exhaustAnalyserSamplesWhenToldAndItsLambdaMatchesItsGases() async throws {
        let rig = try InProcessRig(kind: "exhaust", scenario: .soundCar, seed: 13)
        defer { rig.stop() }
        let link = try link(rig)
        defer { link.shutdown() }
        let map = rig.map
        // Commands are refused while the bench warms up.
        try await link.perform { try $0.writeCoil(address: map.command("sampling")!.address, value: true) }
        var status = try await snapshot(link, map, .discreteInput)
        #expect(status["warming_up"] == 1 && status["sampling"] == 0)
        let station = ControlCommand.ModelChange.warm
        _ = station  // the control channel's `warm`, applied directly:
        rig.rig.withModel { model in
            if case .exhaust(var exhaust) = model {
                exhaust.finishWarmUp()
                model = .exhaust(exhaust)
            }
        }
        try await link.perform { try $0.writeCoil(address: map.command("sampling")!.address, value: true) }
        status = try await snapshot(link, map, .discreteInput)
        #expect(status["sampling"] == 1)
        try await Task.sleep(for: .seconds(2))
        let values = try await snapshot(link, map, .input)
        #expect(values["co2_pct"]! > 3)  // rising toward ~14.9 % with the T90 lag
        #expect(values["engine_rpm"]! > 700)
        let gas = VehicleScenario.Gas(
            co: values["co_pct"]!, co2: values["co2_pct"]!, hc: values["hc_ppm"]!, no: values["no_ppm"]!, o2: values["o2_pct"]!)
        #expect(abs(values["lambda"]! - ExhaustAnalyserModel.lambda(gas)) < 0.01)
        #expect(values["dyno_load_kw"] == 0)  // f32 BADC, no ASM running
    }

    @Test func faultsAreShownAndClearedAtRunTime() async throws {
        let rig = try InProcessRig(kind: "brake", scenario: .soundCar)
        defer { rig.stop() }
        let link = try link(rig, timeout: .milliseconds(300))
        defer { link.shutdown() }
        func read() async throws -> [UInt16] { try await link.perform { try $0.readInputRegisters(address: 0, count: 4) } }
        func readRecovering() async throws -> [UInt16] {
            for _ in 0..<50 {
                if let words = try? await read() { return words }
                try await Task.sleep(for: .milliseconds(20))
            }
            return try await read()
        }
        _ = try await read()

        rig.rig.setFault(.noReply)
        let timeout = try await #require(throws: ModbusError.self) { try await read() }
        #expect(timeout.code == .timedOut)
        rig.rig.setFault(.none)
        _ = try await readRecovering()

        rig.rig.setFault(.exceptionReplies(code: 4))
        let exception = try await #require(throws: ModbusError.self) { try await read() }
        #expect(exception.code == .serverDeviceFailure)
        rig.rig.setFault(.none)
        _ = try await readRecovering()

        rig.rig.setFault(.droppedConnection)
        await #expect(throws: ModbusError.self) { try await read() }
        rig.rig.setFault(.none)
        _ = try await readRecovering()

        rig.rig.setFault(.garbageBytes)
        await #expect(throws: ModbusError.self) { try await read() }
        rig.rig.setFault(.none)
        _ = try await readRecovering()

        rig.rig.setFault(.slowReplies(.milliseconds(150)))
        let slowLink = try self.link(rig, timeout: .seconds(2))
        defer { slowLink.shutdown() }
        let clock = ContinuousClock()
        let started = clock.now
        _ = try await slowLink.perform { try $0.readInputRegisters(address: 0, count: 4) }
        #expect(clock.now - started >= .milliseconds(140))
        #expect(rig.server.server.statistics.faults >= 5)
    }

    @Test func demoStationServesEveryRigOnItsOwnPortAndTakesControlLines() async throws {
        let repository = try Repository()
        let profile = try ProfileLoader(scenarios: VehicleScenario.names, faults: RigFault.names).load(path: repository.demoProfile)
        let station = try SimulatedStation(profile: profile)
        station.start()
        defer { station.stop() }
        #expect(station.entries.count == 6)
        #expect(Set(station.entries.map(\.server.port)).count == 6)
        #expect(station.entries.allSatisfy { $0.server.port > 0 })
        #expect(station.rig("L2.brake")?.scenario.name == "weak_rear_brake")

        #expect(station.handle("scenario L1 dim_lamp").hasPrefix("ok 3"))
        #expect(station.rig("L1.headlamp")?.scenario.name == "dim_lamp")
        #expect(station.handle("fault L2.brake slow_replies 50") == "ok 1 rig(s) fault slow_replies 50")
        #expect(station.rig("L2.brake")?.fault == .slowReplies(.milliseconds(50)))
        #expect(station.handle("pedal L1.brake 0.5") == "ok 1 rig(s)")
        #expect(station.handle("warm L1.brake").hasPrefix("error: warm does not apply"))
        #expect(station.handle("warm L1.emission") == "ok 1 rig(s)")
        #expect(station.handle("scenario L9 sound_car").hasPrefix("error: no rig L9"))
        #expect(station.handle("scenario L1 flying_car").hasPrefix("error: unknown scenario"))
        #expect(station.handle("frobnicate").hasPrefix("error: unknown command"))
        #expect(station.handle("# a comment").isEmpty)
        #expect(station.handle("status L1.brake").contains("force_left="))
        #expect(station.handle("list").split(separator: "\n").count == 6)

        // A served rig answers on its port with the unit id of the profile.
        let port = try #require(station.port(of: "L1.brake"))
        let link = try ModbusLink(ModbusClientConfiguration(transport: .tcp(host: "127.0.0.1", port: port)))
        defer { link.shutdown() }
        let bits = try await link.perform { try $0.readDiscreteInputs(address: 2, count: 1) }
        #expect(bits == [true])  // vehicle_on_rollers
    }
}


@Suite(.serialized, .timeLimit(.minutes(5)))
struct InProcessStationTests {
    @Test func boundProfilePointsEveryRigAtItsServedPort() async throws {
        let running = try InProcessStation()
        defer { running.stop() }
        let bound = running.boundProfile
        #expect(bound.rigs.count == 6)
        for rig in bound.rigs {
            guard case .tcp(let host, let port) = rig.transport else {
                Issue.record("\(rig.id) is not on TCP")
                continue
            }
            #expect(port > 0 && port == running.station.port(of: rig.id))
            let link = try ModbusLink(ModbusClientConfiguration(transport: .tcp(host: host, port: port)))
            defer { link.shutdown() }
            let heartbeat = rig.map.channels.first { $0.name == "heartbeat" }!
            _ = try await link.perform {
                try $0.readValue(.input, unit: UInt8(rig.unitID), address: heartbeat.address, type: .u32, order: heartbeat.wordOrder ?? rig.map.defaultWordOrder)
            }
        }
    }
}
