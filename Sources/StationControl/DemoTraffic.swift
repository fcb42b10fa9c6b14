import Foundation
public import LaneCore
public import Logging
import Procedures
public import RigFirmware
public import ServiceLifecycle

/// Simulated arrivals for `lanectl demo`: checks vehicles in at a rate, each carrying one of the firmware's
/// scenarios, and plays each vehicle on the simulated rigs of the lane it enters (through the controller's
/// simulation hook). It does not play the drivers: they act through the handheld API like people do.
///
/// Vehicles: passenger cars (M1, two axles) with plates like `鲁G·12345` or, for new-energy cars, `鲁G·D12345`,
/// valid VINs (ISO 3779 check digit), gasoline or diesel as the scenario needs (`smoky_diesel` is a diesel).
public struct DemoTraffic: Service {
    /// How busy the demo is.
    public struct Configuration: Sendable {
        /// Mean arrivals per hour of station time (exponential gaps).
        public var arrivalsPerHour: Double = 24
        /// Time runs this much faster for arrivals (the rigs' physics run in real time).
        public var speed: Double = 1
        /// The scenarios, drawn in turn with a seeded shuffle.
        public var scenarios: [String] = [
            "sound_car", "weak_rear_brake", "pulling_front_axle", "dim_lamp", "misaimed_lamp", "rich_mixture", "smoky_diesel",
        ]
        /// Seed of the arrival times, plates and scenarios (reproducible demos).
        public var seed: UInt64 = 1
        /// Who checks the vehicles in (journaled as the actor).
        public var user = "demo.desk"
        /// Open a shift when none is open.
        public var openShift = true
        /// Stop checking in while this many vehicles wait (a station's car park is not endless).
        public var maximumWaiting = 12
        /// Vehicles already waiting when the station opens, checked in at once (nil: one per lane), so a
        /// newcomer sees every lane busy within the first minute instead of waiting for the first arrival.
        public var openingQueue: Int?

        public init() {}
    }

    let controller: StationController
    let station: SimulatedStation
    let configuration: Configuration
    let logger: Logger

    public init(controller: StationController, station: SimulatedStation, configuration: Configuration = .init(),
                logger: Logger)
    {
        self.controller = controller
        self.station = station
        self.configuration = configuration
        self.logger = logger
    }

    /// Installs the simulation hook and warms the analysers; done by ``run()``, public for tests that drive
    /// arrivals themselves.
    public func prepare() {
        let station = self.station
        let controller = self.controller
        controller.setSimulationHook { cue in Self.play(cue, station: station, controller: controller) }
        for lane in controller.profile.lanes {
            if let emission = lane.station(.emission) { _ = station.handle("warm \(emission.rig.id)") }
        }
    }

    /// Checks vehicles in until graceful shutdown.
    public func run() async throws {
        prepare()
        if configuration.openShift, controller.shift()?.state != "open" {
            do {
                let shift = try controller.openShift(by: configuration.user)
                logger.info("Demo shift opened", metadata: ["shift.id": "\(shift.id)", "shift.commitment": "\(shift.seedCommitment)"])
            } catch {
                logger.error("Demo could not open a shift", metadata: ["error": "\(error)"])
            }
        }
        let meanGap = 3600 / max(0.1, configuration.arrivalsPerHour) / max(0.01, configuration.speed)
        let opening = max(0, configuration.openingQueue ?? controller.profile.lanes.count)
        await cancelWhenGracefulShutdown {
            var random = DemoRandom(seed: configuration.seed)
            for _ in 0..<opening where !Task.isCancelled {
                checkIn(&random)
            }
            while !Task.isCancelled {
                let gap = -meanGap * log(max(1e-9, 1 - random.unit()))
                do {
                    try await Task.sleep(for: .seconds(gap))
                } catch {
                    return
                }
                checkIn(&random)
            }
        }
    }

    /// Checks one simulated vehicle in, unless the car park is full.
    func checkIn(_ random: inout DemoRandom) {
        let waiting = controller.snapshot().queue.filter { $0.state == "waiting" }.count
        guard waiting < configuration.maximumWaiting else { return }
        let request = Self.vehicle(&random, scenarios: configuration.scenarios)
        do {
            let ticket = try controller.checkIn(request, by: configuration.user)
            logger.info("Demo vehicle checked in", metadata: [
                "queue.number": "\(ticket.queueNumber)", "vehicle.plate": "\(ticket.plate)",
                "scenario": "\(request.scenario ?? "")",
            ])
        } catch {
            logger.warning("Demo check-in refused", metadata: ["error": "\(error)"])
        }
    }

