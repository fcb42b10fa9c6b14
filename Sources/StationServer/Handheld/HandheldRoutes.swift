import Foundation
import Hummingbird
import GRDB
import Journal
import LaneCore
import StationControl

/// The driver's handheld API. The driver is always the signed-in account's linked driver: no route reads a
/// driver id from the request, so a driver can see and acknowledge only their own task.
enum HandheldRoutes {
    /// `POST /api/handheld/ack` body. Other keys (a `driver`) are ignored.
    struct AckRequest: Decodable {
        var promptId: String
        var plate: String?

        enum CodingKeys: String, CodingKey {
            case promptId = "prompt_id"
            case plate
        }
    }

    static func add(to router: Router<StationRequestContext>, controller: StationController, auth: StationAuth) {
        router.get("/api/handheld/task") { _, context in
            let (user, driver) = try signedInDriver(context)
            return StationRoutes.json(HandheldView(user: user, driver: driver, task: controller.task(for: driver), controller: controller))
        }
        router.post("/api/handheld/ack") { request, context in
            let (user, driver) = try signedInDriver(context)
            let body: AckRequest
            do {
                body = try await request.decode(as: AckRequest.self, context: context)
            } catch {
                throw HTTPError(
                    .badRequest, message: "the body must be JSON {\"prompt_id\": \"…\", \"plate\": \"…\"} (\(error)) / 请求体须为 JSON：prompt_id 与 plate")
            }
            do {
                let next = try controller.acknowledge(driver: driver, promptID: body.promptId, plate: body.plate)
                return StationRoutes.json(HandheldView(user: user, driver: driver, task: next, controller: controller))
            } catch {
                // A prompt id that belongs to another driver is refused as forbidden and journaled; the controller
                // only knows it is not this driver's current prompt.
                if let owner = owner(of: body.promptId, controller: controller, journal: auth.journal), owner != driver.rawValue {
                    auth.journalRefusal(
                        of: user, action: "handheld.ack prompt \(body.promptId)",
                        reason: "prompt belongs to driver \(owner)")
                    throw HTTPError(
                        .forbidden,
                        message: "prompt \(body.promptId) is not yours (\(driver)); the attempt was recorded / 该提示不属于您，已记录")
                }
                throw error
            }
        }
    }

    /// The signed-in driver and their roster id; 401/403 otherwise.
    static func signedInDriver(_ context: StationRequestContext) throws -> (StationUser, DriverID) {
        let user = try context.require(.driver)
        guard let driver = user.driver else {
            throw HTTPError(.forbidden, message: "account \(user.id) is not linked to a driver of the roster / 账号未关联驾驶员")
        }
        return (user, driver)
    }

    /// The driver a prompt was issued to: a current task's, else the journal's `prompts` row.
    static func owner(of promptID: String, controller: StationController, journal: Journal?) -> String? {
        if let current = controller.snapshot().drivers.first(where: { $0.task?.promptID == promptID }) { return current.id }
        return try? journal?.read { db in
            try String.fetchOne(db, sql: "SELECT recipient FROM prompts WHERE id = ?", arguments: [promptID])
        }
    }
}
