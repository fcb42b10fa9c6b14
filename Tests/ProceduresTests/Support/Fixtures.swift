import Foundation
import InspectionRules
import LaneCore
import Procedures
import Profiles

/// Finds the package root (the folder with Package.swift) from this file.
enum Fixtures {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    static func map(_ file: String) throws -> RegisterMap {
        try RegisterMapLoader.load(path: root.appendingPathComponent("Firmware/maps/\(file)").path)
    }

    static let brakeMap = try! map("lc-rb3000-brake.yaml")
    static let headlampMap = try! map("lc-hl200-headlamp.yaml")
    static let exhaustMap = try! map("lc-ea500-exhaust.yaml")

    static let brakeRig = RigID("L1.brake")
    static let headlampRig = RigID("L1.headlamp")
    static let emissionRig = RigID("L1.emission")

    /// A five-seat passenger car in use, as the sound_car scenario simulates it.
    static var car: Vehicle {
        var vehicle = Vehicle(plate: "鲁G·12345")
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
        vehicle.firstRegistered = "2018-05-01"
        vehicle.fuel = .gasoline
        vehicle.emissionLimitSet = "a"
        return vehicle
    }

    static var dieselCar: Vehicle {
        var vehicle = car
        vehicle.fuel = .diesel
        vehicle.aspiration = .turbo
        return vehicle
    }

    /// A pipeline with the three stations of lane L1.
    static func pipeline(
        vehicle: Vehicle, axles: Int = 2, brake: Bool = true, headlamp: Bool = true, emission: Bool = true,
        emissionConfiguration: EmissionConfiguration? = nil
    ) throws -> InspectionPipeline {
        InspectionPipeline(
            ruleset: .cnGB7258, vehicle: vehicle,
            brake: brake ? try BrakeProcedure(rig: brakeRig, map: brakeMap, configuration: BrakeConfiguration(axles: axles, map: brakeMap)) : nil,
            headlamp: headlamp ? try HeadlampProcedure(rig: headlampRig, map: headlampMap) : nil,
            emission: emission
                ? try EmissionProcedure(rig: emissionRig, map: exhaustMap, configuration: emissionConfiguration ?? EmissionConfiguration(vehicle: vehicle))
                : nil)
    }
}