    /// A simulated vehicle with a valid plate and VIN, carrying a scenario.
    public static func vehicle(_ random: inout DemoRandom, scenarios: [String]) -> CheckInRequest {
        let name = scenarios.isEmpty ? "sound_car" : scenarios[Int(random.next() % UInt64(scenarios.count))]
        let scenario = VehicleScenario.named(name) ?? .soundCar
        let diesel = scenario.engine?.fuel == .diesel
        let newEnergy = !diesel && random.next() % 5 == 0
        let digits = String(format: "%05d", Int(random.next() % 100_000))
        var vehicle = Vehicle(plate: newEnergy ? "鲁G·D\(digits)" : "鲁G·\(digits)")
        vehicle.vin = vin(&random)
        vehicle.typeCode = "K33"
        vehicle.category = "M1"
        vehicle.passengerCar = true
        vehicle.seats = 5
        vehicle.usePhase = .inUse
        vehicle.serviceBrake = .hydraulic
        vehicle.maxTotalMassKg = 1_800
        vehicle.curbMassKg = 1_400
        vehicle.headlampSystem = 2
        vehicle.maxDesignSpeedKmh = 180
        vehicle.firstRegistered = "20\(10 + random.next() % 14)-0\(1 + random.next() % 9)-1\(random.next() % 10)"
        vehicle.fuel = diesel ? .diesel : .gasoline
        vehicle.aspiration = diesel ? .turbo : .natural
        vehicle.emissionLimitSet = "a"
        vehicle.axles = max(1, scenario.axles.count)
        return CheckInRequest(vehicle: vehicle, scenario: name)
    }

    /// A 17-character VIN with a correct check digit (position 9).
    public static func vin(_ random: inout DemoRandom) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
        var chars = Array("LSV")  // a Chinese manufacturer prefix
        for _ in 3..<17 { chars.append(alphabet[Int(random.next() % UInt64(alphabet.count))]) }
        chars[8] = "0"
        chars[8] = VIN.checkDigit(chars)
        return String(chars)
    }

    /// Plays the vehicle on the simulated rigs.
    public static func play(_ cue: SimulationCue, station: SimulatedStation, controller: StationController) {
        switch cue {
        case .vehicleEntering(let lane, let vehicle, let scenario):
            _ = station.handle("scenario \(lane) \(scenario ?? "sound_car")")
            guard let emission = controller.profile.lane(lane)?.station(.emission),
                let rig = station.rig(emission.rig.id)
            else { return }
            // The firmware's diesel script has three snaps; the procedure asks for its purges and measured
            // accelerations, so the simulated driver does as many.
            let configuration = controller.options.emission(vehicle, emission)
            let script: EngineScript? =
                configuration.method == .freeAcceleration
                ? EngineScript(
                    name: "free_acceleration_demo",
                    segments: [.init(seconds: 6, throttle: 0)]
                        + Array(repeating: [.init(seconds: 3, throttle: 1), .init(seconds: 8, throttle: 0)],
                                count: configuration.purgeAccelerations + configuration.measuredAccelerations).flatMap { $0 },
                    rpmResponse: 0.35)
                : nil
            rig.withModel { model in
                if case .exhaust(var exhaust) = model {
                    exhaust.script = script
                    model = .exhaust(exhaust)
                }
            }
        case .prompt(_, let prompt):
            // The parking brake is tested on the last axle: the simulated vehicle keeps it on the rollers.
            guard prompt.station == .brake, prompt.text.en.hasPrefix("Parking brake"), let rig = station.rig(prompt.rig),
                let last = rig.scenario.axles.last
            else { return }
            var parking = rig.scenario
            parking.axles = [last]
            rig.load(parking)
        }
    }
}

/// The demo's own seeded generator (SplitMix64): reproducible arrivals, plates and scenarios.
public struct DemoRandom: RandomNumberGenerator, Sendable {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
