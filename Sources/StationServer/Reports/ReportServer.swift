public import Hummingbird
public import Logging

extension ReportRoutes {
    /// A router serving the report pages alone, signing users in with `accounts` (`lanectl reports serve`
    /// and the report tests): the JSON error middleware, the session middleware, login and the report routes.
    public static func standaloneRouter(services: ReportServices, accounts: FixtureAccounts) -> Router<Context> {
        let router = Router(context: Context.self)
        router.middlewares.add(JSONErrorMiddleware())
        router.middlewares.add(accounts.middleware)
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/reports"]) }
        accounts.registerLogin(on: router)
        register(on: router, services: services)
        return router
    }

    /// The standalone report server as a `Service` on `host:port` (0: the system picks); `onRunning` gets the port.
    public static func application(
        services: ReportServices, accounts: FixtureAccounts, host: String, port: Int, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: standaloneRouter(services: services, accounts: accounts),
            configuration: .init(address: .hostname(host, port: port), serverName: "LaneControl reports"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
