import Foundation
public import Hummingbird
public import HummingbirdWebSocket
import LaneCore
public import Logging
import NIOCore
import Rigs
import ServiceLifecycle

/// The station's HTTP surface: the console page and its files, the JSON API, `/metrics` and the `/live`
/// WebSocket feed. See docs/api.md.
public enum StationRoutes {
    /// The request context of every route (WebSocket-capable, so `/live` shares the router).
    public typealias Context = StationRequestContext

    /// The routes and the middleware that turns every error into a JSON body.
    public static func router(hub: LiveHub, assets: ConsoleAssets = .bundled, reports: ReportServices? = nil) -> Router<Context> {
        let router = Router(context: Context.self)
        router.middlewares.add(JSONErrorMiddleware())
        if let reports { ReportRoutes.register(on: router, services: reports) }
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/console"]) }
        router.get("/console") { _, _ in try assets.response(for: "console.html") }
        router.get("/console/:file") { _, context in
            let file = try context.parameters.require("file")
            return try assets.response(for: file)
        }
        router.get("/display/:lane") { _, context in
            let lane = try context.parameters.require("lane")
            guard hub.profile.lanes.contains(where: { $0.id.rawValue == lane }) else {
                throw HTTPError(.notFound, message: "no lane \(lane) (lanes: \(hub.profile.lanes.map(\.id.rawValue).joined(separator: ", ")))")
            }
            return try assets.response(for: "display.html")
        }
        router.get("/api/profile") { _, _ in json(ProfileView(hub.profile)) }
        router.get("/api/rigs") { _, _ in json(RigsView(hub: hub)) }
        router.get("/api/rigs/:rig") { _, context in
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
                body: .init(byteBuffer: ByteBuffer(string: PrometheusText.render(hub: hub))))
        }
        router.ws("/live") { inbound, outbound, _ in
            hub.clientConnected()
            defer { hub.clientDisconnected() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var feed = LiveFeed(hub: hub)
                    try await outbound.write(.text(feed.hello()))
                    while !Task.isCancelled {
                        for message in feed.nextMessages() { try await outbound.write(.text(message)) }
                        try await Task.sleep(for: LiveFeed.frameInterval)
                    }
                }
                // The client may send anything (pings); the feed ends when it closes.
                for try await _ in inbound {}
                group.cancelAll()
            }
        }
        return router
    }

    /// The server as a `Service`: listens on `host:port` (0: the system picks) and calls `onRunning` with the
    /// bound port once it accepts connections.
    public static func application(
        hub: LiveHub, host: String, port: Int, assets: ConsoleAssets = .bundled, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = router(hub: hub, assets: assets)
        return Application(
            router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
            configuration: .init(address: .hostname(host, port: port), serverName: "LaneControl"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
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
                    + "(/console, /display/LANE, /api/profile, /api/rigs, /metrics, /live)"
            }
            return Response(
                status: status, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: LiveJSON.encode(ErrorBody(error: .init(status: status.code, reason: reason))))))
        }
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
