import Foundation
import Hummingbird
import LaneCore

/// Account management for admins: `GET /api/accounts`, `POST /api/accounts`, and per account
/// `POST /api/accounts/ID/password|role|disabled`. Every change is journaled by the ``AccountStore`` with the
/// admin as the actor.
enum AccountRoutes {
    struct AccountView: Encodable {
        var user: String
        var name: String
        var role: String
        var driver: String?
        var disabled: Bool
    }

    struct CreateRequest: Decodable {
        var user: String
        var name: String?
        var role: String
        var driver: String?
        var password: String
    }

    struct PasswordRequest: Decodable { var password: String }
    struct RoleRequest: Decodable { var role: String }
    struct DisabledRequest: Decodable { var disabled: Bool }

    static func add(to router: Router<StationRequestContext>, auth: StationAuth) {
        let accounts = auth.accounts
        @Sendable func view(_ id: String) -> AccountView? {
            accounts.account(id).map {
                AccountView(user: $0.user.id, name: $0.user.name, role: $0.user.role.rawValue, driver: $0.user.driver?.rawValue, disabled: $0.disabled)
            }
        }
        router.get("/api/accounts") { _, context in
            try context.require(.admin)
            return StationRoutes.json(["accounts": accounts.users.compactMap { view($0.id) }])
        }
        router.post("/api/accounts") { request, context in
            let admin = try context.require(.admin)
            let body = try await decode(CreateRequest.self, request, context, #"{"user", "role", "password", "name"?, "driver"?}"#)
            let user = StationUser(
                id: body.user, name: body.name ?? body.user, role: try role(body.role),
                driver: body.driver.map(DriverID.init(rawValue:)))
            try await refusing { try await accounts.create(user, password: body.password, by: admin.id) }
            return StationRoutes.json(view(user.id))
        }
        router.post("/api/accounts/:id/password") { request, context in
            let admin = try context.require(.admin)
            let id = try context.parameters.require("id")
            let body = try await decode(PasswordRequest.self, request, context, #"{"password"}"#)
            try await refusing { try await accounts.setPassword(of: id, to: body.password, by: admin.id) }
            return StationRoutes.json(view(id))
        }
        router.post("/api/accounts/:id/role") { request, context in
            let admin = try context.require(.admin)
            let id = try context.parameters.require("id")
            let body = try await decode(RoleRequest.self, request, context, #"{"role"}"#)
            let role = try role(body.role)
            try await refusing { try accounts.setRole(of: id, to: role, by: admin.id) }
            return StationRoutes.json(view(id))
        }
        router.post("/api/accounts/:id/disabled") { request, context in
            let admin = try context.require(.admin)
            let id = try context.parameters.require("id")
            let body = try await decode(DisabledRequest.self, request, context, #"{"disabled": true|false}"#)
            guard id != admin.id || !body.disabled else {
                throw HTTPError(.conflict, message: "an admin cannot disable their own account / 不能停用自己的账号")
            }
            try await refusing { try accounts.setDisabled(id, body.disabled, by: admin.id) }
            return StationRoutes.json(view(id))
        }
    }

    static func decode<T: Decodable>(
        _ type: T.Type, _ request: Request, _ context: StationRequestContext, _ shape: String
    ) async throws -> T {
        do {
            return try await request.decode(as: type, context: context)
        } catch {
            throw HTTPError(.badRequest, message: "the body must be JSON \(shape) (\(error)) / 请求体格式错误")
        }
    }

    static func role(_ text: String) throws -> StationUser.Role {
        guard let role = StationUser.Role(rawValue: text) else {
            throw HTTPError(.unprocessableContent, message: "role must be operator, driver, inspector or admin (got \(text)) / 角色无效")
        }
        return role
    }

    /// An ``AccountError`` as 404 (unknown account), 409 (taken id) or 422 (bad data).
    static func refusing(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as AccountError {
            let status: HTTPResponse.Status =
                switch error {
                case .unknown: .notFound
                case .exists: .conflict
                default: .unprocessableContent
                }
            throw HTTPError(status, message: error.description)
        }
    }
}
