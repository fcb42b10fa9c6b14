/// The limit decision for an item: a limit, "not judged here", or "cannot be chosen without
/// these vehicle fields".
enum LimitDecision {
    case limit(Limit, notes: [Note] = [])
    case notApplicable(Note)
    case unknown(fields: [String], notes: [Note] = [])
}

/// One input of an item: its reading and the JSON path to name when it is missing.
///
/// Packed into 24 bytes (the value, the path's field text as a pointer to a string literal, an
/// index and two tags): axle figures and input lists are copied on the hot path, and the
/// enum-with-`StaticString` form took 48.
struct Input {
    /// Where the path starts: a fixed path, `brake.axles[i]`, `headlamps[i]` or `emission.`.
    private enum Kind: UInt8 { case text, axle, lamp, emission }
    private enum State: UInt8 { case absent, missing, value }

    private var number: Double
    /// UTF-8 of the field (a string literal, immortal), nil for an emission figure.
    private var field: UnsafeRawPointer?
    /// Axle or lamp index; the emission figure's case for `.emission`.
    private var index: Int32
    private var fieldLength: UInt16
    private var kind: Kind
    private var state: State

    private init(_ reading: Reading<Double>, kind: Kind, index: Int, field: StaticString?) {
        switch reading {
        case .absent: (number, state) = (0, .absent)
        case .missing: (number, state) = (0, .missing)
        case .value(let value): (number, state) = (value, .value)
        }
        self.kind = kind
        self.index = Int32(truncatingIfNeeded: index)
        if let field {
            self.field = UnsafeRawPointer(field.utf8Start)
            fieldLength = UInt16(truncatingIfNeeded: field.utf8CodeUnitCount)
        } else {
            self.field = nil
            fieldLength = 0
        }
    }

    init(_ reading: Reading<Double>, _ path: StaticString) {
        self.init(reading, kind: .text, index: 0, field: path)
    }
    init(_ reading: Reading<Double>, lamp index: Int, _ field: StaticString) {
        self.init(reading, kind: .lamp, index: index, field: field)
    }
    init(_ reading: Reading<Double>, emission figure: EmissionTest.Figure) {
        self.init(reading, kind: .emission, index: Int(unsafeBitCast(figure, to: UInt8.self)), field: nil)
    }
    init(_ reading: Reading<Double>, axle index: Int, _ field: StaticString) {
        self.init(reading, kind: .axle, index: index, field: field)
    }

    var reading: Reading<Double> {
        switch state {
        case .absent: .absent
        case .missing: .missing
        case .value: .value(number)
        }
    }

    /// The JSON path, built only when an item names it (judging a complete case builds none).
    var path: String {
        let text = String(decoding: UnsafeRawBufferPointer(start: field, count: Int(fieldLength)), as: UTF8.self)
        switch kind {
        case .text: return text
        case .axle: return "brake.axles[\(index)]" + text
        case .lamp: return "headlamps[\(index)]" + text
        case .emission: return "emission." + unsafeBitCast(UInt8(truncatingIfNeeded: index), to: EmissionTest.Figure.self).rawValue
        }
    }
}

/// Up to three inputs stored inline: the hot brake rules pass their inputs without allocating an
/// array per item.
struct InputList: RandomAccessCollection {
    private var a: Input
    private var b: Input
    private var c: Input
    private(set) var count: Int

