/// How a figure is rounded before it is compared with its limit.
public enum Rounding: Sendable, Hashable {
    /// Half-up (away from zero) to one decimal: the CN vendor convention for percentages
    /// (`round(measured×10) < round(limit×10)` ⇒ fail, NH-JUD).
    case tenth
    /// Half-up to two decimals: the CN vendor convention for lamp heights in H (`round(x*100)`).
    case hundredth
    /// No rounding: compared as measured, with a tolerance of 1e-9 (relative) that only absorbs
    /// binary floating-point error from unit conversion, so a value exactly at a limit passes.
    case none

    /// `value` rounded half-up (away from zero) to `places` decimals. A tiny nudge (1e-9 of a
    /// step) makes decimal halves such as 24.05 — stored as 24.04999… — round up, as a person would.
    public static func halfUp(_ value: Double, places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let magnitude = (abs(value) * scale + 0.5 + 1e-9).rounded(.down) / scale
        return value < 0 ? -magnitude : magnitude
    }

    /// The figure shown in results: half-up to 0.01.
    public static func display(_ value: Double) -> Double { halfUp(value, places: 2) }

    func apply(_ value: Double) -> Double {
        switch self {
        case .tenth: Self.halfUp(value, places: 1)
        case .hundredth: Self.halfUp(value, places: 2)
        case .none: value
        }
    }

    /// Pass or fail of `value` against `limit` (inclusive: a value exactly at a limit passes).
    public func judge(_ value: Double, _ limit: Limit) -> ItemVerdict {
        let rounded = apply(value)
        let tolerance = self == .none ? 1e-9 : 1e-12
        if let min = limit.min, rounded < min - tolerance * Swift.max(1, abs(min)) { return .fail }
        if let max = limit.max, rounded > max + tolerance * Swift.max(1, abs(max)) { return .fail }
        return .pass
    }
}
