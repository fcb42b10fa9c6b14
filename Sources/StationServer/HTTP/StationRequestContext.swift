public import Hummingbird
public import HummingbirdAuth
public import HummingbirdWebSocket
public import LaneCore
public import NIOCore

/// Who is signed in: a station account and its role.
public struct StationUser: Hashable, Sendable, Codable {
    /// The four roles. A route names the roles it admits (``StationRequestContext/require(_:)``).
    public enum Role: String, Hashable, Sendable, Codable, CaseIterable {
        /// Lane operator at the control-station console.
        case `operator`
        /// Valet driver on a handheld: sees and acts on their own assignment only.
        case driver
        /// Reviews and signs inspection reports, orders re-tests.
        case inspector
        /// Manages accounts; may do what an operator does.
        case admin
    }

    /// Login name, unique (`op1`, `D01`, `insp1`).
    public var id: String
    /// Display name.
    public var name: String
    public var role: Role
    /// For a driver account: the driver id of the profile's roster (dispatch uses it).
    public var driver: DriverID?

    public init(id: String, name: String, role: Role, driver: DriverID? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.driver = driver
    }
}

/// The request context of every route: WebSocket-capable (so `/live` shares the router), carrying the
/// session (``StationSession``, from the session cookie) and the signed-in ``StationUser`` once the session
/// authenticator has found one.
public struct StationRequestContext: AuthRequestContext, SessionRequestContext, WebSocketRequestContext,
    RemoteAddressRequestContext, RequestContext
{
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The signed-in user, nil before authentication.
    public var identity: StationUser?
    /// The session read from the `lanecontrol_session` cookie (``StationAuth``).
    public let sessions: SessionContext<StationSession>
    /// The peer's address (the rate limit of failed logins counts per address).
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        webSocket = .init()
        identity = nil
        sessions = .init()
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address as text (`"127.0.0.1"`), or `"unknown"` when the channel has none (tests).
    public var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }

    /// The signed-in user if their role is one of `roles`; otherwise 401 (nobody signed in) or 403 (wrong
    /// role), with a reason in both languages.
    @discardableResult
    public func require(_ roles: StationUser.Role...) throws -> StationUser {
        guard let user = identity else {
            throw HTTPError(.unauthorized, message: "sign in first (POST /api/login) / 请先登录")
        }
        guard roles.isEmpty || roles.contains(user.role) else {
            throw HTTPError(
                .forbidden,
                message: "\(user.id) is \(user.role.rawValue); this needs \(roles.map(\.rawValue).joined(separator: " or ")) / 无此权限")
        }
        return user
    }
}
