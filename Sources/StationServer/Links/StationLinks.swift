public import LaneCore
import Modbus
public import Rigs

/// The one place where a lane profile's rigs become the poller's links.
///
/// Rigs that share a physical link (the same TCP endpoint or serial device, ``Transport/linkKey``) share one
/// ``LinkConfiguration`` and so one poll thread, polled in profile order under their unit ids. The link polls
/// at the fastest period asked for by any of its rigs, waits for a reply up to the longest response timeout,
/// and asks for `SCHED_FIFO` at the highest real-time priority asked for (0 or none: normal scheduling).
///
/// `lanectl demo` passes the ports its in-process simulated rigs were given (profiles say port 0 for
/// them); `lanectl run` and `lanectl poll` pass none and use the profile's endpoints as written.
public enum StationLinks {
    /// The link configurations for every rig of `profile`.
    /// - Parameters:
    ///   - profile: The lane profile.
    ///   - ports: TCP ports that replace a rig's profile port (the bound ports of simulated rigs).
    ///   - only: Restrict to these rigs (nil: every rig).
    /// - Throws: ``StationLinksError`` when a TCP rig still has port 0 (nothing to connect to).
    public static func configurations(
        for profile: LaneProfile, ports: [RigID: Int] = [:], only: Set<RigID>? = nil
    ) throws(StationLinksError) -> [LinkConfiguration] {
        var groups: [(key: String, transport: ModbusTransport, rigs: [LaneCore.StationRig])] = []
        for rig in profile.rigs where only?.contains(rig.id) ?? true {
            let transport: ModbusTransport
            switch rig.transport {
            case .tcp(let host, let port):
                let actual = ports[rig.id] ?? port
                guard actual > 0 else { throw StationLinksError.unresolvedPort(rig: rig.id, profile: profile.source) }
                transport = .tcp(host: host, port: actual)
            case .rtu(let line):
                transport = .rtu(SerialLine(
                    device: line.device, baudRate: line.baud, parity: SerialLine.Parity(line.parity),
                    dataBits: line.dataBits, stopBits: line.stopBits))
            }
            let key = transport.description
            if let index = groups.firstIndex(where: { $0.key == key }) {
                groups[index].rigs.append(rig)
            } else {
                groups.append((key, transport, [rig]))
            }
        }
        return groups.map { group in
            let period = group.rigs.map(\.pollPeriod).min() ?? .milliseconds(100)
            let timeout = group.rigs.map(\.responseTimeout).max()
            let byteTimeout = group.rigs.map(\.byteTimeout).max()
            let priority = group.rigs.compactMap(\.realtimePriority).filter { $0 > 0 }.max()
            // The strictest rig on the link sets the link's tolerance (a rig that sets none: a quarter of its period).
            let tolerance = group.rigs.map { $0.deadlineTolerance ?? $0.pollPeriod / 4 }.min().map { min($0, period) }
            let name = group.rigs.count == 1 ? group.rigs[0].id.rawValue : group.key
            return LinkConfiguration(
                name: name, transport: group.transport,
                rigs: group.rigs.map { Rigs.RigConfiguration(rig: $0.id, unitID: UInt8(clamping: $0.unitID), map: $0.map) },
                period: period, responseTimeout: timeout, byteTimeout: byteTimeout, deadlineTolerance: tolerance,
                realTimePriority: priority)
        }
    }
}

/// Why a profile's rigs could not be mapped to links.
public enum StationLinksError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A TCP rig has port 0 and no simulated rig supplied one.
    case unresolvedPort(rig: RigID, profile: String?)

    public var description: String {
        switch self {
        case .unresolvedPort(let rig, let profile):
            "rig \(rig) in \(profile ?? "the profile") has TCP port 0, which only `lanectl demo` (simulated rigs) can fill in; "
                + "give the rig's real port in the profile / 机台 \(rig) 的 TCP 端口为 0，只有模拟演示可自动分配；请在配置文件中填写实际端口"
        }
    }
}

extension SerialLine.Parity {
    init(_ parity: SerialLineSettings.Parity) {
        self = switch String(parity.letter) {
        case "E": .even
        case "O": .odd
        default: .none
        }
    }
}
