import Crypto
import Foundation

/// The secret of one shift: 32 random bytes that key every draw of the shift.
///
/// When the shift opens only ``commitment`` (SHA-256 of the 32 bytes) is shown and journaled; when it
/// closes the seed itself is revealed, so anyone can check `sha256(seed) == commitment` and re-run every
/// draw. Nobody can predict a draw before the reveal, and nobody can swap the seed afterwards.
public struct ShiftSeed: Hashable, Sendable {
    /// The 32 secret bytes.
    public let bytes: [UInt8]

    /// Wraps given bytes (at least 16; use 32).
    public init(bytes: [UInt8]) throws(SeedError) {
        guard bytes.count >= 16 else { throw SeedError.tooShort(bytes.count) }
        self.bytes = bytes
    }

    /// Parses a seed written in hexadecimal (as revealed in the journal).
    public init(hex: String) throws(SeedError) {
        guard let bytes = [UInt8](hexString: hex) else { throw SeedError.notHex(hex) }
        try self.init(bytes: bytes)
    }

    /// Draws a fresh 32-byte seed from `generator` (the server passes `SystemRandomNumberGenerator`).
    public static func generate(using generator: inout some RandomNumberGenerator) -> ShiftSeed {
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for _ in 0..<4 { withUnsafeBytes(of: generator.next().bigEndian) { bytes.append(contentsOf: $0) } }
        return ShiftSeed(unchecked: bytes)
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// A seed derived from a number: for simulations and tests only, never for a real shift.
    public static func forSimulation(_ n: UInt64) -> ShiftSeed {
        ShiftSeed(unchecked: Array(SHA256.hash(data: Array("lanecontrol.valet.simulation-seed".utf8) + n.bigEndianBytes)))
    }

    /// The seed in lower-case hexadecimal, as revealed at close.
    public var hex: String { bytes.hexString }

    /// SHA-256 of the seed bytes, in lower-case hexadecimal: published when the shift opens.
    public var commitment: String { ShiftSeed.commitment(of: bytes) }

    /// SHA-256 of `bytes` in lower-case hexadecimal (`printf … | xxd -r -p | sha256sum` gives the same).
    public static func commitment(of bytes: [UInt8]) -> String { Array(SHA256.hash(data: bytes)).hexString }

    var key: SymmetricKey { SymmetricKey(data: bytes) }
}

/// A seed that cannot be used.
public enum SeedError: Error, Hashable, Sendable, CustomStringConvertible {
    case tooShort(Int)
    case notHex(String)

    public var description: String {
        switch self {
        case .tooShort(let n): "The shift seed has \(n) bytes; it needs at least 16 (32 recommended). / 班次种子只有 \(n) 字节，至少需要 16 字节（建议 32）。"
        case .notHex(let s): "The shift seed \"\(s.prefix(80))\" is not hexadecimal. / 班次种子“\(s.prefix(80))”不是十六进制。"
        }
    }
}

extension UInt64 {
    var bigEndianBytes: [UInt8] { withUnsafeBytes(of: bigEndian) { Array($0) } }
}

extension Array where Element == UInt8 {
    /// Lower-case hexadecimal.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for b in self {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    init?(hexString: String) {
        let u = Array(hexString.utf8)
        guard u.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let h = nibble(u[i]), let l = nibble(u[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        self = out
    }
}
