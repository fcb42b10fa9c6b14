import HummingbirdBcrypt
import NIOPosix

/// Hashes and checks passwords with bcrypt on NIO's blocking thread pool: one hash at cost 10 takes tens of
/// milliseconds, too long for the cooperative pool of a 2-core station PC.
public struct PasswordHasher: Sendable {
    /// The smallest cost the station accepts (2¹⁰ rounds).
    public static let minimumCost: UInt8 = 10
    /// log2 of bcrypt's rounds.
    public let cost: UInt8

    /// A hasher at `cost` (10 or more).
    public init(cost: UInt8 = PasswordHasher.minimumCost) {
        precondition(cost >= Self.minimumCost && cost <= 31, "bcrypt cost must be \(Self.minimumCost)...31 (got \(cost))")
        self.cost = cost
    }

    /// The bcrypt hash (`$2b$10$…`) of `password`, with a fresh salt.
    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`.
    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
