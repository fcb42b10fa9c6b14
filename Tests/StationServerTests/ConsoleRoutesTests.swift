import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import HummingbirdWSTesting
import HummingbirdWebSocket
import Journal
import LaneCore
import LaneTesting
import Logging
import NIOCore
import StationControl
import StationServer
import Synchronization
import Testing

/// A station with no rigs polled: the demo profile, a real controller (no journal) and its feed.
struct ConsoleStation {
    let hub: LiveHub
    let controller: StationController
    let feed: StationFeed
    let auth: StationAuth

    init(journal: Journal? = nil) async throws {
        let profile = try demoProfile()
        let (stream, _) = AsyncStream.makeStream(of: Sample.self)
        hub = LiveHub(profile: profile, pollers: [], samples: stream)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        controller = StationController(profile: profile, journal: nil, commands: { _ in }, logger: logger)
        feed = StationFeed(controller: controller)
        auth = try await makeAuth(journal: journal)
    }

    func app() -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return StationRoutes.application(
            hub: hub, auth: auth, controller: controller, host: "127.0.0.1", port: 0, logger: logger)
    }
}

@Suite(.timeLimit(.minutes(5)))
struct ConsoleRoutesTests {
    @Test func everyOperatorActionAnswers401AsJSONWithoutASession() async throws {
        let station = try await ConsoleStation()
        try await station.app().test(.router) { client in
            for uri in [
                "/api/shift/open", "/api/shift/close", "/api/checkin", "/api/lanes/L1/call-next", "/api/lanes/L1/abort",
                "/api/lanes/L1/repeat", "/api/queue/1/reassign",
            ] {
                try await client.execute(
                    uri: uri, method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"plate": "鲁G12345", "reason": "test"}"#)
                ) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                    let error = try #require(try jsonObject(String(buffer: response.body))["error"] as? [String: Any])
                    #expect(error["status"] as? Int == 401)
                    #expect((error["reason"] as? String)?.contains("/api/login") == true)
                }
            }
            try await client.execute(uri: "/api/station", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
        }
        // Nothing happened: no shift was opened by the refused calls.
        #expect(station.controller.shift() == nil)
    }

    @Test func liveFeedSendsTheStationAndThenEachEventAsTheControllerPublishesIt() async throws {
        let station = try await ConsoleStation()
        let received = Collected()
        do {
            try await station.app().test(.live) { client in
                let cookie = try await client.signIn("op1")
                try await client.ws("/live", configuration: .init(additionalHeaders: [.cookie: cookie])) { inbound, _, _ in
                    var opened = false
                    for try await message in inbound.messages(maxSize: 4 << 20) {
                        guard case .text(let text) = message else { continue }
                        received.texts.withLock { $0.append(text) }
                        let object = try jsonObject(text)
                        if object["type"] as? String == "station", !opened {
                            opened = true
                            _ = try station.controller.openShift(by: "op1")
                        }
                        if object["type"] as? String == "station",
                            ((object["station"] as? [String: Any])?["shift"] as? [String: Any])?["state"] as? String == "open",
                            received.texts.withLock({ $0.contains { $0.contains("\"shift_opened\"") } })
                        {
                            break
                        }
                    }
                }
            }
        }
        let messages = try received.texts.withLock { $0 }.map(jsonObject)
        #expect(messages.first?["type"] as? String == "hello")
        let stations = messages.filter { $0["type"] as? String == "station" }.compactMap { $0["station"] as? [String: Any] }
        let first = try #require(stations.first)
        #expect((first["lanes"] as? [[String: Any]])?.map { $0["id"] as? String } == ["L1", "L2"])
        #expect((first["drivers"] as? [Any])?.count == station.controller.profile.drivers.count)
        #expect(first["shift"] == nil, "no shift before the operator opens one")
        let shift = try #require(stations.last?["shift"] as? [String: Any])
        #expect(shift["opened_by"] as? String == "op1")
        let commitment = try #require(shift["seed_commitment"] as? String)
        #expect(commitment.count == 64 && commitment.allSatisfy(\.isHexDigit))
        #expect(shift["seed"] == nil, "the seed stays secret while the shift is open")
        let events = messages.filter { $0["type"] as? String == "events" }
            .flatMap { ($0["events"] as? [[String: Any]]) ?? [] }
        let opened = try #require(events.first { ($0["event"] as? [String: Any])?["type"] as? String == "shift_opened" })
        #expect((opened["seq"] as? Int ?? 0) >= 1)
        #expect((opened["published"] as? Double ?? 0) > 0)
        let text = try #require((opened["event"] as? [String: Any])?["text"] as? [String: Any])
        #expect((text["en"] as? String)?.contains(commitment) == true)
    }

    @Test func laneBoardIsPublicAndCallsTheNextPlateOfItsLaneOnly() async throws {
        let station = try await ConsoleStation()
        let controller = station.controller
        let received = Collected()
        do {
            try await station.app().test(.live) { client in
                try await client.ws("/display/L1/live") { inbound, _, _ in
                    var drove = false
                    for try await message in inbound.messages(maxSize: 4 << 20) {
                        guard case .text(let text) = message else { continue }
                        received.texts.withLock { $0.append(text) }
                        let object = try jsonObject(text)
                        if object["type"] as? String == "lane", !drove {
                            drove = true
                            try Self.bringAVehicleToTheEntry(controller, plate: "鲁G12345", category: "M1")
                        }
                        if let lane = object["lane"] as? [String: Any], lane["called_plate"] as? String != nil { break }
                    }
                }
            }
        }
        let messages = try received.texts.withLock { $0 }.map(jsonObject)
        let hello = try #require(messages.first)
        #expect(hello["type"] as? String == "hello")
        #expect(hello["lane"] as? String == "L1")
        #expect((hello["stations"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["emission", "headlamp", "brake"])
        let lanes = messages.filter { $0["type"] as? String == "lane" }.compactMap { $0["lane"] as? [String: Any] }
        #expect(lanes.allSatisfy { $0["id"] as? String == "L1" }, "a board sees its own lane only")
        #expect(lanes.last?["called_plate"] as? String == "鲁G·12345")
        #expect(messages.contains { $0["type"] as? String == "rigs" })
        #expect(!messages.contains { $0["queue"] != nil || $0["drivers"] != nil })
    }

    @Test func unknownLaneBoardFeedIsRefused() async throws {
        let station = try await ConsoleStation()
        try await station.app().test(.live) { client in
            await #expect(throws: (any Error).self) {
                try await client.ws("/display/L9/live") { _, _, _ in }
            }
        }
    }

    @Test func driversAndInspectorsAreRefused403JournaledAndNothingHappens() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let journal = try Journal(path: folder.url.appendingPathComponent("station.sqlite").path, now: WallTime(milliseconds: 0))
        defer { try? journal.close() }
        let station = try await ConsoleStation(journal: journal)
        try await station.app().test(.router) { client in
            for user in ["D01", "insp1"] {
                let cookie = try await client.signIn(user)
                for uri in ["/api/shift/open", "/api/checkin", "/api/lanes/L1/call-next", "/api/queue/1/reassign"] {
                    try await client.post(uri, json: #"{"plate": "鲁G12345", "reason": "x"}"#, cookie: cookie) { response in
                        #expect(response.status == .forbidden, "\(user) \(uri)")
                        let error = try #require(try jsonObject(String(buffer: response.body))["error"] as? [String: Any])
                        #expect((error["reason"] as? String)?.contains(user) == true)
                    }
                }
            }
            // An inspector may read the station; a driver may not.
            try await client.get("/api/station", cookie: try await client.signIn("insp1")) { #expect($0.status == .ok) }
            try await client.get("/api/station", cookie: try await client.signIn("D01")) { #expect($0.status == .forbidden) }
        }
        #expect(station.controller.shift() == nil)
        #expect(station.controller.snapshot().queue.isEmpty)
        let refusals = try journal.entries().filter { $0.kind.rawValue == "auth.forbidden" }.map { try jsonObject($0.payload) }
        #expect(refusals.contains { $0["account"] as? String == "D01" && $0["action"] as? String == "console.checkin" })
        #expect(refusals.contains { $0["account"] as? String == "insp1" && $0["action"] as? String == "console.shift.open" })
    }

    @Test func operatorOpensTheShiftChecksInAndRefusalsNameTheField() async throws {
        let station = try await ConsoleStation()
        try await station.app().test(.router) { client in
            let cookie = try await client.signIn("op1")
            // No shift yet: check-in is refused as a conflict with its code.
            try await client.post("/api/checkin", json: #"{"plate": "鲁G12345"}"#, cookie: cookie) { response in
                #expect(response.status == .conflict)
                let error = try #require(try jsonObject(String(buffer: response.body))["error"] as? [String: Any])
                #expect(error["code"] as? String == "shift_not_open")
            }
            let commitment = try await client.post("/api/shift/open", json: "{}", cookie: cookie) { response in
                #expect(response.status == .ok)
                let shift = try jsonObject(String(buffer: response.body))
                #expect(shift["state"] as? String == "open")
                #expect(shift["opened_by"] as? String == "op1")
                #expect(shift["seed"] == nil)
                return try #require(shift["seed_commitment"] as? String)
            }
            // A plate from no province: 422 naming the plate field.
            try await client.post("/api/checkin", json: #"{"plate": "XX12345", "category": "M1"}"#, cookie: cookie) { response in
                #expect(response.status == .unprocessableContent)
                let error = try #require(try jsonObject(String(buffer: response.body))["error"] as? [String: Any])
                #expect(error["field"] as? String == "plate")
                #expect((error["reason"] as? String)?.isEmpty == false)
            }
            // A fuel the vehicle schema does not know: 422 naming the fuel field, from the decoder.
            try await client.post("/api/checkin", json: #"{"plate": "鲁G12345", "fuel": "steam"}"#, cookie: cookie) { response in
                #expect(response.status == .unprocessableContent)
                let error = try #require(try jsonObject(String(buffer: response.body))["error"] as? [String: Any])
                #expect(error["field"] as? String == "fuel")
            }
            try await client.post("/api/checkin", json: "not json", cookie: cookie) { response in
                #expect(response.status == .badRequest)
            }
            // The form's flat fields: checked in under the canonical plate, a driver drawn.
            let number = try await client.post(
                "/api/checkin", json: #"{"plate": "鲁g12345", "category": "M1", "fuel": "gasoline", "axles": 2}"#,
                cookie: cookie
            ) { response in
                #expect(response.status == .ok)
                let ticket = try jsonObject(String(buffer: response.body))
                #expect(ticket["plate"] as? String == "鲁G·12345")
                #expect(ticket["driver"] as? String != nil)
                return try #require(ticket["queue_number"] as? Int)
            }
            // Reassign needs a reason (422, field reason); with one it is journaled and answers the ticket.
            try await client.post("/api/queue/\(number)/reassign", json: "{}", cookie: cookie) { response in
                #expect(response.status == .unprocessableContent)
                let error = try #require(try jsonObject(String(buffer: response.body))["error"] as? [String: Any])
                #expect(error["field"] as? String == "reason")
            }
            try await client.post("/api/queue/abc/reassign", json: #"{"reason": "x"}"#, cookie: cookie) { response in
                #expect(response.status == .badRequest)
            }
            let reassigned = try await client.post(
                "/api/queue/\(number)/reassign", json: #"{"reason": "driver feels unwell"}"#, cookie: cookie
            ) { response in
                #expect(response.status == .ok)
                return try jsonObject(String(buffer: response.body))
            }
            #expect(reassigned["queue_number"] as? Int == number)
            // Nothing to abort on an idle lane; an unknown lane is 404.
            try await client.post("/api/lanes/L1/abort", json: #"{"reason": "test"}"#, cookie: cookie) { response in
                #expect(response.status == .conflict)
            }
            try await client.post("/api/lanes/L9/call-next", json: "{}", cookie: cookie) { response in
                #expect(response.status == .notFound)
                let error = try #require(try jsonObject(String(buffer: response.body))["error"] as? [String: Any])
                #expect(error["field"] as? String == "lane")
            }
            // Closing (the vehicle's key was not collected: it is withdrawn) reveals the seed under the same commitment.
            let closed = try await client.post("/api/shift/close", json: "{}", cookie: cookie) { response in
                #expect(response.status == .ok)
                return try jsonObject(String(buffer: response.body))
            }
            #expect(closed["state"] as? String == "closed")
            #expect(closed["closed_by"] as? String == "op1")
            #expect(closed["seed_commitment"] as? String == commitment)
            let seed = try #require(closed["seed"] as? String)
            #expect(!seed.isEmpty && seed.allSatisfy(\.isHexDigit))
            // A closed shift takes no check-in.
            try await client.post("/api/checkin", json: #"{"plate": "鲁G54321"}"#, cookie: cookie) { response in
                #expect(response.status == .conflict)
            }
        }
    }

    @Test func metricsCarryQueueLanesDriversAndShift() async throws {
        let station = try await ConsoleStation()
        _ = try station.controller.openShift(by: "op1")
        var vehicle = Vehicle(plate: "鲁G54321")
        vehicle.category = "M1"
        _ = try station.controller.checkIn(CheckInRequest(vehicle: vehicle), by: "op1")
        try await station.app().test(.router) { client in
            try await client.get("/metrics", cookie: nil) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("lane_queue_length 1\n"))
                #expect(text.contains("lane_shift_open 1\n"))
                #expect(text.contains(#"lane_state{lane="L1",state="idle",run=""} 1"#))
                #expect(text.contains(#"lane_drivers{state="assigned"} 1"#))
                #expect(text.contains("# TYPE lane_inspections_last_hour gauge"))
            }
        }
    }

    /// Opens a shift, checks a vehicle in and walks its drawn driver through the handheld prompts until a lane
    /// calls it.
    static func bringAVehicleToTheEntry(_ controller: StationController, plate: String, category: String) throws {
        if controller.shift()?.state != "open" { _ = try controller.openShift(by: "op1") }
        var vehicle = Vehicle(plate: plate)
        vehicle.category = category
        vehicle.fuel = .gasoline
        vehicle.axles = 2
        let ticket = try controller.checkIn(CheckInRequest(vehicle: vehicle), by: "op1")
        let driver = try #require(ticket.driver.map { DriverID(rawValue: $0) }, "a driver is drawn at once")
        for _ in 0..<6 {
            if controller.snapshot().lanes.contains(where: { $0.calledPlate != nil }) { return }
            guard let task = controller.task(for: driver), task.expectsAcknowledgement else { return }
            _ = try controller.acknowledge(
                driver: driver, promptID: task.promptID, plate: task.needsPlateConfirmation ? task.plate : nil)
        }
    }
}
