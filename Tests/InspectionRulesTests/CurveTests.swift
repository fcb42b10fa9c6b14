import InspectionRules
import Testing

struct CurveTests {
    /// The right wheel keeps rising after the left one peaks and locks; its late force makes the
    /// whole-curve difference large, but the rise (up to the earlier peak) is balanced.
    static let left: [Double] = [0, 100, 200, 300, 300, 100]
    static let right: [Double] = [0, 95, 190, 290, 295, 300]

    @Test func peaksAndRiseDifferenceStopAtTheEarlierPeak() {
        let figures = CurveFigures(left: Self.left, right: Self.right)
        #expect(figures.peakLeft == 300)
        #expect(figures.peakLeftIndex == 3)
        #expect(figures.peakRight == 300)
        #expect(figures.peakRightIndex == 5)
        #expect(figures.maxRiseDifference == 10)
        #expect(figures.maxRiseDifferenceIndex == 2)
        let wholeCurve = zip(Self.left, Self.right).map { abs($0 - $1) }.max()!
        #expect(wholeCurve == 200)
    }

    @Test func riseOnlyDifferencePassesWhereTheWholeCurveWouldFail() throws {
        let json = """
            {"ruleset": "CN-GB7258-2017", "vehicle": {"type_code": "K33", "use_phase": "in_use"},
             "brake": {"axles": [{"position": "front", "load": 1000,
               "curve": {"period_ms": 10, "left": \(Self.left), "right": \(Self.right)}}]}}
            """
        let item = try judge(json).required("brake.axle1.imbalance")
        // 10 / 300 = 3.33 % passes; the whole-curve 200 / 300 = 66.7 % would fail.
        #expect(item.verdict == .pass)
        #expect(Rounding.display(item.value!) == 3.33)
        #expect(item.basis == .peak)
    }

    @Test func riseOnlyDifferenceFailsWhereTheDifferenceOfPeaksWouldPass() throws {
        // Equal peaks (difference of peaks 0 %), but the left wheel bites much earlier.
        let left: [Double] = [0, 200, 350, 400, 400]
        let right: [Double] = [0, 50, 200, 380, 400]
        let json = """
            {"ruleset": "CN-GB7258-2017", "vehicle": {"type_code": "K33", "use_phase": "new_registration"},
             "brake": {"axles": [{"position": "front", "load": 1000, "curve": {"left": \(left), "right": \(right)}}]}}
            """
        let item = try judge(json).required("brake.axle1.imbalance")
        #expect(item.value == 150.0 / 400 * 100)
        #expect(item.verdict == .fail)
    }

    @Test func curveWinsOverPeaksGivenBesideIt() throws {
        let json = """
            {"ruleset": "CN-GB7258-2017", "vehicle": {"type_code": "K33", "use_phase": "in_use"},
             "brake": {"axles": [{"position": "front", "load": 1000, "peak_left": 1, "peak_right": 1, "max_rise_difference": 0,
               "curve": {"left": \(Self.left), "right": \(Self.right)}}]}}
            """
        let result = try judge(json)
        #expect(try result.required("brake.axle1.rate").value == 60)
        #expect(Rounding.display(try result.required("brake.axle1.imbalance").value!) == 3.33)
    }

    @Test func nullCurveWithoutPeaksIsIncompleteNamingTheCurve() throws {
        let json = """
            {"ruleset": "CN-GB7258-2017", "vehicle": {"type_code": "K33", "use_phase": "in_use"},
             "brake": {"axles": [{"position": "front", "load": 1000, "curve": null}]}}
            """
        let result = try judge(json)
        let rate = try result.required("brake.axle1.rate")
        #expect(rate.verdict == .incomplete)
        #expect(rate.missing == ["brake.axles[0].curve"])
        #expect(try result.required("brake.axle1.imbalance").verdict == .incomplete)
        #expect(result.verdict == .incomplete)
    }

    @Test func curveSidesOfDifferentLengthAreRefusedWithThePath() {
        let json = """
            {"ruleset": "CN-GB7258-2017", "vehicle": {},
             "brake": {"axles": [{"load": 1000, "curve": {"left": [0, 1, 2], "right": [0, 1]}}]}}
            """
        #expect(inputError(json)?.path == "brake.axles[0].curve.right")
    }
}
