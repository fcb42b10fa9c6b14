import Foundation
public import Hummingbird
public import HummingbirdWebSocket
import LaneCore
public import Logging
import NIOCore
import Rigs
import ServiceLifecycle
public import StationControl

/// The station's HTTP surface: the console page and its files, the JSON API, `/metrics` and the `/live`
/// WebSocket feed. See docs/api.md.
public enum StationRoutes {
    /// The request context of every route (WebSocket-capable, so `/live` shares the router).
    public typealias Context = StationRequestContext

    /// The routes and their middleware: every error becomes a JSON body, then the session cookie is read and
    /// the signed-in user found (``StationAuth``). Pages send a visitor who is not signed in (or has the wrong
    /// role) to `/login`; API routes answer 401 or 403. With a `controller`, the driver handheld's API; with
    /// `console`, the station's console API and the lane boards' feed.
    public static func router(
        hub: LiveHub, auth: StationAuth, controller: StationController? = nil, console: ConsoleRoutes? = nil,
        assets: ConsoleAssets = .bundled, reports: ReportServices? = nil
    ) -> Router<Context> {
        let router = Router(context: Context.self)
        router.middlewares.add(JSONErrorMiddleware())
        router.middlewares.add(auth.sessionMiddleware())
        router.middlewares.add(auth.authenticator())
        auth.addRoutes(to: router, assets: assets)
        router.get("/") { _, context in
            let home = context.identity.map { StationAuth.home(of: $0.role) } ?? "/login"
            return Response(status: .seeOther, headers: [.location: home])
        }
        // Shared static files (styles, scripts of the login page and the handheld): not secret.
        router.get("/assets/:file") { _, context in try assets.response(for: try context.parameters.require("file")) }
        router.get("/console", use: StationAuth.page("console.html", for: [.operator, .admin], assets: assets))
        router.get("/handheld", use: StationAuth.page("handheld.html", for: [.driver], assets: assets))
        if let controller { HandheldRoutes.add(to: router, controller: controller, auth: auth) }
        if let reports { ReportRoutes.register(on: router, services: reports) }
        router.get("/console/:file") { _, context in
            let file = try context.parameters.require("file")
            return try assets.response(for: file)
        }
        // The lane board is a public screen at the lane entrance.
        router.get("/display/:lane") { _, context in
            let lane = try context.parameters.require("lane")
            guard hub.profile.lanes.contains(where: { $0.id.rawValue == lane }) else {
                throw HTTPError(.notFound, message: "no lane \(lane) (lanes: \(hub.profile.lanes.map(\.id.rawValue).joined(separator: ", ")))")
            }
            return try assets.response(for: "display.html")
        }
        console?.add(to: router, hub: hub, auth: auth)
        router.get("/api/profile") { _, _ in json(ProfileView(hub.profile)) }
        router.get("/api/rigs") { _, context in
            try context.require(.operator, .admin, .inspector)
            return json(RigsView(hub: hub))
        }
        router.get("/api/rigs/:rig") { _, context in
            try context.require(.operator, .admin, .inspector)
            let id = try context.parameters.require("rig")
            let view = RigsView(hub: hub)
            guard let entry = view.rigs.first(where: { $0.rig.rawValue == id }) else {
                throw HTTPError(.notFound, message: "no rig \(id) (rigs: \(view.rigs.map(\.rig.rawValue).joined(separator: ", ")))")
            }
            return json(entry)
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: PrometheusText.render(hub: hub, station: console?.feed))))
        }
        router.ws("/live") { _, context in
            // The feed shows every lane, queue and driver: staff only, never a driver's handheld.
            try context.require(.operator, .admin, .inspector)
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, _ in
            hub.clientConnected()
            defer { hub.clientDisconnected() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var feed = LiveFeed(hub: hub, station: console?.feed)
                    // Messages go out fragmented into frames of at most 16 KB: a console that connects while a
                    // brake trace is kept gets the whole trace at once (2,000 points, ~80 KB), more than a client's
                    // default frame limit (16 KB in swift-websocket) that closes the connection on a larger frame.
                    try await outbound.writeTextMessage(feed.hello())
                    try await feed.frames { message in try await outbound.writeTextMessage(message) }
                }
                // The client may send anything (pings); the feed ends when it closes.
                for try await _ in inbound {}
                group.cancelAll()
            }
        }
        return router
    }

    /// The server as a `Service`: listens on `host:port` (0: the system picks) and calls `onRunning` with the
    /// bound port once it accepts connections. With a `controller`, the server also serves the handheld's and the
    /// console's API and the lane boards, and runs the console's ``StationFeed`` as one of its services.
    public static func application(
        hub: LiveHub, auth: StationAuth, controller: StationController? = nil, host: String, port: Int,
        assets: ConsoleAssets = .bundled, reports: ReportServices? = nil, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let console = controller.map { ConsoleRoutes(feed: StationFeed(controller: $0)) }
        let router = router(
            hub: hub, auth: auth, controller: controller, console: console, assets: assets, reports: reports)
        var app = Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(host, port: port), serverName: "LaneControl"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        // The session store tidies expired sessions while the server runs.
        app.addServices(auth.sessionStore)
        // The console's feed reads the controller's events while the server runs.
        if let console { app.addServices(console.feed) }
        return app
    }

    static func json(_ value: some Encodable) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: LiveJSON.encode(value))))
    }
}

