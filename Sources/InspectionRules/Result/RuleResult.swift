/// A ruleset's identifier, as written in a case (`CN-GB7258-2017`, `UK-MOT`, `EU-2014-45`).
public enum RulesetID: String, Sendable, Hashable, CaseIterable, Codable {
    case cnGB7258 = "CN-GB7258-2017"
    case ukMOT = "UK-MOT"
    case eu201445 = "EU-2014-45"
}

/// The verdict of one item or of a whole case.
public enum ItemVerdict: String, Sendable, Hashable, CaseIterable {
    case pass, fail, incomplete
    /// The data was given but the ruleset does not judge this item for this vehicle.
    case notApplicable = "not_applicable"
}

/// Defect severity where the ruleset grades defects (UK MOT, EU 2014/45).
public enum Severity: String, Sendable, Hashable, CaseIterable {
    case minor, major, dangerous
}

/// What a percentage is a percentage of.
public enum Basis: String, Sendable, Hashable, CaseIterable {
    case axleLoad = "axle_load"
    case peak
    case testWeight = "test_weight"
}

/// The limit an item was compared with: a minimum, a maximum or both (a range).
public struct Limit: Sendable, Hashable {
    public var min: Double?
    public var max: Double?
    public init(min: Double? = nil, max: Double? = nil) {
        self.min = min
        self.max = max
    }
    public static func atLeast(_ value: Double) -> Limit { Limit(min: value) }
    public static func atMost(_ value: Double) -> Limit { Limit(max: value) }
}

/// A text in English and Chinese (zh-CN).
public struct Explanation: Sendable, Hashable {
    public var en: String
    public var zh: String
    public init(en: String, zh: String) {
        self.en = en
        self.zh = zh
    }
}

/// One judged item of a case.
public struct RuleItem: Sendable, Hashable {
    // Stored in this order so the references and strings come first and the one-byte fields
    // pack together at the end (the item is copied on the hot path).
    /// Stable id, e.g. `brake.axle2.imbalance` (`standards.md` §8).
    public var id: String
    /// Unit of `value` and `limit`: `%`, `cd`, `H`, `mm`, `%vol`, `ppm`, `g/km`, `m-1`, `kW`, `λ`.
    public var unit: String
    /// The clause or table the limit comes from.
    public var clause: String
    /// Paths of the fields whose value is missing (for `incomplete`).
    public var missing: [String]
    /// Qualifiers of the limit or the verdict (use phase, form, exemption …), in order.
    public var notes: [Note]
    /// The computed figure, unrounded (the JSON shows it rounded to 0.01); nil when incomplete.
    public var value: Double?
    /// What the item is and why it got its verdict, for rendering explanations lazily.
    public var subject: Subject
    /// The limit applied; nil when not applicable or unknown.
    public var limit: Limit?
    /// What a percentage is taken of, where that matters.
    public var basis: Basis?
    public var verdict: ItemVerdict
    /// Set where the ruleset grades defects (UK/EU), else nil.
    public var severity: Severity?
    /// Whether the value itself lies within `limit` (after the ruleset's rounding). It can
    /// differ from the verdict when a rule overrides the comparison (wheels locked, the CN
    /// 430 000 cd cap), and it picks the sign in the explanation.
    public var withinLimit: Bool
    /// How the value was rounded before comparison (explanations show the compared figure).
    public var rounding: Rounding = .none

    /// Creates an item.
    public init(
        id: String, value: Double?, unit: String, basis: Basis? = nil, limit: Limit?, verdict: ItemVerdict,
        severity: Severity? = nil, clause: String, missing: [String] = [], subject: Subject, notes: [Note] = [],
        withinLimit: Bool? = nil
    ) {
        self.id = id
        self.value = value
        self.unit = unit
        self.basis = basis
        self.limit = limit
        self.verdict = verdict
        self.severity = severity
        self.clause = clause
        self.missing = missing
        self.subject = subject
        self.notes = notes
        self.withinLimit = withinLimit ?? (verdict != .fail)
    }

    /// Creates an item with the rounding its value was compared with (the rules' own form).
    @inline(__always)
    init(
        id: String, value: Double?, unit: String, basis: Basis? = nil, limit: Limit?, verdict: ItemVerdict,
        severity: Severity? = nil, clause: String, missing: [String] = [], subject: Subject, notes: [Note] = [],
        rounding: Rounding
    ) {
        self.id = id
        self.unit = unit
        self.clause = clause
        self.missing = missing
        self.notes = notes
        self.value = value
        self.subject = subject
        self.limit = limit
        self.basis = basis
        self.verdict = verdict
        self.severity = severity
        self.withinLimit = verdict != .fail
        self.rounding = rounding
    }

    /// The explanation of this item in English and Chinese, e.g.
    /// "front axle imbalance 9.1 % ≤ 24 % (in-use limit)" / "前轴制动不平衡率 9.1% ≤ 24%（在用车限值）".
    public var explain: Explanation { Explainer.explain(self) }
}

/// The result of judging one case.
public struct RuleResult: Sendable, Hashable {
    public var ruleset: RulesetID
    /// Version of the ruleset's data that produced this result.
    public var rulesetVersion: String
    /// `fail` if any item fails, else `incomplete` if any is incomplete, else `pass`.
    public var verdict: ItemVerdict
    public var items: [RuleItem]

    /// Creates a result, computing the case verdict from the items.
    public init(ruleset: RulesetID, rulesetVersion: String, items: [RuleItem]) {
        self.ruleset = ruleset
        self.rulesetVersion = rulesetVersion
        self.items = items
        var verdict = ItemVerdict.pass
        for item in items {
            if item.verdict == .fail {
                verdict = .fail
                break
            }
            if item.verdict == .incomplete { verdict = .incomplete }
        }
        self.verdict = verdict
    }

    /// The item with `id`, if any.
    public func item(_ id: String) -> RuleItem? { items.first { $0.id == id } }
}
