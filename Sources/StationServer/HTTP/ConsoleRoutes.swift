import Foundation
import Hummingbird
import HummingbirdWebSocket
import LaneCore
import NIOCore
public import StationControl
import Valet

/// The operator console's API (the station view, the operator's actions on the ``StationController``) and the
/// lane boards' public feed. See docs/api.md.
///
/// Every action needs an operator or admin session (401 without one, 403 for another role), journals the user
/// as the actor (the controller does), and answers a refusal as `{"error": {status, reason, field, code, zh, en}}`.
public struct ConsoleRoutes: Sendable {
    /// The station view and events the `/live` feed and `/metrics` read.
    public let feed: StationFeed
    /// The controller the actions call.
    public var controller: StationController { feed.controller }

    /// Routes over `feed` and its controller.
    public init(feed: StationFeed) {
        self.feed = feed
    }

    /// Adds the routes to `router` (``StationRoutes/router(hub:auth:controller:console:assets:)`` calls this once).
    func add(to router: Router<StationRequestContext>, hub: LiveHub, auth: StationAuth) {
        let feed = self.feed
        let controller = self.controller
        router.get("/api/station") { _, context in
            try context.require(.operator, .admin, .inspector)
            return Self.raw(controller.snapshot())
        }
        router.post("/api/shift/open") { _, context in
            let user = try Self.operatorOrAdmin(context, auth, "shift.open")
            return try Self.perform { () throws(StationError) in Self.raw(try controller.openShift(by: user.id)) }
        }
        router.post("/api/shift/close") { _, context in
            let user = try Self.operatorOrAdmin(context, auth, "shift.close")
            return try Self.perform { () throws(StationError) in Self.raw(try controller.closeShift(by: user.id)) }
        }
        router.post("/api/checkin") { request, context in
            let user = try Self.operatorOrAdmin(context, auth, "checkin")
            let checkIn = try await Self.checkInRequest(request)
            return try Self.perform { () throws(StationError) in
                Self.raw(try controller.checkIn(checkIn, by: user.id))
            }
        }
        router.post("/api/lanes/:lane/call-next") { _, context in
            let user = try Self.operatorOrAdmin(context, auth, "lane.call_next")
            let lane = LaneID(rawValue: try context.parameters.require("lane"))
            return try Self.perform { () throws(StationError) in
                try controller.callNext(lane: lane, by: user.id)
                return Self.done(controller, lane: lane)
            }
        }
        router.post("/api/lanes/:lane/abort") { request, context in
            let user = try Self.operatorOrAdmin(context, auth, "lane.abort")
            let lane = LaneID(rawValue: try context.parameters.require("lane"))
            let body = try await Self.decode(ReasonBody.self, from: request)
            return try Self.perform { () throws(StationError) in
                try controller.abort(lane: lane, reason: body.reason ?? "", by: user.id)
                return Self.done(controller, lane: lane)
            }
        }
        router.post("/api/lanes/:lane/repeat") { _, context in
            let user = try Self.operatorOrAdmin(context, auth, "lane.repeat")
            let lane = LaneID(rawValue: try context.parameters.require("lane"))
            return try Self.perform { () throws(StationError) in
                try controller.orderRepeat(lane: lane, by: user.id)
                return Self.done(controller, lane: lane)
            }
        }
        router.post("/api/queue/:number/reassign") { request, context in
            let user = try Self.operatorOrAdmin(context, auth, "queue.reassign")
            let text = try context.parameters.require("number")
            guard let number = Int(text) else {
                throw APIError(.badRequest, reason: "queue number \(text) is not a number / 排队号须为数字", field: "queue_number")
            }
            let body = try await Self.decode(ReassignBody.self, from: request)
            return try Self.perform { () throws(StationError) in
                try controller.reassign(
                    queueNumber: number, to: body.driver.flatMap { $0.isEmpty ? nil : DriverID(rawValue: $0) },
                    reason: body.reason ?? "", by: user.id)
                return Self.raw(controller.ticket(number))
            }
        }
        router.ws("/display/:lane/live") { _, context in
            // Public: the board at the lane entrance shows plates and steps to anyone standing there.
            let lane = try context.parameters.require("lane")
            guard hub.profile.lanes.contains(where: { $0.id.rawValue == lane }) else { return .dontUpgrade }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let lane = LaneID(rawValue: context.requestContext.parameters.get("lane") ?? "")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var board = LaneBoardFeed(lane: lane, hub: hub, station: feed)
                    // Fragmented as `/live`'s messages are (see StationRoutes).
                    try await outbound.writeTextMessage(board.hello())
                    while !Task.isCancelled {
                        for message in board.nextMessages() { try await outbound.writeTextMessage(message) }
                        try await Task.sleep(for: LiveFeed.frameInterval)
                    }
                }
                for try await _ in inbound {}
                group.cancelAll()
            }
        }
    }

    /// The signed-in operator or admin; anyone else is refused (401, 403), and a signed-in user's refusal is
    /// journaled with the action they tried.
    static func operatorOrAdmin(_ context: StationRequestContext, _ auth: StationAuth, _ action: String) throws -> StationUser {
        do {
            return try context.require(.operator, .admin)
        } catch {
            if let user = context.identity {
                auth.journalRefusal(of: user, action: "console.\(action)", reason: "role \(user.role.rawValue) may not")
            }
            throw error
        }
    }

    /// The JSON of a controller view, in the controller's encoding (``StationJSON``: snake_case, sorted keys).
    static func raw(_ value: some Encodable) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: StationFeed.encode(value))))
    }

    /// `{"lane": …}` after an action on a lane: the lane as it is now.
    static func done(_ controller: StationController, lane: LaneID) -> Response {
        let view = controller.snapshot().lanes.first { $0.id == lane.rawValue }
        return raw(LaneResult(lane: view))
    }

    /// Runs a controller action; its refusal (``StationError``) reaches the error middleware, which answers it
    /// with its status, code, field and both languages.
    static func perform(_ body: () throws(StationError) -> Response) throws(StationError) -> Response {
        try body()
    }

    /// The check-in body: either ``CheckInRequest`` (`{"vehicle": {…}, "appointment_in_seconds": …}`) or the
    /// vehicle's fields at the top level (the console's form).
    static func checkInRequest(_ request: Request) async throws -> CheckInRequest {
        let data = try await body(of: request)
        let object = try? JSONSerialization.jsonObject(with: data)
        guard let dictionary = object as? [String: Any] else {
            throw APIError(.badRequest, reason: "the body must be a JSON object with the vehicle's fields (plate, vin, category, fuel …) / 请求体须为包含车辆信息的 JSON 对象")
        }
        if dictionary["vehicle"] != nil { return try decode(CheckInRequest.self, from: data) }
        let vehicle = try decode(Vehicle.self, from: data)
        return CheckInRequest(
            vehicle: vehicle, appointmentInSeconds: dictionary["appointment_in_seconds"] as? Int,
            scenario: dictionary["scenario"] as? String)
    }

    static func body(of request: Request) async throws -> Data {
        do {
            let buffer = try await request.body.collect(upTo: 64 << 10)
            return Data(buffer.readableBytesView)
        } catch {
            throw APIError(.contentTooLarge, reason: "the body is over 64 KiB / 请求体超过 64 KiB")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        let data = try await body(of: request)
        return try decode(type, from: data.isEmpty ? Data("{}".utf8) : data)
    }

    /// Decodes `data`, turning a decoding error into a 422 that names the JSON path of the bad field.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            // Plain keys: `Vehicle` and `CheckInRequest` spell their keys in snake_case themselves.
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw APIError(decoding: error)
        }
    }
}