    init(_ a: Input) {
        (self.a, self.b, self.c, count) = (a, a, a, 1)
    }
    init(_ a: Input, _ b: Input) {
        (self.a, self.b, self.c, count) = (a, b, b, 2)
    }
    init(_ a: Input, _ b: Input, _ c: Input) {
        (self.a, self.b, self.c, count) = (a, b, c, 3)
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    subscript(position: Int) -> Input {
        switch position {
        case 0: a
        case 1: b
        default: c
        }
    }
}

/// Builds items with the absent/null semantics of `standards.md` §8.
enum ItemMaker {
    /// Judges one item and appends it to `items` (built in place: a `RuleItem` is large, and
    /// returning it through optionals copied it several times per item).
    ///
    /// - Returns false (and appends nothing) when every primary input (the first `primary`
    ///   inputs, default all) is absent: not measured, so the item does not appear. A load
    ///   alone does not make a drag item.
    /// - A missing (null) or absent input among present ones makes the item `incomplete`, naming it.
    @discardableResult
    static func make<Inputs: RandomAccessCollection<Input>>(
        id: String, subject: Subject, unit: String, basis: Basis? = nil, clause: String,
        inputs: Inputs, primary: Int? = nil, decision: LimitDecision, rounding: Rounding,
        severityOnFail: Severity? = nil, into items: inout [RuleItem], compute: (UnsafeBufferPointer<Double>) -> Double
    ) -> Bool {
        guard let (value, missing) = gather(inputs, primary: primary, compute: compute) else { return false }
        items.append(
            judge(
                id: id, subject: subject, unit: unit, basis: basis, clause: clause, value: value, missing: missing,
                decision: decision, rounding: rounding, severityOnFail: severityOnFail))
        return true
    }

    /// Judges one item, as ``make(id:subject:unit:basis:clause:inputs:primary:decision:rounding:severityOnFail:into:compute:)``,
    /// returning it for rules that adjust it before appending; nil when not measured.
    static func make<Inputs: RandomAccessCollection<Input>>(
        id: String, subject: Subject, unit: String, basis: Basis? = nil, clause: String,
        inputs: Inputs, primary: Int? = nil, decision: LimitDecision, rounding: Rounding,
        severityOnFail: Severity? = nil, compute: (UnsafeBufferPointer<Double>) -> Double
    ) -> RuleItem? {
        guard let (value, missing) = gather(inputs, primary: primary, compute: compute) else { return nil }
        return judge(
            id: id, subject: subject, unit: unit, basis: basis, clause: clause, value: value, missing: missing,
            decision: decision, rounding: rounding, severityOnFail: severityOnFail)
    }

    /// The computed value (nil when an input is missing, then named in `missing`), or nil for
    /// the whole when no primary input is present.
    @inline(__always)
    private static func gather<Inputs: RandomAccessCollection<Input>>(
        _ inputs: Inputs, primary: Int?, compute: (UnsafeBufferPointer<Double>) -> Double
    ) -> (Double?, [String])? {
        // The values live on the stack: judging a case allocates no per-item scratch arrays.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: inputs.count) { values in
            var count = 0
            var anyPresent = false
            var complete = true
            let primaryCount = primary ?? inputs.count
            for (position, input) in inputs.enumerated() {
                switch input.reading {
                case .value(let value):
                    values[count] = value
                    count += 1
                    if position < primaryCount { anyPresent = true }
                case .missing:
                    complete = false
                    if position < primaryCount { anyPresent = true }
                case .absent:
                    complete = false
                }
            }
            // Not measured at all (an auxiliary lamp without low beam): no item, and no path built.
            guard anyPresent else { return nil }
            if complete { return (compute(UnsafeBufferPointer(values)), []) }
            // Paths are built only for an item that will name them.
            var missing: [String] = []
            for input in inputs where input.reading.value == nil { missing.append(input.path) }
            return (nil, missing)
        }
    }

    /// Judges a computed value (nil when some input is missing, listed in `missing`).
    @inline(__always)
    static func judge(
        id: String, subject: Subject, unit: String, basis: Basis?, clause: String, value: Double?,
        missing: [String], decision: LimitDecision, rounding: Rounding, severityOnFail: Severity? = nil,
        extraNotes: [Note] = []
    ) -> RuleItem {
        var unique = missing
        if missing.count > 1 {
            unique = []
            for path in missing where !unique.contains(path) { unique.append(path) }
        }
        return decide(
            id: id, subject: subject, unit: unit, basis: basis, clause: clause, value: value, missing: unique,
            decision: decision, rounding: rounding, severityOnFail: severityOnFail, extraNotes: extraNotes)
    }

