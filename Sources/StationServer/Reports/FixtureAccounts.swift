import Foundation
public import Hummingbird
import HummingbirdBcrypt
import NIOCore
import Synchronization

/// Accounts and sessions for `lanectl reports serve` and the report tests, until the station's own
/// accounts (bcrypt, sessions, login) serve the reports: a fixed list of users with bcrypt hashes, an
/// in-memory session per login (cookie `lc_reports_session`), and the password check a sign-off needs.
public final class FixtureAccounts: SignOffAuthority, Sendable {
    struct Account: Sendable {
        var user: StationUser
        var hash: String
    }
    private let accounts: [String: Account]
    private let sessions = Mutex<[String: StationUser]>([:])
    /// The session cookie's name.
    public static let cookie = "lc_reports_session"

    /// Accounts from `(user, password)` pairs; passwords are hashed with bcrypt (`cost` 8: a fixture).
    public init(_ users: [(StationUser, String)], cost: UInt8 = 8) {
        var accounts: [String: Account] = [:]
        for (user, password) in users { accounts[user.id] = Account(user: user, hash: Bcrypt.hash(password, cost: cost)) }
        self.accounts = accounts
    }

    public func verify(user: String, password: String) async -> Bool {
        guard let account = accounts[user] else { return false }
        return Bcrypt.verify(password, hash: account.hash)
    }

    /// A new session for `user` after checking the password; nil when they do not match.
    func login(user: String, password: String) async -> (token: String, user: StationUser)? {
        guard let account = accounts[user], await verify(user: user, password: password) else { return nil }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<4).map { _ in String(format: "%016llx", generator.next()) }.joined()
        sessions.withLock { $0[token] = account.user }
        return (token, account.user)
    }

    func user(forToken token: String) -> StationUser? { sessions.withLock { $0[token] } }
    func logout(_ token: String) { _ = sessions.withLock { $0.removeValue(forKey: token) } }

    /// The middleware that signs a request in from its session cookie.
    public var middleware: some RouterMiddleware<StationRequestContext> { FixtureSessionMiddleware(accounts: self) }

    /// `GET/POST /reports/login` and `POST /reports/logout`.
    public func registerLogin(on router: Router<StationRequestContext>) {
        router.get("/reports/login") { request, _ in
            let fields = FormFields(query: request.uri.query)
            return ReportRoutes.html(ReportPages.login(lang: ReportRoutes.language(fields, request), error: nil, next: fields["next"] ?? "/reports"))
        }
        router.post("/reports/login") { request, context in
            let fields = try await ReportRoutes.body(request, context)
            let lang = ReportRoutes.language(FormFields(query: request.uri.query), request)
            var next = fields["next"] ?? "/reports"
            if !next.hasPrefix("/") || next.hasPrefix("//") { next = "/reports" }  // no open redirect
            guard let (token, _) = await self.login(user: fields["user"] ?? "", password: fields["password"] ?? "") else {
                return ReportRoutes.html(
                    ReportPages.login(lang: lang, error: lang.t("用户名或密码错误", "wrong user or password"), next: next),
                    status: .unauthorized)
            }
            var response = Response(status: .seeOther, headers: [.location: next])
            response.setCookie(Cookie(name: Self.cookie, value: token, path: "/", httpOnly: true, sameSite: .strict))
            return response
        }
        router.post("/reports/logout") { request, _ in
            if let token = request.cookies[Self.cookie]?.value { self.logout(token) }
            var response = Response(status: .seeOther, headers: [.location: "/reports/login"])
            response.setCookie(Cookie(name: Self.cookie, value: "", maxAge: 0, path: "/", httpOnly: true))
            return response
        }
    }
}

struct FixtureSessionMiddleware: RouterMiddleware {
    typealias Context = StationRequestContext
    let accounts: FixtureAccounts

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let token = request.cookies[FixtureAccounts.cookie]?.value, let user = accounts.user(forToken: token) {
            context.identity = user
        }
        return try await next(request, context)
    }
}
