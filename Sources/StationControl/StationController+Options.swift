public import LaneCore
public import Procedures

extension StationController {
    /// How a lane lets the next vehicle in.
    public enum CallMode: String, Hashable, Sendable, Codable {
        /// The lane calls the first vehicle waiting at its entry as soon as the previous vehicle has left
        /// the lane (the lane display shows the call; the driver's handheld says "drive in").
        case automatic
        /// Only the operator's ``StationController/callNext(lane:by:)`` calls the next vehicle.
        case operatorCalls = "operator"
    }

    /// Settings of a live station (not domain data: the profile holds that).
    public struct Options: Sendable {
        public var callMode: CallMode = .automatic
        /// Seconds a drawn driver has to confirm the plate before the vehicle is redrawn.
        public var confirmTimeoutSeconds = 180
        /// Vehicles that may be on their way to, or waiting at, one lane's entry.
        public var entryLimit = 1
        /// Parking bays, named `P01` … ; a parked vehicle is given the next one in turn.
        public var bays = 40
        /// Journal the raw samples of the rig a vehicle is being tested on (through `Journal.SampleWriter`).
        public var journalSamples = true
        /// Written on every inspection (evidence: what produced the figures).
        public var softwareVersion = "LaneControl 0.1"
        /// The lane profile's version; nil: the profile's source path.
        public var profileVersion: String?
        /// The brake station's configuration for a vehicle (axles, parking brake axle, time-outs).
        public var brake: @Sendable (Vehicle, RegisterMap) -> BrakeConfiguration = { vehicle, map in
            BrakeConfiguration(axles: vehicle.axles ?? 2, map: map)
        }
        /// The headlamp station's configuration.
        public var headlamp: @Sendable (Vehicle) -> HeadlampConfiguration = { _ in HeadlampConfiguration() }
        /// The emission station's configuration: the method follows the fuel, and ASM where the lane's emission
        /// station has a dynamometer (`dynamometer: true` in the profile) and the vehicle is spark-ignition.
        public var emission: @Sendable (Vehicle, Station) -> EmissionConfiguration = {
            EmissionConfiguration(vehicle: $0, station: $1)
        }
        /// Interval of the dispatcher's `tick` (confirmation time-outs).
        public var tickInterval: Duration = .seconds(1)

        public init() {}
    }
}
