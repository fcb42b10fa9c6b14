public import LaneCore
public import StationControl

/// Vehicles the station tests check in.
public enum TestVehicles {
    /// A five-seat petrol (or turbo-diesel) passenger car, first registered 2018, two axles, carrying `scenario`
    /// (a ``VehicleScenario`` name the model lane plays).
    public static func car(_ plate: String = "鲁G·12345", scenario: String? = "sound_car", diesel: Bool = false) -> CheckInRequest {
        var v = Vehicle(plate: plate)
        v.vin = "LSVAU218XN2183294"
        v.typeCode = "K33"
        v.category = "M1"
        v.passengerCar = true
        v.seats = 5
        v.usePhase = .inUse
        v.serviceBrake = .hydraulic
        v.maxTotalMassKg = 1_800
        v.curbMassKg = 1_400
        v.headlampSystem = 2
        v.maxDesignSpeedKmh = 180
        v.firstRegistered = "2018-05-01"
        v.fuel = diesel ? .diesel : .gasoline
        v.aspiration = diesel ? .turbo : .natural
        v.emissionLimitSet = "a"
        v.axles = 2
        return CheckInRequest(vehicle: v, scenario: scenario)
    }
}