/// `{"reason": "…"}` (abort).
struct ReasonBody: Decodable {
    var reason: String?
}

/// `{"driver": "D03", "reason": "…"}` (reassign; no driver: a new draw).
struct ReassignBody: Decodable {
    var driver: String?
    var reason: String?
}

/// The answer to a lane action.
struct LaneResult: Encodable {
    var lane: LaneView?
}

extension APIError {
    /// A 422 naming the JSON path of the value that could not be decoded.
    init(decoding error: DecodingError) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            self.init(.unprocessableContent, reason: "\(field) is missing / 缺少 \(field)", field: field, code: "missing")
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            self.init(.unprocessableContent, reason: "\(field): expected \(Self.kind(type)) / \(field) 类型错误",
                      field: field, code: "type")
        case .valueNotFound(_, let context):
            let field = path(context.codingPath)
            self.init(.unprocessableContent, reason: "\(field) is null / \(field) 不能为空", field: field, code: "missing")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.isEmpty {
                self.init(.badRequest, reason: "the body is not valid JSON / 请求体不是有效的 JSON", code: "json")
            } else {
                self.init(.unprocessableContent, reason: "\(field): \(context.debugDescription) / \(field) 的值无效",
                          field: field, code: "value")
            }
        @unknown default:
            self.init(.unprocessableContent, reason: "\(error)")
        }
    }

    static func kind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}
