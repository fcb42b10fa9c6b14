public import Hummingbird
public import Logging

extension ReportRoutes {
    /// A router serving the report pages alone over the station's accounts (`lanectl reports serve`, the
    /// report tests): the JSON error middleware, the session middleware and authenticator of `auth`, its
    /// sign-in page and API (`/login`, `/api/login`), and the report routes.
    public static func standaloneRouter(services: ReportServices, auth: StationAuth) -> Router<Context> {
        let router = Router(context: Context.self)
        router.middlewares.add(JSONErrorMiddleware())
        router.middlewares.add(auth.sessionMiddleware())
        router.middlewares.add(auth.authenticator())
        auth.addRoutes(to: router, assets: .bundled)
        router.get("/assets/:file") { _, context in try ConsoleAssets.bundled.response(for: try context.parameters.require("file")) }
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/reports"]) }
        register(on: router, services: services)
        return router
    }

    /// The standalone report server as a `Service` on `host:port` (0: the system picks); `onRunning` gets the port.
    public static func application(
        services: ReportServices, auth: StationAuth, host: String, port: Int, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var app = Application(
            router: standaloneRouter(services: services, auth: auth),
            configuration: .init(address: .hostname(host, port: port), serverName: "LaneControl reports"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        app.addServices(auth.sessionStore)
        return app
    }
}
