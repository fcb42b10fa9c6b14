import InspectionRules
import PropertyBased
import TestScheduling
import Testing

@Suite(.offThePool)
struct PropertyTests {
    static func axleCase(_ ruleset: String, unit: String, scale: Double, left: Double, right: Double, load: Double, diff: Double, drag: (Double, Double)) -> String {
        """
        {"ruleset": "\(ruleset)", "vehicle": {"type_code": "K33", "category": "M1", "use_phase": "in_use", "first_used": "2015-01-01"},
         "brake": {"unit": "\(unit)", "parking_total": \(j((left + right) / 2 * scale)), "axles": [
           {"position": "front", "load": \(j(load * scale)), "peak_left": \(j(left * scale)), "peak_right": \(j(right * scale)),
            "max_rise_difference": \(j(diff * scale)), "drag_left": \(j(drag.0 * scale)), "drag_right": \(j(drag.1 * scale))},
           {"position": "rear", "load": \(j(load * scale)), "peak_left": \(j(right * scale)), "peak_right": \(j(left * scale)),
            "max_rise_difference": \(j(diff * scale))}]}}
        """
    }

    @Test func swappingLeftAndRightChangesNoRateImbalanceOrVerdict() async {
        await propertyCheck(
            input: Gen.double(in: 0...1000), Gen.double(in: 0...1000), Gen.double(in: 100...3000), Gen.double(in: 0...1)
        ) { left, right, load, fraction in
            let diff = fraction * max(left, right)
            for ruleset in ["CN-GB7258-2017", "UK-MOT", "EU-2014-45"] {
                guard let a = try? judge(Self.axleCase(ruleset, unit: "daN", scale: 1, left: left, right: right, load: load, diff: diff, drag: (5, 7))),
                    let b = try? judge(Self.axleCase(ruleset, unit: "daN", scale: 1, left: right, right: left, load: load, diff: diff, drag: (7, 5)))
                else {
                    Issue.record("case refused")
                    return
                }
                #expect(a.verdict == b.verdict)
                for id in ["brake.axle1.rate", "brake.axle1.imbalance", "brake.axle2.imbalance", "brake.service.rate"] {
                    #expect(a.item(id)?.verdict == b.item(id)?.verdict, "\(ruleset) \(id)")
                    #expect(abs((a.item(id)?.value ?? 0) - (b.item(id)?.value ?? 0)) < 1e-9, "\(ruleset) \(id)")
                }
                #expect(a.item("brake.axle1.drag_left")?.value == b.item("brake.axle1.drag_right")?.value)
            }
        }
    }

    @Test func ratesDoNotDependOnTheForceUnit() async {
        await propertyCheck(
            input: Gen.double(in: 0...1000), Gen.double(in: 0...1000), Gen.double(in: 100...3000), Gen.double(in: 0...1)
        ) { left, right, load, fraction in
            let diff = fraction * max(left, right)
            for ruleset in ["CN-GB7258-2017", "UK-MOT"] {
                guard let daN = try? judge(Self.axleCase(ruleset, unit: "daN", scale: 1, left: left, right: right, load: load, diff: diff, drag: (5, 7))),
                    let newton = try? judge(Self.axleCase(ruleset, unit: "N", scale: 10, left: left, right: right, load: load, diff: diff, drag: (5, 7))),
                    let kgf = try? judge(Self.axleCase(ruleset, unit: "kgf", scale: 1 / 0.980665, left: left, right: right, load: load, diff: diff, drag: (5, 7)))
                else {
                    Issue.record("case refused")
                    return
                }
                for other in [newton, kgf] {
                    #expect(daN.items.count == other.items.count)
                    for (x, y) in zip(daN.items, other.items) {
                        #expect(x.id == y.id)
                        #expect(abs((x.value ?? 0) - (y.value ?? 0)) < 1e-7, "\(ruleset) \(x.id)")
                        // Away from a rounding boundary, verdicts agree.
                        if let v = x.value, abs(v * 10 - (v * 10).rounded()) < 0.49 || ruleset != "CN-GB7258-2017" {
                            #expect(x.verdict == y.verdict || abs(v - (x.limit?.min ?? x.limit?.max ?? 0)) < 1e-6, "\(ruleset) \(x.id) \(v)")
                        }
                    }
                }
            }
        }
    }

    @Test func imbalanceStaysWithinZeroAndOneHundredPercentOfThePeak() async {
        await propertyCheck(input: Gen.double(in: 0...500).array(of: 2...60), Gen.double(in: 0...500).array(of: 2...60)) { l, r in
            let n = min(l.count, r.count)
            let figures = CurveFigures(left: Array(l.prefix(n)), right: Array(r.prefix(n)))
            #expect(figures.maxRiseDifference >= 0)
            #expect(figures.maxRiseDifference <= max(figures.peakLeft, figures.peakRight))
            #expect(figures.maxRiseDifferenceIndex <= min(figures.peakLeftIndex, figures.peakRightIndex))
            let swapped = CurveFigures(left: Array(r.prefix(n)), right: Array(l.prefix(n)))
            #expect(swapped.maxRiseDifference == figures.maxRiseDifference)
        }
    }
}
