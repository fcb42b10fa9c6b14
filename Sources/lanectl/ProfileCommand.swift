import ArgumentParser
import Foundation
import LaneCore
import Profiles
import RigFirmware

/// `lanectl profile …`: lane profiles.
struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Check lane profiles and the register maps they name.",
        subcommands: [ProfileCheckCommand.self]
    )
}

/// `lanectl profile check FILE`: validates a profile and every register map it names.
/// Exit 0 and a summary when it is usable; exit 2 and `file:line:column: reason` (English, then
/// Chinese) on standard error when it is not.
struct ProfileCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a lane profile and every register map it names (exit 2 with file:line: reason).")

    @Argument(help: "The lane profile (YAML).")
    var file: String

    func run() async throws {
        let loader = ProfileLoader(scenarios: VehicleScenario.names, faults: RigFault.names)
        let profile: LaneProfile
        do {
            profile = try loader.load(path: file)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n\(error.descriptionZh)\n".utf8))
            throw ExitCode(2)
        }
        print("\(file): ok: \(profile.stationName), ruleset \(profile.ruleset)")
        for lane in profile.lanes {
            print("  lane \(lane.id) \(lane.name) takes \(lane.vehicleCategories.joined(separator: ", "))")
            for station in lane.stations {
                let rig = station.rig
                print(
                    "    \(station.kind.rawValue): \(rig.id) \(rig.model) (\(rig.map.channels.count) channels, \(rig.map.commands.count) commands) \(rig.transport) unit \(rig.unitID) every \(rig.pollPeriod)"
                        + (station.dynamometer ? ", chassis dynamometer (ASM)" : "")
                )
            }
        }
        print("  \(profile.drivers.count) drivers: \(profile.drivers.map { "\($0.id) \($0.nameZh)" }.joined(separator: ", "))")
        let maps = Set(profile.rigs.map(\.mapFile)).sorted()
        print("  register maps: \(maps.joined(separator: ", "))")
    }
}
