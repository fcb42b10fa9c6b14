import Foundation
public import LaneCore

/// A demo account and its password, as `lanectl demo` prints it.
public struct DemoLogin: Sendable, Hashable {
    public var user: StationUser
    public var password: String
}

extension AccountStore {
    /// Makes sure the demo accounts exist and sets their passwords: `op1` (operator), `insp1` (inspector),
    /// `admin`, and one driver account per driver of `profile`, named by the driver id (`D01`…) and linked to it.
    /// Existing accounts keep their row and get the new password (journaled as `auth.password_changed`).
    /// - Parameters:
    ///   - profile: Gives the drivers.
    ///   - password: One password for every demo account (scripts, tests), or nil for a fresh random one each.
    ///   - actor: Who does it (`lanectl demo`).
    /// - Returns: The logins, operator first, drivers last.
    public func prepareDemoAccounts(profile: LaneProfile, password: String?, by actor: String) async throws -> [DemoLogin] {
        var users = [
            StationUser(id: "op1", name: "操作员一 Operator 1", role: .operator),
            StationUser(id: "insp1", name: "检验员一 Inspector 1", role: .inspector),
            StationUser(id: "admin", name: "管理员 Admin", role: .admin),
        ]
        for driver in profile.drivers {
            users.append(StationUser(
                id: driver.id.rawValue, name: "\(driver.nameZh) \(driver.nameEn)", role: .driver, driver: driver.id))
        }
        var logins: [DemoLogin] = []
        for user in users {
            let secret = password ?? Self.randomPassword()
            if let existing = account(user.id) {
                if existing.user.role != user.role { try setRole(of: user.id, to: user.role, by: actor) }
                if existing.disabled { try setDisabled(user.id, false, by: actor) }
                try await setPassword(of: user.id, to: secret, by: actor)
            } else {
                try await create(user, password: secret, by: actor)
            }
            logins.append(DemoLogin(user: self.account(user.id)?.user ?? user, password: secret))
        }
        return logins
    }

    /// Ten characters from an alphabet without look-alikes (no 0/O, 1/l/I), from the system's random source.
    public static func randomPassword(length: Int = 10) -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
