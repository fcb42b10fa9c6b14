import Foundation
import Hummingbird
import HummingbirdAuth
import LaneCore
import NIOCore

extension StationAuth {
    /// `POST /api/login` body.
    struct LoginRequest: Decodable {
        var user: String
        var password: String
    }

    /// The answer to a sign-in and to `GET /api/me`.
    struct MeView: Encodable {
        var user: String
        var name: String
        var role: String
        var driver: String?
        /// The page this role starts on.
        var home: String
        /// Seconds the session has left (at sign-in: its whole lifetime).
        var expiresInSeconds: Int?

        init(_ user: StationUser, expiresIn: Duration?) {
            self.user = user.id
            name = user.name
            role = user.role.rawValue
            driver = user.driver?.rawValue
            home = StationAuth.home(of: user.role)
            expiresInSeconds = expiresIn.map { Int($0.components.seconds) }
        }

        enum CodingKeys: String, CodingKey {
            case user, name, role, driver, home
            case expiresInSeconds = "expires_in_seconds"
        }
    }

    /// The page a role starts on.
    public static func home(of role: StationUser.Role) -> String {
        switch role {
        case .operator, .admin: "/console"
        case .driver: "/handheld"
        case .inspector: "/reports"
        }
    }

    /// Adds `/login`, `/logout`, `POST /api/login`, `POST /api/logout` and `GET /api/me`.
    func addRoutes(to router: Router<StationRequestContext>, assets: ConsoleAssets) {
        router.get("/login") { _, _ in try assets.response(for: "login.html") }
        router.get("/logout") { _, context in
            if let user = context.identity { self.loggedOut(user, from: context.clientAddress) }
            context.sessions.clearSession()
            return Response(status: .seeOther, headers: [.location: "/login"])
        }
        router.post("/api/login") { request, context in
            let body: LoginRequest
            do {
                body = try await request.decode(as: LoginRequest.self, context: context)
            } catch {
                throw HTTPError(
                    .badRequest,
                    message: "the body must be JSON {\"user\": \"…\", \"password\": \"…\"} (\(error)) / 请求体须为 JSON：user 与 password")
            }
            switch try await self.login(account: body.user, password: body.password, from: context.clientAddress) {
            case .signedIn(let user):
                await self.dropSession(of: request)
                let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
                context.sessions.createSession(
                    StationSession(account: user.id, signedInAt: now), expiresIn: self.configuration.sessionLifetime)
                return StationRoutes.json(MeView(user, expiresIn: self.configuration.sessionLifetime))
            case .refused:
                throw HTTPError(.unauthorized, message: "wrong login name or password / 用户名或密码错误")
            case .throttled(let wait):
                let seconds = max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)))
                return StationRoutes.errorResponse(
                    .tooManyRequests,
                    "too many failed logins for this account or from this address; try again in \(seconds) s / 登录失败次数过多，请 \(seconds) 秒后再试",
                    headers: [.retryAfter: "\(seconds)"])
            }
        }
        router.post("/api/logout") { _, context in
            if let user = context.identity { self.loggedOut(user, from: context.clientAddress) }
            context.sessions.clearSession()
            return StationRoutes.json(["signed_out": true])
        }
        AccountRoutes.add(to: router, auth: self)
        router.get("/api/me") { _, context in
            let user = try context.require()
            let expires = context.sessions.withLockedSession { $0?.expiresIn }
            return StationRoutes.json(MeView(user, expiresIn: expires))
        }
    }

    /// A page for `roles`: served to a signed-in user with one of them; anyone else is sent to
    /// `/login?next=PATH` (303), which says why.
    static func page(
        _ file: String, for roles: [StationUser.Role], assets: ConsoleAssets
    ) -> @Sendable (Request, StationRequestContext) async throws -> Response {
        { request, context in
            guard let user = context.identity, roles.contains(user.role) else {
                var next = request.uri.path
                if let query = request.uri.query, !query.isEmpty { next += "?" + query }
                let target = "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")
                    + (context.identity == nil ? "" : "&denied=1")
                return Response(status: .seeOther, headers: [.location: target, .cacheControl: "no-store"])
            }
            return try assets.response(for: file)
        }
    }
}
