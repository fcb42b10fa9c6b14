import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import LaneCore
import LaneTesting
import Logging
import NIOCore
import StationControl
import StationServer
import StationTesting
import Testing
import Valet

@Suite(.timeLimit(.minutes(5)))
struct HandheldTests {
    /// A controller with an open shift and one vehicle checked in (a driver drawn to collect its key), journaled.
    struct Station {
        let journal: Journal
        let controller: StationController
        let auth: StationAuth
        let plate = "鲁G·12345"

        var app: some ApplicationProtocol {
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            let (stream, _) = AsyncStream.makeStream(of: Sample.self)
            let hub = LiveHub(profile: controller.profile, pollers: [], samples: stream)
            return StationRoutes.application(
                hub: hub, auth: auth, controller: controller, host: "127.0.0.1", port: 0, logger: logger)
        }

        /// The driver holding a task, and one who has none.
        func drivers() throws -> (busy: DriverID, idle: DriverID) {
            let ids = controller.profile.drivers.map(\.id)
            let busy = try #require(ids.first { controller.task(for: $0) != nil })
            let idle = try #require(ids.first { controller.task(for: $0) == nil })
            return (busy, idle)
        }
    }

    func withStation(_ body: (Station) async throws -> Void) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let journal = try Journal(path: folder.url.appendingPathComponent("station.sqlite").path, now: WallTime(Date()))
        defer { try? journal.close() }
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let profile = try demoProfile()
        let controller = StationController(
            profile: profile, journal: journal, seed: ShiftSeed.forSimulation(3), commands: { _ in }, logger: logger)
        defer { controller.stopJournal() }
        _ = try controller.openShift(by: "op1")
        _ = try controller.checkIn(TestVehicles.car("鲁G·12345", scenario: "sound_car"), by: "op1")
        let auth = try await makeAuth(journal: journal)
        try await body(Station(journal: journal, controller: controller, auth: auth))
    }

    @Test func aDriverSeesOnlyTheirOwnTaskAndAcknowledgesItWithThePlate() async throws {
        try await withStation { station in
            let (busy, idle) = try station.drivers()
            let prompt = try #require(station.controller.task(for: busy)).promptID
            try await station.app.test(.router) { client in
                let busyCookie = try await client.signIn(busy.rawValue)
                let idleCookie = try await client.signIn(idle.rawValue)
                try await client.get("/api/handheld/task", cookie: busyCookie) { r in
                    #expect(r.status == .ok)
                    let body = try jsonObject(String(buffer: r.body))
                    let task = try #require(body["task"] as? [String: Any])
                    #expect(task["prompt_id"] as? String == prompt)
                    #expect(task["step"] as? String == "collect_key")
                    #expect(task["plate"] as? String == station.plate)
                    #expect(task["confirm_plate"] as? Bool == true)
                    #expect((task["plate_choices"] as? [String])?.contains(station.plate) == true)
                    #expect((task["text_zh"] as? String)?.isEmpty == false && (task["next_en"] as? String)?.isEmpty == false)
                }
                // The other driver sees nothing, even when asking for the busy driver by name.
                try await client.get("/api/handheld/task?driver=\(busy.rawValue)", cookie: idleCookie) { r in
                    #expect(r.status == .ok)
                    let body = try jsonObject(String(buffer: r.body))
                    #expect(body["task"] is NSNull || body["task"] == nil)
                    #expect((body["me"] as? [String: Any])?["driver"] as? String == idle.rawValue)
                }
                // Without the plate, the key is not handed over.
                try await client.post("/api/handheld/ack", json: #"{"prompt_id": "\#(prompt)"}"#, cookie: busyCookie) { r in
                    #expect(r.status == .unprocessableContent)
                    let error = try #require(try jsonObject(String(buffer: r.body))["error"] as? [String: Any])
                    #expect(error["code"] as? String == "plate_required")
                    #expect(error["field"] as? String == "plate")
                }
                try await client.post(
                    "/api/handheld/ack", json: #"{"prompt_id": "\#(prompt)", "plate": "\#(station.plate)"}"#, cookie: busyCookie
                ) { r in
                    #expect(r.status == .ok)
                    let task = try #require(try jsonObject(String(buffer: r.body))["task"] as? [String: Any])
                    #expect(task["step"] as? String == "drive_to_lane")
                    #expect(task["prompt_id"] as? String != prompt)
                }
                // A handheld resending after a dropped connection gets the current task back, not an error.
                try await client.post(
                    "/api/handheld/ack", json: #"{"prompt_id": "\#(prompt)", "plate": "\#(station.plate)"}"#, cookie: busyCookie
                ) { r in
                    #expect(r.status == .ok)
                    let task = try #require(try jsonObject(String(buffer: r.body))["task"] as? [String: Any])
                    #expect(task["step"] as? String == "drive_to_lane")
                }
            }
        }
    }

    @Test func anotherDriversPromptIsRefusedWith403AndJournaledAndLeavesTheTaskAlone() async throws {
        try await withStation { station in
            let (busy, idle) = try station.drivers()
            let prompt = try #require(station.controller.task(for: busy)).promptID
            try await station.app.test(.router) { client in
                let idleCookie = try await client.signIn(idle.rawValue)
                // Naming the other driver in the body changes nothing: the driver is the signed-in account's.
                let json = #"{"prompt_id": "\#(prompt)", "plate": "\#(station.plate)", "driver": "\#(busy.rawValue)"}"#
                try await client.post("/api/handheld/ack", json: json, cookie: idleCookie) { r in
                    #expect(r.status == .forbidden)
                    #expect(String(buffer: r.body).contains("not yours"))
                }
                // A prompt id nobody was given is a conflict, not a refusal.
                try await client.post("/api/handheld/ack", json: #"{"prompt_id": "no-such-prompt"}"#, cookie: idleCookie) { r in
                    #expect(r.status == .conflict)
                }
                // Staff cannot act as a driver either.
                let operatorCookie = try await client.signIn("op1")
                try await client.post("/api/handheld/ack", json: #"{"prompt_id": "\#(prompt)"}"#, cookie: operatorCookie) { r in
                    #expect(r.status == .forbidden)
                }
                try await client.get("/api/handheld/task", cookie: operatorCookie) { r in #expect(r.status == .forbidden) }
                try await client.get("/api/handheld/task", cookie: nil) { r in #expect(r.status == .unauthorized) }
            }
            #expect(station.controller.task(for: busy)?.promptID == prompt, "the owner's task is unchanged")
            let refusals = try station.journal.entries().filter { $0.kind.rawValue == "auth.forbidden" }
            #expect(refusals.count == 1)
            let refusal = try jsonObject(try #require(refusals.first).payload)
            #expect(refusal["account"] as? String == idle.rawValue)
            #expect((refusal["reason"] as? String)?.contains(busy.rawValue) == true)
            #expect(try #require(refusals.first).actor == idle.rawValue)
        }
    }

    @Test func aPastPromptOfAnotherDriverIsRefusedFromTheJournal() async throws {
        try await withStation { station in
            let (busy, idle) = try station.drivers()
            let prompt = try #require(station.controller.task(for: busy)).promptID
            _ = try station.controller.acknowledge(driver: busy, promptID: prompt, plate: station.plate)
            station.controller.flushJournal()
            try await station.app.test(.router) { client in
                let idleCookie = try await client.signIn(idle.rawValue)
                try await client.post("/api/handheld/ack", json: #"{"prompt_id": "\#(prompt)"}"#, cookie: idleCookie) { r in
                    #expect(r.status == .forbidden)
                }
            }
        }
    }
}
