/// Figures derived from a sampled brake curve.
public struct CurveFigures: Sendable, Hashable {
    public var peakLeft: Double
    public var peakRight: Double
    /// Sample indices of the first occurrence of each peak.
    public var peakLeftIndex: Int
    public var peakRightIndex: Int
    /// Largest simultaneous |L − R| over samples 0 … min(peakLeftIndex, peakRightIndex).
    public var maxRiseDifference: Double
    /// Index of the sample where that difference occurs.
    public var maxRiseDifferenceIndex: Int

    /// Derives the peaks and the largest simultaneous difference during the rise.
    ///
    /// The rise ends at the earlier of the two peaks (`standards.md` §1.1, NH-GA
    /// `ReducedCurveData`); samples after it (release, wheel lock, slip) are excluded. The window
    /// includes the earlier peak's own sample: both forces at that instant belong to the rise.
    /// A one-sided (single-wheel) curve passes `right` empty.
    public init(left: [Double], right: [Double]) {
        var difference = (value: 0.0, index: 0)
        var peaks = (left: (value: 0.0, index: 0), right: (value: 0.0, index: 0))
        left.withUnsafeBufferPointer { l in
            right.withUnsafeBufferPointer { r in
                peaks.left = Self.firstMaximum(l.count) { l[$0] }
                peaks.right = Self.firstMaximum(r.count) { r[$0] }
                guard r.count > 0 else { return }
                let end = min(peaks.left.index, peaks.right.index, l.count - 1, r.count - 1)
                guard end >= 0 else { return }
                difference = Self.firstMaximum(end + 1) { abs(l[$0] - r[$0]) }
            }
        }
        (peakLeft, peakLeftIndex) = peaks.left
        (peakRight, peakRightIndex) = peaks.right
        (maxRiseDifference, maxRiseDifferenceIndex) = difference
    }

    /// The largest of `value(0) … value(count − 1)` that is above 0 and the index of its first
    /// occurrence; (0, 0) when none is above 0 (NaN is never above anything, so it is skipped).
    ///
    /// Four interleaved lanes, each keeping its own first maximum, then merged: the same result
    /// as one `if v > best` scan, without its chain of dependent compares (a scan of one lane
    /// waits for each compare before the next; four lanes run side by side).
    @inline(__always)
    static func firstMaximum(_ count: Int, _ value: (Int) -> Double) -> (value: Double, index: Int) {
        var (b0, b1, b2, b3) = (0.0, 0.0, 0.0, 0.0)
        var (i0, i1, i2, i3) = (0, 0, 0, 0)
        var position = 0
        while position &+ 4 <= count {
            let (v0, v1, v2, v3) = (value(position), value(position &+ 1), value(position &+ 2), value(position &+ 3))
            if v0 > b0 { (b0, i0) = (v0, position) }
            if v1 > b1 { (b1, i1) = (v1, position &+ 1) }
            if v2 > b2 { (b2, i2) = (v2, position &+ 2) }
            if v3 > b3 { (b3, i3) = (v3, position &+ 3) }
            position &+= 4
        }
        // The tail lies after every lane's samples: lane 0 keeps its first-occurrence order.
        while position < count {
            let v = value(position)
            if v > b0 { (b0, i0) = (v, position) }
            position &+= 1
        }
        // Merge: the largest value; among lanes holding it, the earliest index. A lane that
        // never rose above 0 holds (0, 0) and never wins.
        var best = (value: 0.0, index: 0)
        func merge(_ b: Double, _ i: Int) {
            if b > best.value || (b == best.value && b > 0 && i < best.index) { best = (b, i) }
        }
        merge(b0, i0)
        merge(b1, i1)
        merge(b2, i2)
        merge(b3, i3)
        return best
    }
}

/// One axle's figures in daN, whichever way they arrived (peaks or curve), with the JSON paths
/// to name when they are missing.
struct AxleFigures {
    // The inputs first and the one-byte fields last, so they pack (axles are copied per rule).
    var load: Input
    var peakLeft: Input
    var peakRight: Input
    var maxRiseDifference: Input
    var dragLeft: Input
    var dragRight: Input
    var number: Int
    var wheels: Int
    var position: BrakeAxle.Position
    var steered: Bool
    var lockedLeft: Bool
    var lockedRight: Bool

    /// The peaks this axle contributes to the vehicle sums (right only for two-wheel axles).
    var peakInputs: InputList { wheels == 1 ? InputList(peakLeft) : InputList(peakLeft, peakRight) }

