import Foundation
public import Hummingbird
public import HummingbirdAuth
public import Journal
public import Logging
import Synchronization

/// Sign-in for the station's pages and API: checks passwords against the ``AccountStore``, rate-limits
/// failed logins per account and per client address, journals every failure, and provides the session
/// middleware (HttpOnly, SameSite=Strict cookie; sessions kept in a `PersistDriver` until they expire).
public final class StationAuth: Sendable {
    /// The accounts.
    public let accounts: AccountStore
    /// Session length, limits, cookie.
    public let configuration: AuthConfiguration
    /// Where sessions are kept: a `MemoryPersistDriver` by default, ``SQLitePersistDriver`` for a station (sessions
    /// survive a restart); run it as a service to tidy expired ones (``StationRoutes/application`` does).
    public let sessionStore: any PersistDriver
    let journal: Journal?
    let logger: Logger
    let uptime: @Sendable () -> Duration
    private let throttle: Mutex<LoginThrottle>

    /// Creates the sign-in service.
    /// - Parameters:
    ///   - accounts: The accounts (their journal, if any, also receives the `auth.login*` entries).
    ///   - configuration: Session lifetime, failure limit, cookie settings.
    ///   - sessionStore: Where sessions are kept; tests pass a `MemoryPersistDriver` on a manual clock.
    ///   - uptime: Monotonic time for the failure window; tests pass a manual one.
    ///   - logger: Logs refusals (without passwords).
    public init(
        accounts: AccountStore, configuration: AuthConfiguration = .init(),
        sessionStore: (any PersistDriver)? = nil,
        uptime: (@Sendable () -> Duration)? = nil,
        logger: Logger
    ) {
        self.accounts = accounts
        self.configuration = configuration
        self.sessionStore = sessionStore ?? MemoryPersistDriver()
        self.journal = accounts.journal
        self.uptime = uptime ?? { ContinuousClock.now - StationAuth.origin }
        self.logger = logger
        self.throttle = Mutex(LoginThrottle(limit: configuration.failureLimit, window: configuration.failureWindow))
    }

    /// The process's reference instant for ``uptime``.
    public static let origin = ContinuousClock.now

    /// What a login attempt came to.
    public enum LoginOutcome: Sendable, Hashable {
        /// Signed in.
        case signedIn(StationUser)
        /// Unknown account, wrong password or disabled account (the answer never says which).
        case refused
        /// Too many recent failures of this account or from this address: wait.
        case throttled(retryAfter: Duration)
    }

    /// Checks a login attempt; counts and journals a failure (`auth.login_failed`, `reason` one of
    /// `bad_credentials`, `rate_limited`) and journals a success (`auth.login`).
    public func login(account: String, password: String, from address: String) async throws -> LoginOutcome {
        let keys = ["account:" + account.lowercased(), "address:" + address]
        if let wait = throttle.withLock({ $0.retryAfter(keys, at: uptime()) }) {
            journalFailure(account: account, address: address, reason: "rate_limited")
            logger.notice("login refused: too many failures", metadata: ["auth.account": "\(account)", "auth.address": "\(address)"])
            return .throttled(retryAfter: wait)
        }
        guard let user = try await accounts.verify(account, password: password) else {
            throttle.withLock { $0.recordFailure(keys, at: uptime()) }
            journalFailure(account: account, address: address, reason: "bad_credentials")
            logger.notice("login refused: bad credentials", metadata: ["auth.account": "\(account)", "auth.address": "\(address)"])
            return .refused
        }
        throttle.withLock { $0.reset(keys[0]) }
        journalEvent("auth.login", actor: user.id, LoginEvent(account: user.id, address: address, reason: nil))
        return .signedIn(user)
    }

    /// Journals a sign-out.
    func loggedOut(_ user: StationUser, from address: String) {
        journalEvent("auth.logout", actor: user.id, LoginEvent(account: user.id, address: address, reason: nil))
    }

    /// Journals a refused action of a signed-in user (`auth.forbidden`: a driver acting on another driver's
    /// prompt, a role calling a route it may not).
    public func journalRefusal(of user: StationUser, action: String, reason: String) {
        journalEvent(
            "auth.forbidden", actor: user.id, ForbiddenEvent(account: user.id, role: user.role.rawValue, action: action, reason: reason))
    }

    private func journalFailure(account: String, address: String, reason: String) {
        // The claimed name is data, not an actor: the attempt is the system's observation.
        journalEvent("auth.login_failed", actor: "auth", LoginEvent(account: String(account.prefix(64)), address: address, reason: reason))
    }

    private func journalEvent(_ kind: EntryKind, actor: String, _ payload: some Encodable & Sendable) {
        guard let journal else { return }
        do {
            try journal.append(kind: kind, actor: actor, at: accounts.now(), payload: payload)
        } catch {
            logger.error("could not journal \(kind)", metadata: ["error": "\(error)"])
        }
    }

    /// Removes the session a request's cookie names, if any (a sign-in replaces it: an old session id never
    /// stays valid beside the new one).
    func dropSession(of request: Request) async {
        let storage = SessionStorage<StationSession>(
            sessionStore, configuration: .init(sessionCookieParameters: .init(name: configuration.cookieName), keyPrefix: Self.keyPrefix))
        _ = try? await storage.delete(request: request)
    }

    static let keyPrefix = "lanecontrol.session."

    /// The session middleware: reads the cookie, loads the ``StationSession``, writes `Set-Cookie` for new
    /// sessions (HttpOnly, SameSite=Strict, expiring with the session).
    public func sessionMiddleware() -> SessionMiddleware<StationRequestContext> {
        SessionMiddleware(
            storage: sessionStore,
            configuration: .init(
                sessionCookieParameters: .init(
                    name: configuration.cookieName, path: "/", secure: configuration.secureCookie, sameSite: .strict),
                keyPrefix: Self.keyPrefix, defaultSessionExpiration: configuration.sessionLifetime))
    }

    /// Turns the session into ``StationRequestContext/identity`` (re-reading the account, so a disabled account
    /// or a changed role takes effect at once).
    public func authenticator() -> SessionAuthenticator<StationRequestContext, UserSessionClosureRepository<StationSession, StationUser>> {
        let accounts = self.accounts
        return SessionAuthenticator(context: StationRequestContext.self) { session, _ in accounts.user(session.account) }
    }
}

struct LoginEvent: Codable, Sendable {
    var account: String
    var address: String
    var reason: String?
}

struct ForbiddenEvent: Codable, Sendable {
    var account: String
    var role: String
    var action: String
    var reason: String
}