/// Turns every error (a route's `HTTPError`, an unknown path, anything thrown) into
/// `{"error": {"status": 404, "reason": "…"}}` with the right status.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response()
        } catch let error as StationError {
            return StationRoutes.stationErrorResponse(error)
        } catch {
            let status: HTTPResponse.Status
            var reason: String
            if let error = error as? HTTPError {
                status = error.status
                reason = error.body ?? error.status.reasonPhrase
            } else if let error = error as? any HTTPResponseError {
                status = error.status
                reason = "\(error)"
            } else {
                status = .internalServerError
                reason = "\(error)"
            }
            if status == .notFound, reason == HTTPResponse.Status.notFound.reasonPhrase {
                reason = "no route \(request.method) \(request.uri.path); see docs/api.md for the routes "
                    + "(/login, /console, /handheld, /display/LANE, /api/login, /api/me, /api/profile, /api/rigs, /metrics, /live)"
            }
            return StationRoutes.errorResponse(status, reason)
        }
    }
}

extension StationRoutes {
    /// A controller's refusal: `not_found` 404, `forbidden` 403, `conflict` 409, `invalid` 422, with its code,
    /// field and both languages: `{"error": {"status", "reason", "code", "field", "zh", "en"}}`.
    static func stationErrorResponse(_ error: StationError) -> Response {
        let status: HTTPResponse.Status =
            switch error.kind {
            case .notFound: .notFound
            case .forbidden: .forbidden
            case .conflict: .conflict
            case .invalid: .unprocessableContent
            }
        struct Body: Encodable {
            struct Inner: Encodable {
                var status: Int
                var reason: String
                var code: String
                var field: String?
                var zh: String
                var en: String
            }
            var error: Inner
        }
        let body = Body(error: .init(status: status.code, reason: "\(error.en) / \(error.zh)", code: error.code, field: error.field, zh: error.zh, en: error.en))
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: LiveJSON.encode(body))))
    }

    /// `{"error": {"status": …, "reason": …}}` with `status` and any extra headers (`Retry-After`).
    static func errorResponse(_ status: HTTPResponse.Status, _ reason: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        return Response(
            status: status, headers: fields,
            body: .init(byteBuffer: ByteBuffer(string: LiveJSON.encode(ErrorBody(error: .init(status: status.code, reason: reason))))))
    }
}

/// `{"error": {"status": …, "reason": …}}`.
struct ErrorBody: Encodable {
    struct Inner: Encodable {
        var status: Int
        var reason: String
    }
    var error: Inner
}
