public import LaneCore

/// What the dispatcher asks the station to do after an event. Carried out in order.
public enum DispatchAction: Hashable, Sendable {
    /// Append this entry to the journal (before acting on what follows).
    case journal(DispatchJournalEntry)
    /// A check-in was accepted: tell the owner the queue number.
    case queued(queueNumber: Int, plate: String)
    /// An event was refused: show the reason where it came from.
    case refused(Refusal)
    /// A driver takes a vehicle to a lane.
    case assign(Assignment)
    /// Show this on a driver's handheld.
    case prompt(DriverPrompt)
    /// A driver no longer has the vehicle.
    case release(driver: DriverID, queueNumber: Int, reason: ReleaseReason)
    /// The vehicle goes back to the draw (it is assigned again as soon as a lane and a driver allow).
    case redraw(queueNumber: Int, reason: ReleaseReason)
    /// The key is back: hand the vehicle to its owner.
    case vehicleDone(queueNumber: Int)
}

/// A driver taking a vehicle to a lane.
public struct Assignment: Hashable, Sendable, Codable {
    public var queueNumber: Int
    public var plate: String
    public var lane: LaneID
    public var driver: DriverID
    /// The draw that chose the driver; nil for a manual or first-free assignment.
    public var drawNumber: UInt64?
    /// Confirm the pickup by then or the vehicle is redrawn.
    public var confirmBy: MonotonicInstant
}

/// Why a driver lost a vehicle.
public enum ReleaseReason: String, Hashable, Sendable, Codable {
    case confirmationTimedOut = "confirmation_timed_out"
    case operatorReassigned = "operator_reassigned"
    case withdrawn
}

/// A refused event, with the reason in Chinese and English.
public struct Refusal: Hashable, Sendable, Codable, Error, CustomStringConvertible {
    /// A stable code for programs (`plate`, `vin`, `unknown_driver`, `wrong_state` …).
    public var code: String
    /// Where: the field or the driver or the queue number concerned.
    public var subject: String
    public var zh: String
    public var en: String

    public init(code: String, subject: String, zh: String, en: String) {
        self.code = code
        self.subject = subject
        self.zh = zh
        self.en = en
    }
    public var description: String { "\(code) [\(subject)]: \(en) / \(zh)" }
}

/// A prompt for a driver's handheld. The text is built when asked (`zh`, `en`), so the dispatcher and the
/// simulation do not format strings nobody reads.
public struct DriverPrompt: Hashable, Sendable, Codable {
    /// The steps of the driver's flow.
    public enum Step: String, Hashable, Sendable, Codable {
        case collectKey = "collect_key"
        case driveToLane = "drive_to_lane"
        case waitAtEntry = "wait_at_entry"
        case station
        case driveToExit = "drive_to_exit"
        case park
        case returnKey = "return_key"
        case released
        case wrongVehicle = "wrong_vehicle"
    }
    public var driver: DriverID
    public var step: Step
    public var queueNumber: Int
    public var plate: String
    public var lane: LaneID
    /// The station to work through (`station`).
    public var station: String?
    /// The bay the vehicle was parked in (`return_key`).
    public var bay: String?
    /// Seconds left to confirm the pickup (`collect_key`).
    public var confirmWithinSeconds: Int?
    /// Why the driver lost the vehicle (`released`).
    public var releaseReason: ReleaseReason?

    /// The prompt in Chinese.
    public var zh: String {
        let q = queueNumber
        switch step {
        case .collectKey:
            return "请到前台取 \(q) 号车钥匙，找到车辆 \(plate) 并确认号牌，然后驶往 \(lane) 线。\(confirmWithinSeconds ?? 0) 秒内确认。"
        case .driveToLane: return "已确认 \(plate)。请驶往 \(lane) 线入口。"
        case .waitAtEntry: return "在 \(lane) 线入口等候，信号灯绿灯后驶入。"
        case .station: return "\(DriverPrompt.stationZh(station ?? "")) 工位：按检测线提示操作，完成后确认。"
        case .driveToExit: return "各工位已完成，请驶出检测线。"
        case .park: return "驶出检测线，停入空闲车位并报告车位号。"
        case .returnKey: return "车辆已停入 \(bay ?? "?") 号车位。请将钥匙交回前台。"
        case .wrongVehicle: return "号牌不符！你的车辆是 \(plate)，请找到该车后重新确认。"
        case .released:
            switch releaseReason {
            case .confirmationTimedOut: return "未在规定时间内确认，\(q) 号车已改派。请向调度报到后再接单。"
            case .withdrawn: return "车主已撤回 \(q) 号车（\(plate)），无需取车；如已取钥匙请交回前台。"
            default: return "调度已将 \(q) 号车改派他人。请把钥匙交回前台。"
            }
        }
    }

    /// The prompt in English.
    public var en: String {
        let q = queueNumber
        switch step {
        case .collectKey:
            return "Collect the key of no. \(q) at the desk, find \(plate), confirm its plate, then drive to lane \(lane). "
                + "Confirm within \(confirmWithinSeconds ?? 0) s."
        case .driveToLane: return "\(plate) confirmed. Drive to the entry of lane \(lane)."
        case .waitAtEntry: return "Wait at the entry of lane \(lane); drive in on green."
        case .station: return "Station \(station ?? "?"): follow the lane's prompts, then acknowledge."
        case .driveToExit: return "All stations done: drive out of the lane."
        case .park: return "Leave the lane, park in a free bay and report the bay number."
        case .returnKey: return "Parked in bay \(bay ?? "?"). Return the key to the desk."
        case .wrongVehicle: return "Wrong vehicle! Yours is \(plate); find it and confirm again."
        case .released:
            switch releaseReason {
            case .confirmationTimedOut:
                return "No confirmation in time: no. \(q) goes to another driver. Report to the operator to take work again."
            case .withdrawn: return "The owner withdrew no. \(q) (\(plate)): do not collect it; return the key if you have it."
            default: return "The operator gave no. \(q) to another driver. Return its key to the desk."
            }
        }
    }

    static func stationZh(_ s: String) -> String {
        switch s {
        case "brake": "制动"
        case "headlamp": "前照灯"
        case "emission": "排放"
        case "chassis": "底盘"
        case "speedometer": "车速表"
        case "sideslip": "侧滑"
        default: s
        }
    }
}
