import Foundation

/// xoshiro256** seeded through SplitMix64: fast, reproducible randomness for the simulation's arrivals and
/// service times (the driver draw itself always uses ``DrawMachine``).
public struct SimulationRandom: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole stream follows from `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Exponential with the given mean.
    public mutating func exponential(mean: Double) -> Double { -mean * log1p(-unit()) }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Double {
        let u = max(unit(), 0x1.0p-60), v = unit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// Log-normal with the given mean and coefficient of variation: service times are right-skewed (a re-try
    /// of a brake test, an engine slow to reach ASM speed) and never negative.
    public mutating func logNormal(mean: Double, cv: Double) -> Double { logNormal(LogNormal(mean: mean, cv: cv)) }

    /// Log-normal with parameters worked out once (the same numbers as ``logNormal(mean:cv:)``, without its two
    /// logarithms per sample).
    public mutating func logNormal(_ d: LogNormal) -> Double { exp(d.location + d.scale * normal()) }

    /// A log-normal distribution given by its mean and coefficient of variation.
    public struct LogNormal: Sendable {
        /// μ = ln(mean) − σ²/2.
        public let location: Double
        /// σ = √ln(1 + cv²).
        public let scale: Double

        public init(mean: Double, cv: Double) {
            let sigma2 = log1p(cv * cv)
            location = log(mean) - sigma2 / 2
            scale = sigma2.squareRoot()
        }
    }
}
