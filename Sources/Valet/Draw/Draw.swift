public import LaneCore
import Crypto
import Foundation

/// The inputs of one draw, exactly as they are journaled and as the HMAC message is built from them.
///
/// The message is, in order (integers big-endian, strings as a 4-byte length then UTF-8):
/// the string `lanecontrol.valet.draw.v1`, the shift id, the draw number (u64), the vehicle's queue
/// number (u64), its canonical plate, the lane, the number of eligible drivers (u32), each eligible
/// driver id in ascending order, and a retry counter (u32, 0 first). See `docs/dispatch.md`.
public struct DrawInput: Hashable, Sendable, Codable {
    public var shift: ShiftID
    /// Draw number within the shift: 1, 2, 3 … with no gap.
    public var number: UInt64
    public var queueNumber: Int
    public var plate: String
    public var lane: LaneID
    /// The eligible drivers, ascending and distinct (the canonical list).
    public var eligible: [DriverID]

    public init(shift: ShiftID, number: UInt64, queueNumber: Int, plate: String, lane: LaneID, eligible: [DriverID]) {
        self.shift = shift
        self.number = number
        self.queueNumber = queueNumber
        self.plate = plate
        self.lane = lane
        self.eligible = eligible
    }

    /// True when `eligible` is strictly ascending (sorted, no duplicate) and not empty.
    public var eligibleIsCanonical: Bool {
        !eligible.isEmpty && zip(eligible, eligible.dropFirst()).allSatisfy { $0.rawValue < $1.rawValue }
    }

    func message(retry: UInt32, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        func string(_ s: String) {
            var s = s
            s.withUTF8 { utf8 in
                appendU32(UInt32(utf8.count))
                out.append(contentsOf: utf8)
            }
        }
        func appendU32(_ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) } }
        func appendU64(_ v: UInt64) { withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) } }
        string(DrawInput.domain)
        string(shift.rawValue)
        appendU64(number)
        appendU64(UInt64(queueNumber))
        string(plate)
        string(lane.rawValue)
        appendU32(UInt32(eligible.count))
        for d in eligible { string(d.rawValue) }
        appendU32(retry)
    }

    static let domain = "lanecontrol.valet.draw.v1"
}

/// The draw itself: HMAC-SHA256 keyed with the shift seed over the ``DrawInput`` message, read as four
/// 64-bit big-endian words; the first word `x` below `m·⌊2⁶⁴/m⌋` (m = number of eligible drivers) gives
/// index `x mod m`, which is exactly uniform; a word at or above that bound is rejected and the next word
/// tried; if all four are rejected (probability below 2⁻²⁵⁶·m⁴), the retry counter goes up and a new HMAC is made.
public struct DrawMachine: Sendable {
    private let key: KeyBox
    private var buffer: [UInt8] = []

    /// A draw machine keyed with `seed`.
    public init(seed: ShiftSeed) {
        key = KeyBox(seed.key)
        buffer.reserveCapacity(256)
    }

    /// The index into `input.eligible` this seed selects. `input.eligible` must not be empty.
    public mutating func index(for input: DrawInput) -> Int {
        let m = UInt64(input.eligible.count)
        precondition(m > 0, "a draw needs at least one eligible driver")
        if m == 1 { return 0 }
        // Largest multiple of m that fits: values at or above it would favour small indices.
        let bound = UInt64.max - (UInt64.max % m) // == m·⌊(2⁶⁴−1)/m⌋; accept x < bound
        var retry: UInt32 = 0
        while true {
            input.message(retry: retry, into: &buffer)
            let mac = key.authenticationCode(buffer)
            let found: Int? = mac.withUnsafeBufferPointer { raw -> Int? in
                for w in 0..<4 {
                    var x: UInt64 = 0
                    for b in 0..<8 { x = x << 8 | UInt64(raw[w * 8 + b]) }
                    if x < bound { return Int(x % m) }
                }
                return nil
            }
            if let found { return found }
            retry += 1
        }
    }

    /// The driver this seed selects for `input`.
    public mutating func draw(_ input: DrawInput) -> DriverID { input.eligible[index(for: input)] }
}

/// HMAC-SHA256 (RFC 2104) with the key's inner and outer pads hashed once per shift. Equal to
/// `HMAC<SHA256>.authenticationCode(for:using:)` (a test checks it), without its generic `DataProtocol` path.
final class KeyBox: @unchecked Sendable {  // safe: the prototypes are immutable after init and only copied
    private let inner: SHA256
    private let outer: SHA256

    init(_ key: SymmetricKey) {
        var k = key.withUnsafeBytes { Array($0) }
        if k.count > 64 { k = Array(SHA256.hash(data: k)) }
        k += Array(repeating: 0, count: 64 - k.count)
        var i = SHA256(), o = SHA256()
        let ipad = k.map { $0 ^ 0x36 }, opad = k.map { $0 ^ 0x5c }
        ipad.withUnsafeBytes { i.update(bufferPointer: $0) }
        opad.withUnsafeBytes { o.update(bufferPointer: $0) }
        inner = i
        outer = o
    }

    func authenticationCode(_ message: [UInt8]) -> [UInt8] {
        var i = inner
        message.withUnsafeBytes { i.update(bufferPointer: $0) }
        var o = outer
        i.finalize().withUnsafeBytes { o.update(bufferPointer: $0) }
        return o.finalize().withUnsafeBytes { Array($0) }
    }
}
