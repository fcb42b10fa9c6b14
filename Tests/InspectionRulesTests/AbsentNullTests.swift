import InspectionRules
import Testing

struct AbsentNullTests {
    static let vehicle = #""type_code": "K33", "use_phase": "in_use", "max_design_speed_kmh": 150"#

    @Test func absentSectionsAndFieldsProduceNoItems() throws {
        let result = try judge(#"{"ruleset": "CN-GB7258-2017", "vehicle": {\#(Self.vehicle)}}"#)
        #expect(result.items.isEmpty)
        #expect(result.verdict == .pass)
        let brakeOnly = try judge(cnBrakeCase(vehicle: Self.vehicle, axles: [#"{"load": 800, "peak_left": 300, "peak_right": 300}"#]))
        #expect(brakeOnly.item("brake.axle1.drag_left") == nil)
        #expect(brakeOnly.item("brake.axle1.imbalance") == nil)
        #expect(brakeOnly.item("brake.parking.rate") == nil)
        #expect(brakeOnly.item("brake.axle1.rate")?.verdict == .pass)
    }

    @Test func nullMeasurementIsIncompleteWithThePathOfTheField() throws {
        let result = try judge(cnBrakeCase(vehicle: Self.vehicle, axles: [
            #"{"position": "front", "load": 800, "peak_left": 300, "peak_right": 300}"#,
            #"{"position": "rear", "load": 600, "peak_left": null, "peak_right": 150, "drag_left": null}"#,
        ]))
        let rate = try result.required("brake.axle2.rate")
        #expect(rate.verdict == .incomplete)
        #expect(rate.value == nil)
        #expect(rate.missing == ["brake.axles[1].peak_left"])
        #expect(try result.required("brake.service.rate").missing == ["brake.axles[1].peak_left"])
        #expect(try result.required("brake.axle2.drag_left").missing == ["brake.axles[1].drag_left"])
        #expect(try result.required("brake.axle1.rate").verdict == .pass)
        #expect(result.verdict == .incomplete)
        #expect(rate.explain.en.contains("brake.axles[1].peak_left"))
    }

    @Test func failBeatsIncompleteInTheCaseVerdict() throws {
        let result = try judge(cnBrakeCase(vehicle: Self.vehicle, axles: [
            #"{"position": "front", "load": 800, "peak_left": 100, "peak_right": 100}"#,
            #"{"position": "rear", "load": 600, "peak_left": null, "peak_right": 150}"#,
        ]))
        #expect(result.verdict == .fail)
    }

    @Test func unknownVehicleFieldsLeaveOnlyTheItemsThatNeedThemIncomplete() throws {
        // A light truck with unknown mass: front 60 % either way, rear 20 % (≤ 3500 kg) or 50 %.
        let result = try judge(cnBrakeCase(vehicle: #""type_code": "H31", "use_phase": null"#, axles: [
            #"{"position": "front", "load": 1000, "peak_left": 400, "peak_right": 400, "max_rise_difference": 10}"#,
            #"{"position": "rear", "load": 1000, "peak_left": 200, "peak_right": 200}"#,
        ]))
        #expect(try result.required("brake.axle1.rate").verdict == .pass)
        #expect(try result.required("brake.service.rate").verdict == .pass)
        let rear = try result.required("brake.axle2.rate")
        #expect(rear.verdict == .incomplete)
        #expect(rear.missing == ["vehicle.max_total_mass_kg"])
        let imbalance = try result.required("brake.axle1.imbalance")
        #expect(imbalance.missing == ["vehicle.use_phase"])
    }

    @Test func vehicleWithNoClassDataNamesTheTypeCode() throws {
        let result = try judge(cnBrakeCase(vehicle: "", axles: [#"{"position": "rear", "load": 1000, "peak_left": 200, "peak_right": 200}"#]))
        #expect(try result.required("brake.axle1.rate").missing == ["vehicle.type_code"])
    }

    @Test func nullSectionsAreIncomplete() throws {
        let result = try judge(#"{"ruleset": "CN-GB7258-2017", "vehicle": null, "brake": null, "headlamps": null, "emission": null}"#)
        #expect(result.verdict == .incomplete)
        #expect(try result.required("brake.service.rate").missing == ["brake"])
        #expect(try result.required("headlamps").missing == ["headlamps"])
        #expect(try result.required("emission").missing == ["emission"])
    }

    @Test func testWeightDefaultsToTheSumOfTheAxleLoadsAndCanBeGiven() throws {
        let axles = [#"{"load": 800, "peak_left": 300, "peak_right": 300}"#, #"{"load": 700, "peak_left": 150, "peak_right": 150}"#]
        let defaulted = try judge(cnBrakeCase(vehicle: Self.vehicle, axles: axles)).required("brake.service.rate")
        #expect(defaulted.value == 900.0 / 1500 * 100)
        let given = try judge(cnBrakeCase(vehicle: Self.vehicle, axles: axles, extra: #", "test_weight": 1800"#)).required("brake.service.rate")
        #expect(given.value == 50)
        #expect(given.verdict == .fail)
        let nullWeight = try judge(cnBrakeCase(vehicle: Self.vehicle, axles: axles, extra: #", "test_weight": null"#)).required("brake.service.rate")
        #expect(nullWeight.missing == ["brake.test_weight"])
    }

    @Test func positionDefaultsToFirstAxleFrontAndTheRestRear() throws {
        let result = try judge(cnBrakeCase(vehicle: Self.vehicle, axles: [
            #"{"load": 1000, "peak_left": 100, "peak_right": 100}"#, #"{"load": 1000, "peak_left": 100, "peak_right": 100}"#,
        ]))
        #expect(try result.required("brake.axle1.rate").limit == .atLeast(60))
        #expect(try result.required("brake.axle2.rate").limit == .atLeast(20))
    }
}
