import Foundation
import GRDB
import Journal
import LaneCore
import LaneTesting
import Logging
import Modbus
import Procedures
import RigFirmware
import Rigs
import StationControl
import StationTesting
import Testing
import Valet

/// The whole station over real sockets: the demo profile's simulated rigs served in-process on ports the system
/// picks, one `LinkPoller` per rig as the server builds them, the controller fed by the pollers and writing a
/// temporary journal, the vehicle played by `DemoTraffic`'s hook, the driver played in-process through the
/// handheld calls.
@Suite(.serialized)
struct EndToEndTests {
    /// One link per rig (the demo's rigs each listen on a port of their own), as `StationLinks` builds them.
    static func links(_ profile: LaneProfile) -> [LinkConfiguration] {
        profile.rigs.compactMap { rig in
            guard case .tcp(let host, let port) = rig.transport else { return nil }
            return LinkConfiguration(
                name: rig.id.rawValue, transport: .tcp(host: host, port: port),
                rigs: [Rigs.RigConfiguration(rig: rig.id, unitID: UInt8(clamping: rig.unitID), map: rig.map)],
                period: rig.pollPeriod, responseTimeout: rig.responseTimeout, byteTimeout: rig.byteTimeout,
                realTimePriority: nil)  // normal scheduling: the demo profile's priorities are for `lanectl demo`
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aSoundCarIsDrawnDrivenMeasuredJudgedAndJournaledOverRealSockets() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let simulated = try InProcessStation()
        defer { simulated.stop() }
        let profile = simulated.boundProfile
        let logger = Logger(label: "test.e2e")
        let (stream, continuation) = AsyncStream.makeStream(of: Sample.self, bufferingPolicy: .bufferingNewest(100_000))
        let pollers = Self.links(profile).map { LinkPoller(configuration: $0, samples: continuation, logger: logger) }
        var byRig: [RigID: LinkPoller] = [:]
        for poller in pollers { for rig in poller.configuration.rigs { byRig[rig.rig] = poller } }
        let routes = byRig
        let path = folder.url.appendingPathComponent("station.sqlite").path
        let journal = try Journal(path: path, now: WallTime(Date()))
        var options = StationController.Options()
        // The simulated gasoline engine below holds each speed for 20 s, not the standard's 10 s + 30 s; the
        // analyser's gas reading settles in about 4.5 s (T90), so stabilising takes 8 s.
        options.emission = { vehicle, station in
            var c = EmissionConfiguration(vehicle: vehicle, station: station)
            c.stabilise = .seconds(8)
            c.measureWindow = .seconds(5)
            return c
        }
        let controller = StationController(
            profile: profile, journal: journal, seed: ShiftSeed.forSimulation(11),
            commands: { command in
                guard let poller = routes[command.rig] else { return }
                try poller.submit(command)
            }, logger: logger, options: options)
        let station = simulated.station
        DemoTraffic(controller: controller, station: station, logger: logger).prepare()
        controller.setSimulationHook { cue in
            DemoTraffic.play(cue, station: station, controller: controller)
            // A short two-speed idle: 70 % for 2 s, high idle 20 s, then idle.
            if case .vehicleEntering(let lane, let vehicle, _) = cue, vehicle.fuel == .gasoline,
                let rig = profile.lane(lane)?.station(.emission).flatMap({ station.rig($0.rig.id) })
            {
                rig.withModel { model in
                    if case .exhaust(var exhaust) = model {
                        exhaust.script = EngineScript(
                            name: "two_speed_idle_short",
                            segments: [.init(seconds: 2, throttle: 1.3), .init(seconds: 20, throttle: 1), .init(seconds: 60, throttle: 0)])
                        model = .exhaust(exhaust)
                    }
                }
            }
        }
        for poller in pollers { poller.start() }
        let consumer = Task { for await sample in stream { controller.handle(sample) } }

        let shift = try controller.openShift(by: "op1")
        let ticket = try controller.checkIn(TestVehicles.car("鲁G·54321", scenario: "sound_car"), by: "desk1")
        var drivers = TestDrivers()
        var run: LaneRunView?
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(165)
        while clock.now < deadline {
            try drivers.act(controller, nowMs: WallTime(Date()).milliseconds)
            let snapshot = controller.snapshot()
            if let current = snapshot.lanes.compactMap(\.current).first(where: { $0.queueNumber == ticket.queueNumber }) {
                run = current
            }
            if !snapshot.queue.contains(where: { $0.queueNumber == ticket.queueNumber }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        for poller in pollers { await poller.stop() }
        continuation.finish()
        await consumer.value

        let snapshot = controller.snapshot()
        if let run {
            let gated = run.verdicts.filter { $0.qualityReason != nil }.count
            print("e2e: outcome \(run.outcome ?? "-"), \(run.verdicts.count) items, \(gated) gated by data quality")
        }
        #expect(!snapshot.queue.contains { $0.queueNumber == ticket.queueNumber },
                "not finished: \(snapshot.lanes.map { "\($0.id) \($0.state) \(String(describing: $0.current?.state)) \(String(describing: $0.current?.prompt))" }) tasks \(drivers.acknowledged.suffix(5))")
        let last = try #require(run)
        let verdicts = last.verdicts
        #expect(Set(verdicts.map(\.station)) == ["emission", "headlamp", "brake"])
        #expect(verdicts.allSatisfy { ["pass", "fail", "incomplete", "not_applicable"].contains($0.verdict) })
        // Consistency: the outcome follows from the items; a gated item says why.
        let expected = verdicts.contains { $0.verdict == "fail" } ? "fail"
            : verdicts.contains { $0.verdict == "incomplete" } ? "incomplete" : "pass"
        #expect(last.outcome == expected)
        for item in verdicts where item.qualityReason != nil { #expect(item.verdict == "incomplete") }
        if verdicts.allSatisfy({ $0.qualityReason == nil }) && !verdicts.contains(where: { $0.verdict == "incomplete" }) {
            // Clean samples: the sound car passes.
            #expect(last.outcome == "pass", "\(verdicts.filter { $0.verdict != "pass" })")
        }
        // The driver of a finished vehicle is free again.
        #expect(snapshot.drivers.filter { $0.state != "free" }.isEmpty)

        _ = try controller.closeShift(by: "op1")
        #expect(controller.flushJournal())
        controller.stopJournal()
        #expect(controller.journalCounts.failures == 0)
        let (chain, audit) = try verifyJournal(path, shift: shift.id)
        #expect(chain.isIntact, "\(chain.problems)")
        #expect(audit.passed, "\(audit.findings)")
        #expect(audit.draws >= 1)
        let reader = try Journal(readingAt: path)
        #expect(try reader.status(of: InspectionID(last.inspection))?.rawValue == last.outcome)
        let (items, samples) = try reader.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items WHERE inspection_id = ?", arguments: [last.inspection]) ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM samples") ?? 0)
        }
        #expect(items == verdicts.count)
        #expect(samples > 100)
        // For a manual `lanectl journal verify` / `lanectl dispatch verify` of a live station's database.
        if let keep = ProcessInfo.processInfo.environment["STATION_CONTROL_KEEP_DB"] {
            // The database and its WAL (readers still hold the file open, so nothing is checkpointed).
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: path + suffix) {
                try? FileManager.default.removeItem(atPath: keep + suffix)
                try FileManager.default.copyItem(atPath: path + suffix, toPath: keep + suffix)
            }
            print("e2e: journal kept at \(keep), shift \(shift.id)")
        }
    }
}
