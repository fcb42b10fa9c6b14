public import LaneCore

/// A command the poller refused before sending it.
public struct RigCommandError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why it was refused.
    public struct Code: Hashable, Sendable {
        let rawValue: Int
        /// No rig with this id on the link.
        public static let unknownRig = Code(rawValue: 1)
        /// The rig's register map has no command with this name.
        public static let unknownCommand = Code(rawValue: 2)
        /// The value does not fit the command's register type after scale and offset.
        public static let valueOutOfRange = Code(rawValue: 3)
        /// The link's command queue is full (the link thread is not keeping up or not running).
        public static let queueFull = Code(rawValue: 4)
    }

    /// Why.
    public var code: Code
    /// The command.
    public var command: RigCommand
    /// The link it was sent to.
    public var link: String

    /// What was wrong and what to do, English then Chinese.
    public var description: String {
        let what = "command \(command.name)=\(command.value) for rig \(command.rig) on link \(link)"
        switch code {
        case .unknownRig:
            return "Refused \(what): the rig is not on this link; check the lane profile. / 拒绝命令：该链路上没有此设备，请检查车道配置。"
        case .unknownCommand:
            return "Refused \(what): the rig's register map has no such command. / 拒绝命令：寄存器表中没有此命令。"
        case .valueOutOfRange:
            return "Refused \(what): the value does not fit the command's register. / 拒绝命令：数值超出寄存器范围。"
        default:
            return "Refused \(what): the command queue is full; is the link running? / 拒绝命令：命令队列已满，链路是否在运行？"
        }
    }
}
