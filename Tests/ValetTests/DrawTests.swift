import Crypto
import Foundation
import LaneCore
import TestScheduling
import Testing
import Valet

@Suite(.offThePool)
struct DrawTests {
    static let drivers: [DriverID] = ["D1", "D2", "D3", "D4", "D5", "D6", "D7"]

    func input(_ n: UInt64, _ eligible: [DriverID] = drivers) -> DrawInput {
        DrawInput(shift: "S1", number: n, queueNumber: Int(n % 500) + 1, plate: "鲁G·12345", lane: "L1", eligible: eligible)
    }

    /// Chi-square critical value for `df` degrees of freedom at one-sided p = 1e-6 (Wilson–Hilferty):
    /// a fair draw exceeds it about once in a million runs.
    func critical(df: Int) -> Double {
        let k = Double(df), z = 4.753
        let a = 2 / (9 * k)
        return k * pow(1 - a + z * a.squareRoot(), 3)
    }

    func chiSquare(_ counts: [Int]) -> Double {
        let n = Double(counts.reduce(0, +)), expected = n / Double(counts.count)
        return counts.reduce(0) { $0 + pow(Double($1) - expected, 2) / expected }
    }

    @Test(arguments: [2, 3, 7, 8])
    func drawIsUniformAmongEligibleDrivers(m: Int) {
        var machine = DrawMachine(seed: .forSimulation(42))
        let eligible = Array(DrawTests.drivers.prefix(m)) + (m == 8 ? ["D8"] : [])
        var counts = Array(repeating: 0, count: eligible.count)
        for n in 1...UInt64(10_000 * eligible.count) { counts[machine.index(for: input(n, eligible))] += 1 }
        let x2 = chiSquare(counts)
        #expect(x2 < critical(df: eligible.count - 1), "chi-square \(x2) for counts \(counts)")
    }

    @Test func chiSquareTestCatchesABiasedDraw() {
        // The same draw, but one time in twenty the first driver is taken instead: a 'slightly' bribed draw.
        var machine = DrawMachine(seed: .forSimulation(42))
        var rng = SimulationRandom(seed: 1)
        var counts = Array(repeating: 0, count: 7)
        for n in 1...70_000 as ClosedRange<UInt64> {
            let fair = machine.index(for: input(n))
            counts[rng.unit() < 0.05 ? 0 : fair] += 1
        }
        #expect(chiSquare(counts) > critical(df: 6))
    }

    @Test func drawsForTwoSeedsDiffer() {
        var a = DrawMachine(seed: .forSimulation(1)), b = DrawMachine(seed: .forSimulation(2))
        var same = 0
        for n in 1...7_000 as ClosedRange<UInt64> where a.index(for: input(n)) == b.index(for: input(n)) { same += 1 }
        // Independent uniform draws agree one time in 7 (1,000 of 7,000); far from always.
        #expect(same > 700 && same < 1_300, "\(same) of 7000 agree")
    }

    @Test func publishedHashDoesNotPredictTheDraws() throws {
        let seed = ShiftSeed.forSimulation(5)
        #expect(seed.commitment == Array(SHA256.hash(data: seed.bytes)).map { String(format: "%02x", $0) }.joined())
        #expect(seed.commitment != seed.hex)
        // Someone who knows the commitment and every input, keying the draw with the commitment, guesses no
        // better than chance.
        var real = DrawMachine(seed: seed)
        var guess = DrawMachine(seed: try ShiftSeed(hex: seed.commitment))
        var right = 0
        for n in 1...7_000 as ClosedRange<UInt64> where real.index(for: input(n)) == guess.index(for: input(n)) { right += 1 }
        #expect(right < 1_300, "\(right) of 7000 guessed")
    }

    @Test func everyInputChangesTheDraw() {
        var m = DrawMachine(seed: .forSimulation(9))
        var base = input(1)
        var variants = [base]
        base.plate = "鲁G·12346"; variants.append(base)
        base.lane = "L2"; variants.append(base)
        base.queueNumber += 1; variants.append(base)
        base.shift = "S2"; variants.append(base)
        // 1 in 7 chance per pair that the index agrees, so compare the whole sequence over many numbers.
        let sequences = variants.map { v -> [Int] in
            (1...50 as ClosedRange<UInt64>).map { n in var x = v; x.number = n; return m.index(for: x) }
        }
        #expect(Set(sequences).count == variants.count)
    }

    @Test func seedRoundTripsThroughHexAndRefusesGarbage() throws {
        var g = SimulationRandom(seed: 3)
        let seed = ShiftSeed.generate(using: &g)
        #expect(seed.bytes.count == 32)
        #expect(try ShiftSeed(hex: seed.hex) == seed)
        #expect(throws: SeedError.self) { try ShiftSeed(hex: "zz") }
        #expect(throws: SeedError.self) { try ShiftSeed(hex: "0011") }
    }
}

/// The draw as `docs/dispatch.md` specifies it, written again from the document, against `DrawMachine`.
struct DrawSpecificationTests {
    func message(_ i: DrawInput, retry: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        func str(_ s: String) {
            let b = Array(s.utf8)
            out += withUnsafeBytes(of: UInt32(b.count).bigEndian, Array.init)
            out += b
        }
        str("lanecontrol.valet.draw.v1")
        str(i.shift.rawValue)
        out += withUnsafeBytes(of: i.number.bigEndian, Array.init)
        out += withUnsafeBytes(of: UInt64(i.queueNumber).bigEndian, Array.init)
        str(i.plate)
        str(i.lane.rawValue)
        out += withUnsafeBytes(of: UInt32(i.eligible.count).bigEndian, Array.init)
        for d in i.eligible { str(d.rawValue) }
        out += withUnsafeBytes(of: retry.bigEndian, Array.init)
        return out
    }

    @Test func drawFollowsTheDocumentedConstruction() {
        let seed = ShiftSeed.forSimulation(77)
        var machine = DrawMachine(seed: seed)
        let key = SymmetricKey(data: seed.bytes)
        let pool: [DriverID] = ["A07", "B12", "D01", "D02", "D03", "司机甲", "Z9"]
        for n in 1...300 as ClosedRange<UInt64> {
            let m = 2 + Int(n % 6)
            let input = DrawInput(shift: "2026-11-21-day", number: n, queueNumber: Int(n * 3), plate: "粤B·D12345",
                                  lane: n % 2 == 0 ? "L1" : "L2", eligible: Array(pool.prefix(m)).sorted())
            let mac = Array(HMAC<SHA256>.authenticationCode(for: message(input, retry: 0), using: key))
            let x = mac.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let bound = UInt64.max - UInt64.max % UInt64(m)
            guard x < bound else { continue }  // the rare rejected word: covered by the machine's own loop
            #expect(machine.index(for: input) == Int(x % UInt64(m)), "draw \(n)")
        }
    }
}
