import LaneCore
import StationControl

/// What `GET /api/handheld/task` answers: the signed-in driver and their current task, shaped for the
/// phone-sized page (texts in both languages, what to do next, plates to tap).
struct HandheldView: Encodable {
    struct Me: Encodable {
        var user: String
        var driver: String
        var name: String
    }

    struct Task: Encodable {
        var promptId: String
        /// The controller's step (`collect_key`, `drive_to_lane`, `station`, `park` …).
        var step: String
        var textZh: String
        var textEn: String
        var plate: String
        var queueNumber: Int
        var lane: String
        var laneName: String?
        var station: String?
        var stationName: String?
        /// The acknowledgement must carry the plate as read off the vehicle.
        var confirmPlate: Bool
        /// False: nothing to press (the rig sees when it is done, or the driver waits to be called).
        var expectsAcknowledgement: Bool
        /// Plates to tap when confirming: this vehicle's and others waiting on the lot, in a stable order.
        var plateChoices: [String]
        var bay: String?
        var inspection: String?
        var issuedAtMs: Int64
        var nextZh: String
        var nextEn: String
    }

    var me: Me
    var task: Task?

    init(user: StationUser, driver: DriverID, task: DriverTask?, controller: StationController) {
        me = Me(user: user.id, driver: driver.rawValue, name: user.name)
        guard let task else {
            self.task = nil
            return
        }
        let lane = controller.profile.lane(LaneID(rawValue: task.lane))
        var choices: [String] = []
        if task.needsPlateConfirmation {
            // The car park holds other vehicles: offer up to three of their plates beside the right one.
            let others = controller.snapshot().queue.map(\.plate).filter { $0 != task.plate }
            var seen = Set<String>()
            let decoys = others.filter { seen.insert($0).inserted }.sorted { Self.mix($0, task.promptID) < Self.mix($1, task.promptID) }
            choices = (Array(decoys.prefix(3)) + [task.plate]).sorted { Self.mix($0, task.promptID) < Self.mix($1, task.promptID) }
        }
        let next = Self.next(task)
        self.task = Task(
            promptId: task.promptID, step: task.step, textZh: task.zh, textEn: task.en, plate: task.plate,
            queueNumber: task.queueNumber, lane: task.lane, laneName: lane?.name, station: task.station,
            stationName: task.station.flatMap(Self.stationName), confirmPlate: task.needsPlateConfirmation,
            expectsAcknowledgement: task.expectsAcknowledgement, plateChoices: choices, bay: task.bay,
            inspection: task.inspection, issuedAtMs: task.issuedAtMs, nextZh: next.zh, nextEn: next.en)
    }

    /// A stable order for the plates of one prompt (FNV-1a of plate and prompt id), so the buttons do not move
    /// between polls and the right plate is not always in the same place.
    static func mix(_ plate: String, _ prompt: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (plate + "|" + prompt).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    static func stationName(_ station: String) -> String? {
        switch station {
        case "emission": "尾气 Emission"
        case "headlamp": "前照灯 Headlamp"
        case "brake": "制动 Brake"
        default: nil
        }
    }

    /// What comes after this step, in both languages.
    static func next(_ task: DriverTask) -> (zh: String, en: String) {
        switch task.step {
        case "collect_key", "wrong_vehicle":
            ("确认车牌后，把车开到 \(task.lane) 线入口。", "After confirming the plate, drive the vehicle to lane \(task.lane)'s entry.")
        case "drive_to_lane": ("到达入口后按确认，然后等候叫号。", "Press confirm at the entry, then wait to be called.")
        case "wait_at_entry": ("等候检测线叫号，无需操作。", "Wait for the lane to call you; nothing to press.")
        case "enter_lane": ("驶入检测线，按屏幕提示逐项检测。", "Drive into the lane and follow each station's prompt.")
        case "station": ("按提示操作；检测完成后驶向下一工位。", "Do as prompted; then drive on to the next station.")
        case "station_done": ("驶向下一工位。", "Drive on to the next station.")
        case "drive_to_exit": ("驶出检测线后按确认，然后去停车。", "Press confirm once out of the lane, then park.")
        case "park":
            ("停入车位 \(task.bay ?? "?") 后按确认，然后交还钥匙。", "Park in bay \(task.bay ?? "?"), press confirm, then return the key.")
        case "return_key": ("交还钥匙后等待新任务。", "Return the key, then wait for your next task.")
        case "inspection_aborted": ("检测已中止：按确认后听从操作员安排。", "The inspection was aborted: confirm, then follow the operator.")
        default: ("按确认继续。", "Press confirm to go on.")
        }
    }
}
