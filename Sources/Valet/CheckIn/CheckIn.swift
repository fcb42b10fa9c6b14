public import LaneCore

/// Check-in validation: the vehicle's data as the desk typed it, refused with the reason where it is wrong.
public enum CheckIn {
    /// Validates `vehicle` for a station using `ruleset` and `lanes`; returns it with the plate and VIN in
    /// canonical spelling, or the refusal (in Chinese and English) for the first fault found.
    public static func validate(_ vehicle: Vehicle, ruleset: PlateRuleset, lanes: [LaneSetup]) -> Result<Vehicle, Refusal> {
        var v = vehicle
        do {
            v.plate = try Plate(vehicle.plate, ruleset: ruleset).canonical
        } catch {
            return .failure(Refusal(code: "plate", subject: "plate", zh: error.zh, en: error.en))
        }
        if let vin = vehicle.vin, !vin.isEmpty {
            do {
                v.vin = try VIN(vin, ruleset: ruleset).value
            } catch {
                return .failure(Refusal(code: "vin", subject: "vin", zh: error.zh, en: error.en))
            }
        }
        if let axles = vehicle.axles, !(1...12).contains(axles) {
            return .failure(Refusal(code: "axles", subject: "axles", zh: "轴数 \(axles) 不可能：应为 1 到 12。",
                                    en: "\(axles) axles is impossible: expected 1 to 12."))
        }
        // Two plain checks, not a loop over an array literal: check-in runs for every vehicle.
        if let refusal = impossibleMass("max_total_mass_kg", vehicle.maxTotalMassKg) { return .failure(refusal) }
        if let refusal = impossibleMass("curb_mass_kg", vehicle.curbMassKg) { return .failure(refusal) }
        if let total = vehicle.maxTotalMassKg, let curb = vehicle.curbMassKg, curb > total {
            return .failure(Refusal(code: "mass", subject: "curb_mass_kg",
                                    zh: "整备质量 \(curb) kg 大于总质量 \(total) kg：请核对行驶证。",
                                    en: "Curb mass \(curb) kg exceeds the maximum total mass \(total) kg: check the registration document."))
        }
        if let date = vehicle.firstRegistered, !isISODate(date) {
            return .failure(Refusal(code: "date", subject: "first_registered",
                                    zh: "初次登记日期“\(date)”不是 YYYY-MM-DD 格式的有效日期。",
                                    en: "First registration \"\(date)\" is not a valid YYYY-MM-DD date."))
        }
        guard lanes.contains(where: { $0.takes(v) }) else {
            let what = v.category ?? v.typeCode ?? "?"
            return .failure(Refusal(code: "no_lane", subject: "category",
                                    zh: "本站没有检测“\(what)”类车辆的检测线。",
                                    en: "No lane of this station takes vehicles of category \"\(what)\"."))
        }
        return .success(v)
    }

    static func impossibleMass(_ name: String, _ value: Double?) -> Refusal? {
        guard let value, !(value > 0 && value < 200_000) else { return nil }
        return Refusal(code: "mass", subject: name, zh: "\(name) = \(value) kg 不可能：应大于 0、小于 200 吨。",
                       en: "\(name) = \(value) kg is impossible: expected more than 0 and under 200 t.")
    }

    static func isISODate(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1900...2200).contains(y), (1...12).contains(m)
        else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d)
    }
}
