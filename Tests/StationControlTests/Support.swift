import Foundation
import Journal
import LaneCore
import LaneTesting
import Logging
import Profiles
import RigFirmware
import StationControl
import StationTesting
import Synchronization
import Valet

/// Records the rig commands the controller sends.
final class CommandLog: Sendable {
    let commands = Mutex<[RigCommand]>([])
    var all: [RigCommand] { commands.withLock { $0 } }
    func record(_ c: RigCommand) { commands.withLock { $0.append(c) } }
}

enum Fixtures {
    static let profile: LaneProfile = {
        let path = try! Repository(filePath: #filePath).demoProfile
        return try! ProfileLoader(scenarios: VehicleScenario.names, faults: RigFault.names).load(path: path)
    }()

    /// The demo profile with lane L1 reduced to the given stations (drive order kept).
    static func profile(l1 stations: [StationKind]) -> LaneProfile {
        var p = profile
        p.lanes[0].stations = p.lanes[0].stations.filter { stations.contains($0.kind) }
        return p
    }

    static let logger = Logger(label: "test.station")

    /// A controller on a virtual clock with a recorded command log, optionally journaled.
    static func controller(
        profile: LaneProfile = Fixtures.profile, journal: Journal? = nil, clock: TestClock = TestClock(),
        log: CommandLog = CommandLog(), options: StationController.Options = .init(), seed: UInt64 = 7
    ) -> StationController {
        StationController(
            profile: profile, journal: journal, seed: ShiftSeed.forSimulation(seed), commands: { log.record($0) },
            logger: logger, options: options, clock: { clock.now }, wallClock: { clock.wall })
    }
}

/// The dispatch audit and the chain check of a journal, as `lanectl journal verify` and `lanectl dispatch verify` run them.
func verifyJournal(_ path: String, shift: String) throws -> (chain: VerificationReport, audit: DrawAudit.Report) {
    let chain = try Journal.verify(path: path)
    let entries = try DispatchJournal.entries(of: ShiftID(shift), in: Journal(readingAt: path))
    return (chain, DrawAudit.verify(entries, shift: ShiftID(shift)))
}

extension Fixtures {
    /// The demo profile with lane L1 only (every vehicle goes there), reduced to `stations`.
    static func singleLane(_ stations: [StationKind] = [.emission, .headlamp, .brake]) -> LaneProfile {
        var p = profile(l1: stations)
        p.lanes = [p.lanes[0]]
        return p
    }
}
