/// A small, fast, seeded generator (SplitMix64) so a simulated rig's noise is the same on every run
/// with the same seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A normally distributed value (Box–Muller) with mean 0 and standard deviation `sigma`.
    public mutating func gaussian(sigma: Double) -> Double {
        guard sigma > 0 else { return 0 }
        let u1 = max(Double.random(in: 0..<1, using: &self), 1e-12)
        let u2 = Double.random(in: 0..<1, using: &self)
        return sigma * (-2 * _log(u1)).squareRoot() * _cos(2 * .pi * u2)
    }
}

// Foundation-free math for the models.
@inline(__always) func _log(_ x: Double) -> Double { x.logarithm }
@inline(__always) func _cos(_ x: Double) -> Double { x.cosine }
@inline(__always) func _exp(_ x: Double) -> Double { x.exponential }

extension Double {
    // Glibc is available on Linux; keep the one import here.
    var logarithm: Double { Glibc.log(self) }
    var cosine: Double { Glibc.cos(self) }
    var exponential: Double { Glibc.exp(self) }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
    enum Glibc {
        static func log(_ x: Double) -> Double { Darwin.log(x) }
        static func cos(_ x: Double) -> Double { Darwin.cos(x) }
        static func exp(_ x: Double) -> Double { Darwin.exp(x) }
    }
#endif

/// First-order lag: moves `value` toward `target` over `dt` with time constant `tau`.
@inline(__always) func firstOrder(_ value: Double, toward target: Double, dt: Double, tau: Double) -> Double {
    guard tau > 0 else { return target }
    return target + (value - target) * _exp(-dt / tau)
}