    /// The peaks followed by the axle load (the rate item's inputs), stored inline.
    var rateInputs: InputList { wheels == 1 ? InputList(peakLeft, load) : InputList(peakLeft, peakRight, load) }

    /// - Parameters:
    ///   - allRear: trailers: every axle is a rear axle (`standards.md` §1.2).
    static func derive(_ axles: [BrakeAxle], unit: ForceUnit, allRear: Bool) -> [AxleFigures] {
        let scale = unit.toDecanewtons
        func daN(_ reading: Reading<Double>) -> Reading<Double> {
            if case .value(let v) = reading { return .value(v * scale) }
            return reading
        }
        var result: [AxleFigures] = []
        result.reserveCapacity(axles.count)
        for (offset, axle) in axles.enumerated() {
            // Default position: the first axle listed is the front axle, the others rear.
            let position: BrakeAxle.Position = allRear ? .rear : (axle.position ?? (offset == 0 ? .front : .rear))
            var figures = AxleFigures(
                load: Input(daN(axle.load), axle: offset, ".load"),
                peakLeft: Input(daN(axle.peakLeft), axle: offset, ".peak_left"),
                peakRight: Input(daN(axle.peakRight), axle: offset, ".peak_right"),
                maxRiseDifference: Input(daN(axle.maxRiseDifference), axle: offset, ".max_rise_difference"),
                dragLeft: Input(daN(axle.dragLeft), axle: offset, ".drag_left"),
                dragRight: Input(daN(axle.dragRight), axle: offset, ".drag_right"),
                number: axle.index ?? offset + 1, wheels: axle.wheels, position: position,
                steered: axle.steered ?? (position == .front),
                lockedLeft: axle.lockedLeft ?? false, lockedRight: axle.lockedRight ?? false)
            switch axle.curve {
            case .value(let curve):
                // The curve wins over any peaks given beside it (§8).
                let right = axle.wheels == 1 ? [] : curve.right
                let derived = CurveFigures(left: curve.left, right: right)
                figures.peakLeft = Input(.value(derived.peakLeft * scale), axle: offset, ".curve.left")
                figures.peakRight = Input(.value(derived.peakRight * scale), axle: offset, ".curve.right")
                figures.maxRiseDifference = Input(.value(derived.maxRiseDifference * scale), axle: offset, ".curve")
            case .missing:
                // A null curve with no peaks beside it: the peaks should have come from it.
                if axle.peakLeft.isAbsent && axle.peakRight.isAbsent {
                    figures.peakLeft = Input(.missing, axle: offset, ".curve")
                    figures.peakRight = Input(.missing, axle: offset, ".curve")
                    figures.maxRiseDifference = Input(.missing, axle: offset, ".curve")
                }
            case .absent:
                break
            }
            result.append(figures)
        }
        return result
    }
}

/// The vehicle sums of a brake test: Σ peaks and the test weight, with what is missing.
struct BrakeTotals {
    var peaks: Reading<Double>
    var peakMissing: [String]
    var testWeight: Reading<Double>
    var weightMissing: [String]

    init(_ axles: [AxleFigures], testWeight given: Reading<Double>, unit: ForceUnit) {
        var sum = 0.0
        var missing: [String] = []
        var present = false
        for axle in axles {
            for input in axle.peakInputs {
                switch input.reading {
                case .value(let v):
                    sum += v
                    present = true
                case .missing:
                    missing.append(input.path)
                    present = true
                case .absent: missing.append(input.path)
                }
            }
        }
        peakMissing = missing
        peaks = !present ? .absent : (missing.isEmpty ? .value(sum) : .missing)
        switch given {
        case .value(let v):
            testWeight = .value(v * unit.toDecanewtons)
            weightMissing = []
        case .missing:
            testWeight = .missing
            weightMissing = ["brake.test_weight"]
        case .absent:
            // test_weight defaults to the sum of the axle loads (§8).
            var load = 0.0
            var loadMissing: [String] = []
            var anyLoad = false
            for axle in axles {
                switch axle.load.reading {
                case .value(let v):
                    load += v
                    anyLoad = true
                case .missing:
                    loadMissing.append(axle.load.path)
                    anyLoad = true
                case .absent: loadMissing.append(axle.load.path)
                }
            }
            weightMissing = loadMissing
            testWeight = !anyLoad ? .absent : (loadMissing.isEmpty ? .value(load) : .missing)
        }
    }
}
