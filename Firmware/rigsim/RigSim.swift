import ArgumentParser
import Foundation
import LaneCore
import Logging
import Profiles
import RigFirmware
import ServiceLifecycle
import UnixSignals

/// `rigsim`: serves simulated rigs over Modbus until SIGINT or SIGTERM.
@main
struct RigSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rigsim",
        abstract: "Serves simulated brake, headlamp and exhaust rigs over Modbus TCP or RTU.",
        discussion: """
            Serve every rig of a lane profile:   rigsim --profile LaneProfiles/demo-station.yaml
            Serve one rig model on a port:       rigsim --model brake --port 1502 --scenario weak_rear_brake
            Each rig prints one line "rig <id> <model> tcp <host>:<port> unit <n> …", then "ready".
            Control lines on standard input change scenarios and faults at run time (type help);
            see docs/simulated-rigs.md.
            """)

    @Option(help: "Lane profile whose rigs to serve.")
    var profile: String?

    @Option(help: "One rig model to serve: brake, headlamp, exhaust (or a map file path).")
    var model: String?

    @Option(help: "With --model: address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "With --model: TCP port (0 picks a free one).")
    var port = 0

    @Option(help: "With --model: serve Modbus RTU on this serial device instead of TCP.")
    var rtu: String?

    @Option(help: "With --rtu: baud rate.")
    var baud = 19200

    @Option(help: "With --rtu: parity none, even or odd.")
    var parity = "even"

    @Option(help: "With --model: unit id.")
    var unit = 1

    @Option(help: "With --model: starting scenario.")
    var scenario = "sound_car"

    @Option(help: "With --model: starting fault.")
    var fault = "none"

    @Option(help: "With --model: noise seed.")
    var seed: UInt64 = 1

    func validate() throws {
        guard (profile == nil) != (model == nil) else { throw ValidationError("give either --profile or --model") }
    }

    func run() async throws {
        let loader = ProfileLoader(scenarios: VehicleScenario.names, faults: RigFault.names)
        let profile: LaneProfile
        do {
            if let path = self.profile {
                profile = try loader.load(path: path)
            } else {
                profile = try singleRigProfile()
            }
        } catch let error as ProfileError {
            FileHandle.standardError.write(Data("rigsim: \(error)\nrigsim: \(error.descriptionZh)\n".utf8))
            throw ExitCode(2)
        }
        let station = try SimulatedStation(profile: profile)
        for entry in station.entries {
            let c = entry.configuration
            say(
                "rig \(c.id) \(c.model) \(entry.endpoint) unit \(c.unitID) scenario \(entry.rig.scenario.name) fault \(entry.rig.fault)"
            )
        }
        say("ready (control lines on stdin: type help)")
        Thread.detachNewThread {
            while let line = readLine() {
                let answer = station.handle(line)
                if !answer.isEmpty { say(answer) }
            }
        }
        let logger = Logger(label: "rigsim")
        let group = ServiceGroup(
            configuration: .init(
                services: [StationService(station: station)], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        say("stopped")
    }

    /// A one-lane profile holding just the rig asked for on the command line.
    func singleRigProfile() throws -> LaneProfile {
        guard let model else { throw ValidationError("--model missing") }
        let mapPath: String
        if model.hasSuffix(".yaml") {
            mapPath = model
        } else {
            let file = ["brake": "lc-rb3000-brake.yaml", "headlamp": "lc-hl200-headlamp.yaml", "exhaust": "lc-ea500-exhaust.yaml"][model]
            guard let file, let maps = Self.mapsDirectory() else {
                throw ValidationError("--model takes brake, headlamp, exhaust or a map file (run from the repository)")
            }
            mapPath = maps + "/" + file
        }
        let map = try RegisterMapLoader.load(path: mapPath)
        guard VehicleScenario.named(scenario) != nil else {
            throw ValidationError("unknown scenario \(scenario) (known: \(VehicleScenario.names.joined(separator: ", ")))")
        }
        guard RigFault(name: fault) != nil else {
            throw ValidationError("unknown fault \(fault) (known: \(RigFault.names.joined(separator: ", ")))")
        }
        let transport: Transport
        if let rtu {
            guard let parity = SerialLineSettings.Parity(rawValue: parity) else {
                throw ValidationError("parity must be none, even or odd")
            }
            transport = .rtu(SerialLineSettings(device: rtu, baud: baud, parity: parity))
        } else {
            transport = .tcp(host: host, port: port)
        }
        let kind: StationKind =
            switch map.kind {
            case .brakeTester: .brake
            case .headlampTester: .headlamp
            case .exhaustAnalyser: .emission
            }
        let rig = RigConfiguration(
            id: RigID("\(kind.rawValue)"), model: map.model, mapFile: mapPath, map: map, transport: transport,
            unitID: unit, pollPeriod: .milliseconds(100), responseTimeout: .milliseconds(200),
            byteTimeout: .milliseconds(50), simulation: .init(scenario: scenario, fault: fault, seed: seed))
        return LaneProfile(
            stationName: "rigsim", ruleset: "none",
            lanes: [Lane(id: "sim", name: "sim", vehicleCategories: [], stations: [Station(kind: kind, rig: rig)])],
            drivers: [])
    }

    /// `Firmware/maps` of the repository around the working directory.
    static func mapsDirectory() -> String? {
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        while true {
            let candidate = directory.appendingPathComponent("Firmware/maps").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { return nil }
            directory = parent
        }
    }
}

/// Serves the station's rigs until graceful shutdown.
struct StationService: Service {
    let station: SimulatedStation

    func run() async throws {
        try await cancelWhenGracefulShutdown { await station.run() }
    }
}

/// Writes a line to standard output at once (stdout is block-buffered when piped to a test).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
