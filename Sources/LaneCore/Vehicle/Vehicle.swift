/// What the station knows about a vehicle: the data the rules need to pick limits, as checked in.
///
/// Field names and values follow the rule engine's JSON (`standards.md` §8, `snake_case` there).
/// Every field but the plate may be unknown (nil): the rules then apply their documented default or
/// judge the items that need it `incomplete`.
public struct Vehicle: Hashable, Sendable, Codable {
    public var plate: String
    public var vin: String?
    /// Chinese vehicle type code (GA 24.4): `K33`, `H11`, `Q11`, `B11`, `M21` …
    public var typeCode: String?
    /// UN/ECE category: `M1`, `N1`, `O2`, `L3e` …
    public var category: String?
    /// A road train or articulated vehicle judged as a whole.
    public var combination: Bool?
    /// Type codes of the trailers of a combination.
    public var trailerTypeCodes: [String]?
    public var usePhase: UsePhase?
    /// A passenger car in the sense of GB 7258 (a passenger vehicle with at most 9 seats).
    public var passengerCar: Bool?
    public var seats: Int?
    public var maxTotalMassKg: Double?
    public var curbMassKg: Double?
    public var serviceBrake: ServiceBrake?
    /// Number of headlamps: 1, 2 or 4.
    public var headlampSystem: Int?
    public var maxDesignSpeedKmh: Double?
    /// Rated engine power (tractors above or below 18 kW use different lamp limits).
    public var ratedPowerKw: Double?
    /// ISO date `YYYY-MM-DD`.
    public var firstRegistered: String?
    /// ISO date `YYYY-MM-DD`; UK/EU date rules use it, defaulting to `firstRegistered`.
    public var firstUsed: String?
    public var fuel: Fuel?
    public var aspiration: Aspiration?
    public var emissionStage: String?
    /// `a`, `b` (GB 18285/3847-2018 limit sets) or `2005` (legacy GB 3847-2005).
    public var emissionLimitSet: String?
    /// Manufacturer's plate smoke value (m⁻¹), UK/EU.
    public var plateValueM1: Double?
    /// Number of axles (the brake test runs once per axle; lanes may be limited by it).
    public var axles: Int?

    public init(plate: String) { self.plate = plate }

    enum CodingKeys: String, CodingKey {
        case plate, vin, category, combination, seats, fuel, aspiration, axles
        case typeCode = "type_code"
        case trailerTypeCodes = "trailer_type_codes"
        case usePhase = "use_phase"
        case passengerCar = "passenger_car"
        case maxTotalMassKg = "max_total_mass_kg"
        case curbMassKg = "curb_mass_kg"
        case serviceBrake = "service_brake"
        case headlampSystem = "headlamp_system"
        case maxDesignSpeedKmh = "max_design_speed_kmh"
        case ratedPowerKw = "rated_power_kw"
        case firstRegistered = "first_registered"
        case firstUsed = "first_used"
        case emissionStage = "emission_stage"
        case emissionLimitSet = "emission_limit_set"
        case plateValueM1 = "plate_value_m1"
    }

    public enum UsePhase: String, Hashable, Sendable, Codable, CaseIterable {
        case newRegistration = "new_registration"
        case inUse = "in_use"
    }

    public enum ServiceBrake: String, Hashable, Sendable, Codable, CaseIterable {
        case hydraulic, air, other
    }

    public enum Fuel: String, Hashable, Sendable, Codable, CaseIterable {
        case gasoline, diesel, lpg, cng, electric
        case hybridGasoline = "hybrid_gasoline"
        case hybridDiesel = "hybrid_diesel"
    }

    public enum Aspiration: String, Hashable, Sendable, Codable, CaseIterable {
        case natural, turbo
    }
}