    @inline(__always)
    private static func decide(
        id: String, subject: Subject, unit: String, basis: Basis?, clause: String, value: Double?,
        missing: [String], decision: LimitDecision, rounding: Rounding, severityOnFail: Severity?,
        extraNotes: [Note]
    ) -> RuleItem {
        switch decision {
        case .notApplicable(let note):
            return RuleItem(
                id: id, value: value, unit: unit, basis: basis, limit: nil, verdict: .notApplicable,
                clause: clause, subject: subject, notes: extraNotes.isEmpty ? [note] : [note] + extraNotes,
                rounding: rounding)
        case .unknown(let fields, let notes):
            return RuleItem(
                id: id, value: value, unit: unit, basis: basis, limit: nil, verdict: .incomplete, clause: clause,
                missing: missing + fields, subject: subject, notes: extraNotes.isEmpty ? notes : notes + extraNotes,
                rounding: rounding)
        case .limit(let limit, let notes):
            guard let value, missing.isEmpty else {
                return RuleItem(
                    id: id, value: nil, unit: unit, basis: basis, limit: limit, verdict: .incomplete,
                    clause: clause, missing: missing, subject: subject, notes: extraNotes.isEmpty ? notes : notes + extraNotes,
                    rounding: rounding)
            }
            let verdict = rounding.judge(value, limit)
            return RuleItem(
                id: id, value: value, unit: unit, basis: basis, limit: limit, verdict: verdict,
                severity: verdict == .fail ? severityOnFail : nil, clause: clause, subject: subject,
                notes: extraNotes.isEmpty ? notes : notes + extraNotes, rounding: rounding)
        }
    }
}

/// The item ids of one brake axle. Axles 1–9 get string literals (immortal: no allocation and no
/// reference counting while judging); other numbers are built on demand.
struct AxleIDs {
    var n: Int

    /// The ids of axle `n`.
    static func of(_ n: Int) -> AxleIDs { AxleIDs(n: n) }

    var rate: String {
        switch n {
        case 1: "brake.axle1.rate"
        case 2: "brake.axle2.rate"
        case 3: "brake.axle3.rate"
        case 4: "brake.axle4.rate"
        case 5: "brake.axle5.rate"
        case 6: "brake.axle6.rate"
        case 7: "brake.axle7.rate"
        case 8: "brake.axle8.rate"
        case 9: "brake.axle9.rate"
        default: "brake.axle\(n).rate"
        }
    }

    var imbalance: String {
        switch n {
        case 1: "brake.axle1.imbalance"
        case 2: "brake.axle2.imbalance"
        case 3: "brake.axle3.imbalance"
        case 4: "brake.axle4.imbalance"
        case 5: "brake.axle5.imbalance"
        case 6: "brake.axle6.imbalance"
        case 7: "brake.axle7.imbalance"
        case 8: "brake.axle8.imbalance"
        case 9: "brake.axle9.imbalance"
        default: "brake.axle\(n).imbalance"
        }
    }

    var dragLeft: String {
        switch n {
        case 1: "brake.axle1.drag_left"
        case 2: "brake.axle2.drag_left"
        case 3: "brake.axle3.drag_left"
        case 4: "brake.axle4.drag_left"
        case 5: "brake.axle5.drag_left"
        case 6: "brake.axle6.drag_left"
        case 7: "brake.axle7.drag_left"
        case 8: "brake.axle8.drag_left"
        case 9: "brake.axle9.drag_left"
        default: "brake.axle\(n).drag_left"
        }
    }

    var dragRight: String {
        switch n {
        case 1: "brake.axle1.drag_right"
        case 2: "brake.axle2.drag_right"
        case 3: "brake.axle3.drag_right"
        case 4: "brake.axle4.drag_right"
        case 5: "brake.axle5.drag_right"
        case 6: "brake.axle6.drag_right"
        case 7: "brake.axle7.drag_right"
        case 8: "brake.axle8.drag_right"
        case 9: "brake.axle9.drag_right"
        default: "brake.axle\(n).drag_right"
        }
    }
}

/// Percent of a basis; 0 % of a zero basis is 0 (only reachable for a zero difference).
@inline(__always) func percent(_ part: Double, of whole: Double) -> Double {
    whole > 0 ? part / whole * 100 : 0
}
