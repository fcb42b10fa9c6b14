/// What the session cookie stands for on the server (the cookie itself is a random id): the account and
/// when it signed in. Kept in the session store until it expires (``AuthConfiguration/sessionLifetime``).
public struct StationSession: Codable, Sendable, Hashable {
    /// The account's login name.
    public var account: String
    /// Sign-in time, milliseconds since the Unix epoch.
    public var signedInAt: Int64

    public init(account: String, signedInAt: Int64) {
        self.account = account
        self.signedInAt = signedInAt
    }
}

/// Settings of sign-in and sessions.
public struct AuthConfiguration: Sendable {
    /// How long a session lasts after sign-in (default 8 hours, one shift).
    public var sessionLifetime: Duration = .seconds(8 * 3600)
    /// Failed logins allowed per account and per client address within ``failureWindow``.
    public var failureLimit = 5
    /// The window of the failure limit (default 5 minutes).
    public var failureWindow: Duration = .seconds(300)
    /// bcrypt cost for new passwords (10 or more).
    public var bcryptCost: UInt8 = PasswordHasher.minimumCost
    /// The session cookie's name.
    public var cookieName = "lanecontrol_session"
    /// Mark the cookie `Secure` (behind HTTPS).
    public var secureCookie = false

    public init() {}
}
