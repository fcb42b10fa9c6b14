import InspectionRules
import TestScheduling
import Testing

/// `CurveFigures` scans with four interleaved lanes; these tests hold it to the plain one-lane
/// scan it replaced (first strict maximum from 0, window up to the earlier peak) on curves built
/// to catch a merge error: ties at the peak in different lanes, plateaus, lengths that are not a
/// multiple of four, negative, NaN and infinite samples (the public initialiser is not validated),
/// sides of different lengths, empty sides.
@Suite(.offThePool)
struct CurveEquivalenceTests {
    /// The reference: the scan `CurveFigures` used before the lanes.
    static func reference(left: [Double], right: [Double]) -> CurveFigures.Reference {
        func peak(_ samples: [Double]) -> (Double, Int) {
            var best = 0.0
            var index = 0
            for position in samples.indices where samples[position] > best {
                best = samples[position]
                index = position
            }
            return (best, index)
        }
        let (peakLeft, peakLeftIndex) = peak(left)
        let (peakRight, peakRightIndex) = peak(right)
        var difference = 0.0
        var at = 0
        let end = min(peakLeftIndex, peakRightIndex, left.count - 1, right.count - 1)
        if !right.isEmpty, end >= 0 {
            for position in 0...end where abs(left[position] - right[position]) > difference {
                difference = abs(left[position] - right[position])
                at = position
            }
        }
        return .init(
            peakLeft: peakLeft, peakLeftIndex: peakLeftIndex, peakRight: peakRight, peakRightIndex: peakRightIndex,
            maxRiseDifference: difference, maxRiseDifferenceIndex: at)
    }

    static func same(_ a: CurveFigures, _ b: CurveFigures.Reference) -> Bool {
        // Bit patterns: -0.0 and 0.0 must not be confused (they print differently).
        a.peakLeft.bitPattern == b.peakLeft.bitPattern && a.peakLeftIndex == b.peakLeftIndex
            && a.peakRight.bitPattern == b.peakRight.bitPattern && a.peakRightIndex == b.peakRightIndex
            && a.maxRiseDifference.bitPattern == b.maxRiseDifference.bitPattern
            && a.maxRiseDifferenceIndex == b.maxRiseDifferenceIndex
    }

    @Test func lanesGiveTheOneLaneScanOnTwentyThousandRandomCurves() {
        var generator = SplitMix(seed: 7)
        let special: [Double] = [0, -0.0, -1, .nan, .infinity, -.infinity]
        for round in 0..<20_000 {
            let count = Int(generator.next() % 41)
            let rightCount = generator.next() % 5 == 0 ? Int(generator.next() % 41) : count
            // Few distinct levels: many ties, in every lane position.
            let levels = 1 + generator.next() % 6
            func sample() -> Double {
                if generator.next() % 50 == 0 { return special[Int(generator.next() % UInt64(special.count))] }
                return Double(generator.next() % levels) * 12.5
            }
            let left = (0..<count).map { _ in sample() }
            let right = (0..<rightCount).map { _ in sample() }
            let figures = CurveFigures(left: left, right: right)
            let expected = Self.reference(left: left, right: right)
            #expect(Self.same(figures, expected), "round \(round): left \(left) right \(right)")
            if !Self.same(figures, expected) { return }
        }
    }

    @Test func tiesAtThePeakKeepTheFirstOccurrenceWhateverItsLane() {
        for first in 0..<9 {
            for second in (first + 1)..<10 {
                var left = [Double](repeating: 5, count: 11)
                left[first] = 9
                left[second] = 9
                var right = [Double](repeating: 0, count: 11)
                right[10] = 1  // the right wheel peaks last: the window ends at the left peak
                let figures = CurveFigures(left: left, right: right)
                #expect(figures.peakLeftIndex == first)
                #expect(figures.maxRiseDifferenceIndex == first)
                #expect(figures.maxRiseDifference == 9)
            }
        }
    }

    @Test func curvesWithNothingAboveZeroGivePositiveZeroAtIndexZero() {
        let figures = CurveFigures(left: [-0.0, -0.0, -0.0, -0.0, -0.0], right: [0, 0, 0, 0, 0])
        #expect(figures.peakLeft.bitPattern == (0.0).bitPattern)
        #expect(figures.peakLeftIndex == 0)
        #expect(figures.maxRiseDifference.bitPattern == (0.0).bitPattern)
        let empty = CurveFigures(left: [], right: [])
        #expect(empty.peakLeft == 0 && empty.peakLeftIndex == 0 && empty.maxRiseDifferenceIndex == 0)
    }
}

extension CurveFigures {
    /// The figures as plain values, for comparing with a reference scan.
    struct Reference {
        var peakLeft: Double
        var peakLeftIndex: Int
        var peakRight: Double
        var peakRightIndex: Int
        var maxRiseDifference: Double
        var maxRiseDifferenceIndex: Int
    }
}

/// A small deterministic generator (SplitMix64): the same curves on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
