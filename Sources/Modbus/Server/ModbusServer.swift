import LaneCore
import CModbus
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A Modbus server (TCP or RTU) over libmodbus, serving one or more unit ids from in-memory tables:
/// the transport of the simulated rigs.
///
/// The server owns one OS thread that accepts connections and answers requests (`poll` over every client,
/// `modbus_receive` + `modbus_reply`). A simulation thread reads and writes the tables through
/// ``withTables(unit:_:)`` while the server runs. Firmware injects faults with ``setFaultHandler(_:)`` and
/// reacts to the controller's writes with ``setWriteHandler(_:)``.
///
/// ```swift
/// let server = try ModbusServer(units: [1: .init(coils: 0..<4, holdingRegisters: 0..<32)])
/// server.start()
/// server.withTables(unit: 1) { $0.setRegister(.holding, 3, 4242) }
/// // clients connect to 127.0.0.1:server.port
/// server.stop()
/// ```
public final class ModbusServer: @unchecked Sendable {
    // safe: `context`, `listenSocket`, `serialSocket` and the connection list are used only by the server
    // thread once `start()` has run; tables and handlers sit behind `shared`.

    /// The address clients use to reach this server.
    public let transport: ModbusTransport
    /// The TCP port the server listens on (chosen by the system when created with port 0); 0 for RTU.
    public let port: Int

    private let context: OpaquePointer
    private let isTCP: Bool
    private let listenSocket: Int32
    private let serialSocket: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let stopping = Atomic<Bool>(false)
    private let wakeUps = Atomic<Int>(0)
    private let shared: Mutex<Shared>
    private let threadBox = Mutex<OSThread?>(nil)

    private struct Shared: @unchecked Sendable {  // safe: the mappings are only touched under the mutex
        var mappings: [UInt8: UnsafeMutablePointer<modbus_mapping_t>]
        var fault: (@Sendable (Request) -> Fault)?
        var write: (@Sendable (Write) -> Void)?
        var statistics = Statistics()
    }

    /// Creates a Modbus TCP server listening now (so ``port`` is known before ``start()``).
    /// - Parameters:
    ///   - host: Address to listen on; loopback by default.
    ///   - port: TCP port; 0 lets the system choose (read it back from ``port``).
    ///   - units: The unit ids served and each one's tables.
    ///   - backlog: Pending connections the kernel queues.
    public init(host: String = "127.0.0.1", port: Int = 0, units: [UInt8: Layout], backlog: Int = 16) throws(ModbusError) {
        let link = "tcp \(host):\(port)"
        guard let ctx = modbus_new_tcp(host, Int32(port)) else {
            throw ModbusError(code: .init(rawValue: errno), operation: "modbus_new_tcp", link: link)
        }
        // A client that stops in the middle of a request holds the one server thread up to this long.
        modbus_set_byte_timeout(ctx, 0, 100_000)
        let socket = modbus_tcp_listen(ctx, Int32(backlog))
        if socket == -1 {
            let code = errno
            modbus_free(ctx)
            throw ModbusError(code: .init(rawValue: code), operation: "modbus_tcp_listen", link: link,
                              detail: "is the port already in use?")
        }
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        let bound = Int(UInt16(bigEndian: address.sin_port))
        self.port = bound
        self.transport = .tcp(host: host, port: bound)
        self.context = ctx
        self.isTCP = true
        self.listenSocket = socket
        self.serialSocket = -1
        (wakeRead, wakeWrite) = Self.makeWakePipe()
        shared = Mutex(Shared(mappings: try Self.makeMappings(units, link: link, context: ctx)))
    }

    /// Creates a Modbus RTU server on a serial device (opened now).
    /// - Parameters:
    ///   - line: The serial line (a pseudo-terminal in tests).
    ///   - units: The unit ids served on the line and each one's tables.
    public init(serial line: SerialLine, units: [UInt8: Layout]) throws(ModbusError) {
        let link = "rtu \(line)"
        guard let firstUnit = units.keys.min() else {
            throw ModbusError(code: .invalidArgument, operation: "ModbusServer.init", link: link, detail: "no unit ids")
        }
        guard
            let ctx = modbus_new_rtu(
                line.device, Int32(line.baudRate), CChar(UInt8(ascii: line.parity.rawValue.unicodeScalars.first!)),
                Int32(line.dataBits), Int32(line.stopBits))
        else { throw ModbusError(code: .init(rawValue: errno), operation: "modbus_new_rtu", link: link) }
        modbus_set_slave(ctx, Int32(firstUnit))
        if modbus_connect(ctx) == -1 {
            let code = errno
            modbus_free(ctx)
            throw ModbusError(code: .init(rawValue: code), operation: "modbus_connect", link: link,
                              detail: "cannot open the serial device")
        }
        self.port = 0
        self.transport = .rtu(line)
        self.context = ctx
        self.isTCP = false
        self.listenSocket = -1
        self.serialSocket = modbus_get_socket(ctx)
        (wakeRead, wakeWrite) = Self.makeWakePipe()
        shared = Mutex(Shared(mappings: try Self.makeMappings(units, link: link, context: ctx)))
    }

    deinit {
        stop()
        if listenSocket >= 0 { Glibc.close(listenSocket) }
        // On TCP the context only ever borrowed client sockets, all closed by now: without this, modbus_close
        // would close whatever file the process has since opened under that number.
        if isTCP { modbus_set_socket(context, -1) }
        modbus_close(context)
        modbus_free(context)
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
        shared.withLock { state in
            for mapping in state.mappings.values { modbus_mapping_free(mapping) }
            state.mappings = [:]
        }
    }

    // MARK: Life cycle

    /// Starts the server thread. Calling it again does nothing.
    /// - Parameter realTimePriority: Run the thread under `SCHED_FIFO` at this priority (1–99) when the process
    ///   may (root or `CAP_SYS_NICE`); ``statistics`` says whether it was granted. Benchmarks use it so the
    ///   simulated rig, which stands in for separate hardware, is not starved by the machine's other work.
    public func start(realTimePriority: Int? = nil) {
        threadBox.withLock { thread in
            guard thread == nil else { return }
            thread = OSThread(name: isTCP ? "mb-srv-\(port)" : "mb-srv-rtu") { [self] in
                if let realTimePriority {
                    let granted = OSThread.requestRealTime(priority: realTimePriority) == 0
                    shared.withLock { $0.statistics.realTime = granted }
                }
                serve()
            }
        }
    }

    /// Stops the server thread, closes every client connection and waits for the thread to end.
    public func stop() {
        guard let thread = threadBox.withLock({ box -> OSThread? in defer { box = nil }; return box }) else { return }
        stopping.store(true, ordering: .releasing)
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
        thread.join()
        stopping.store(false, ordering: .releasing)
    }

    /// Runs the server until the task is cancelled (for a service's `run()`), then stops it.
    public func run() async {
        start()
        let (stream, continuation) = AsyncStream<Never>.makeStream()
        await withTaskCancellationHandler {
            for await _ in stream {}
        } onCancel: {
            continuation.finish()
        }
        stop()
    }

    // MARK: Data and hooks

    /// Gives `body` the tables of one unit under the server's lock. Keep it short: the server waits meanwhile.
    public func withTables<R>(unit: UInt8, _ body: (ModbusDataTables) throws -> R) rethrows -> R {
        try shared.withLock { state in
            guard let mapping = state.mappings[unit] else {
                preconditionFailure("ModbusServer: unit \(unit) is not served (serving \(state.mappings.keys.sorted()))")
            }
            return try body(ModbusDataTables(mapping: mapping))
        }
    }

    /// The unit ids this server answers.
    public var unitIDs: [UInt8] { shared.withLock { $0.mappings.keys.sorted() } }

    /// Sets the function deciding, per request, whether to answer normally or inject a fault.
    /// It runs on the server thread: return quickly.
    public func setFaultHandler(_ handler: (@Sendable (Request) -> Fault)?) {
        shared.withLock { $0.fault = handler }
    }

    /// Sets the function told about every write after it reached the tables (coil written → start rollers).
    /// It runs on the server thread, outside the lock, so it may call ``withTables(unit:_:)``.
    public func setWriteHandler(_ handler: (@Sendable (Write) -> Void)?) {
        shared.withLock { $0.write = handler }
    }

    /// Counters since the server was created.
    public var statistics: Statistics {
        var statistics = shared.withLock { $0.statistics }
        statistics.wakeUps = wakeUps.load(ordering: .relaxed)
        return statistics
    }

    /// CPU time the server thread has used since ``start(realTimePriority:)``; nil when it is not running.
    /// An idle server blocks in `poll` and uses next to none (tests hold it to that).
    public var threadCPUTime: Duration? { threadBox.withLock { $0?.cpuTime } }

    // MARK: Set-up helpers

    private static func makeWakePipe() -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        precondition(pipe(&fds) == 0, "ModbusServer: pipe() failed: \(String(cString: strerror(errno)))")
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        return (fds[0], fds[1])
    }

    private static func makeMappings(_ units: [UInt8: Layout], link: String, context: OpaquePointer)
        throws(ModbusError) -> [UInt8: UnsafeMutablePointer<modbus_mapping_t>]
    {
        var result: [UInt8: UnsafeMutablePointer<modbus_mapping_t>] = [:]
        for (unit, layout) in units {
            guard
                let mapping = modbus_mapping_new_start_address(
                    UInt32(layout.coils.lowerBound), UInt32(layout.coils.count),
                    UInt32(layout.discreteInputs.lowerBound), UInt32(layout.discreteInputs.count),
                    UInt32(layout.holdingRegisters.lowerBound), UInt32(layout.holdingRegisters.count),
                    UInt32(layout.inputRegisters.lowerBound), UInt32(layout.inputRegisters.count))
            else {
                for m in result.values { modbus_mapping_free(m) }
                modbus_free(context)
                throw ModbusError(code: .init(rawValue: errno), operation: "modbus_mapping_new_start_address",
                                  link: link, unitID: unit)
            }
            result[unit] = mapping
        }
        return result
    }

    // MARK: The server thread

    private struct Connection {
        var fd: Int32
        var id: Int
    }

    private struct Pending {
        var deadline: UInt64
        var connection: Int
        var fd: Int32
        var request: [UInt8]
    }

    /// After a descriptor fails in a way that would make `poll` report it again at once (a serial line whose
    /// other end is gone reports `POLLHUP` forever; `accept` out of file descriptors leaves the connection
    /// queued), the server leaves it out of `poll` this long instead of spinning on it.
    static let failedDescriptorPause: UInt64 = 100_000_000

    private func serve() {
        var connections: [Connection] = []
        var pending: [Pending] = []
        var nextID = 1
        var buffer = [UInt8](repeating: 0, count: Int(MODBUS_MAX_ADU_LENGTH) + 4)
        var fds: [pollfd] = []
        // The listening socket or serial line is left out of `poll` until then (see `failedDescriptorPause`).
        var mainPausedUntil: UInt64 = 0
        defer {
            if isTCP { modbus_set_socket(context, -1) }
            for c in connections { Glibc.close(c.fd) }
            shared.withLock { $0.statistics.openConnections = 0 }
        }
        while !stopping.load(ordering: .acquiring) {
            let now = monotonicNanoseconds()
            let mainPaused = now < mainPausedUntil
            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            // A negative descriptor is skipped by poll.
            fds.append(pollfd(fd: mainPaused ? -1 : (isTCP ? listenSocket : serialSocket), events: Int16(POLLIN), revents: 0))
            for c in connections { fds.append(pollfd(fd: c.fd, events: Int16(POLLIN), revents: 0)) }
            var wakeAt = pending.map(\.deadline).min()
            if mainPaused { wakeAt = min(wakeAt ?? mainPausedUntil, mainPausedUntil) }
            var timeout: Int32 = -1  // idle: block in the kernel until a descriptor is ready
            if let wakeAt {
                timeout = wakeAt <= now ? 0 : Int32(min((wakeAt - now + 999_999) / 1_000_000, 60_000))
            }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            wakeUps.add(1, ordering: .relaxed)
            if ready < 0 && errno != EINTR { break }
            if stopping.load(ordering: .acquiring) { break }
            if ready > 0 {
                if fds[0].revents != 0 { drainWake() }
                let mainEvents = Int32(fds[1].revents)
                if mainEvents != 0 {
                    let failed: Bool
                    if isTCP {
                        failed = !acceptClient(into: &connections, nextID: &nextID)
                    } else {
                        let framed = handleRequest(fd: serialSocket, connection: 0, buffer: &buffer, pending: &pending)
                        // Hang-up or error on the line: poll would report it again at once.
                        failed = !framed && mainEvents & Int32(POLLHUP | POLLERR | POLLNVAL) != 0
                    }
                    if failed {
                        mainPausedUntil = monotonicNanoseconds() &+ Self.failedDescriptorPause
                        shared.withLock { $0.statistics.descriptorPauses += 1 }
                    }
                }
                // Walk the snapshot: a handler may close connections.
                let polled = fds.dropFirst(2).map { ($0.fd, $0.revents) }
                for (fd, revents) in polled where revents != 0 {
                    guard let index = connections.firstIndex(where: { $0.fd == fd }) else { continue }
                    let id = connections[index].id
                    if !handleRequest(fd: fd, connection: id, buffer: &buffer, pending: &pending) {
                        Glibc.close(fd)
                        connections.remove(at: index)
                        pending.removeAll { $0.connection == id }
                        shared.withLock { $0.statistics.openConnections = connections.count }
                    }
                }
            }
            firePending(&pending, connections: connections)
        }
    }

    private func drainWake() {
        var sink = [UInt8](repeating: 0, count: 16)
        while Glibc.read(wakeRead, &sink, sink.count) > 0 {}
    }

    /// Accepts one client. False when `accept` failed in a way that leaves the connection queued (out of file
    /// descriptors or memory), so the listening socket stays readable.
    private func acceptClient(into connections: inout [Connection], nextID: inout Int) -> Bool {
        let fd = accept(listenSocket, nil, nil)
        guard fd >= 0 else {
            switch errno {
            case EINTR, EAGAIN, ECONNABORTED, EPROTO, EPERM: return true  // gone or retried by the next poll
            default: return false
            }
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        connections.append(Connection(fd: fd, id: nextID))
        nextID += 1
        shared.withLock {
            $0.statistics.connectionsAccepted += 1
            $0.statistics.openConnections = connections.count
        }
        return true
    }

    /// Receives and answers one request. Returns false when the TCP connection must be closed, or on a serial
    /// line when no frame could be read.
    @discardableResult
    private func handleRequest(fd: Int32, connection: Int, buffer: inout [UInt8], pending: inout [Pending]) -> Bool {
        let length: Int32
        if isTCP {
            modbus_set_socket(context, fd)
            length = buffer.withUnsafeMutableBufferPointer { modbus_receive(context, $0.baseAddress) }
            if length <= 0 {
                if errno != ECONNRESET { shared.withLock { $0.statistics.badFrames += 1 } }
                return false
            }
        } else {
            // libmodbus's RTU receive serves one unit id and swallows the frame after another unit's request
            // (it expects that unit's reply on the bus), so the server frames RTU requests itself.
            guard let frameLength = readRTUFrame(fd: fd, into: &buffer) else {
                shared.withLock { $0.statistics.badFrames += 1 }
                return false
            }
            length = Int32(frameLength)
        }
        let header = Int(modbus_get_header_length(context))
        guard let request = parse(Array(buffer[0..<Int(length)]), header: header, connection: connection) else {
            shared.withLock { $0.statistics.badFrames += 1 }
            return true
        }
        let (mappingKnown, faultHandler) = shared.withLock { state in
            state.statistics.requests += 1
            return (state.mappings[request.unitID] != nil, state.fault)
        }
        guard mappingKnown else {
            // A TCP gateway says "target did not answer"; on a serial bus nobody answers.
            if isTCP { replyException(.gatewayTargetFailedToRespond, buffer, fd: fd) }
            return true
        }
        let fault = faultHandler?(request) ?? .none
        if fault != .none { shared.withLock { $0.statistics.faults += 1 } }
        switch fault {
        case .none:
            reply(Array(buffer[0..<Int(length)]), request: request, fd: fd)
        case .noReply:
            break
        case .delay(let delay):
            pending.append(
                Pending(
                    deadline: monotonicNanoseconds() &+ UInt64(max(delay.nanosecondsTotal, 0)), connection: connection,
                    fd: fd, request: Array(buffer[0..<Int(length)])))
        case .exception(let code):
            replyException(code, buffer, fd: fd)
        case .dropConnection:
            return !isTCP
        case .garbage(let bytes):
            _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        return true
    }

    private func reply(_ request: [UInt8], request parsed: Request, fd: Int32) {
        modbus_set_socket(context, fd)
        let write = shared.withLock { state -> (@Sendable (Write) -> Void)? in
            guard let mapping = state.mappings[parsed.unitID] else { return nil }
            if !isTCP { modbus_set_slave(context, Int32(parsed.unitID)) }
            let rc = modbus_reply(context, request, Int32(request.count), mapping)
            if rc >= 0 { state.statistics.replies += 1 }
            return state.write
        }
        guard parsed.function.isWrite, let write else { return }
        let table: RegisterTable = [0x05, 0x0F].contains(parsed.function.rawValue) ? .coil : .holding
        write(Write(unitID: parsed.unitID, table: table, address: parsed.address, count: parsed.count))
    }

    private func replyException(_ code: ModbusExceptionCode, _ request: [UInt8], fd: Int32) {
        modbus_set_socket(context, fd)
        if !isTCP { modbus_set_slave(context, Int32(request[0])) }
        _ = modbus_reply_exception(context, request, UInt32(code.rawValue))
    }

    private func firePending(_ pending: inout [Pending], connections: [Connection]) {
        guard !pending.isEmpty else { return }
        let now = monotonicNanoseconds()
        let header = Int(modbus_get_header_length(context))
        for item in pending where item.deadline <= now {
            let alive = !isTCP || connections.contains { $0.id == item.connection }
            guard alive, let parsed = parse(item.request, header: header, connection: item.connection) else { continue }
            reply(item.request, request: parsed, fd: item.fd)
        }
        pending.removeAll { $0.deadline <= now }
    }

    /// Reads one RTU request frame (length known from its function code) and checks its CRC.
    private func readRTUFrame(fd: Int32, into buffer: inout [UInt8]) -> Int? {
        var have = 0
        func fill(to count: Int) -> Bool {
            while have < count {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                // A frame arrives in one burst; a silence of 100 ms inside it means a broken frame.
                guard poll(&pfd, 1, have == 0 ? 0 : 100) > 0 else { return false }
                let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + have, count - have) }
                if n <= 0 { return false }
                have += n
            }
            return true
        }
        guard fill(to: 2) else { return nil }
        let length: Int
        switch buffer[1] {
        case 0x01...0x06: length = 8
        case 0x0F, 0x10:
            guard fill(to: 7) else { return nil }
            length = 9 + Int(buffer[6])
        case 0x16: length = 10
        case 0x17:
            guard fill(to: 11) else { return nil }
            length = 13 + Int(buffer[10])
        default:
            tcflush(fd, TCIFLUSH)  // unknown function: cannot find the frame's end, resync on silence
            return nil
        }
        guard length <= buffer.count, fill(to: length), rtuCRCIsValid(buffer, length) else {
            tcflush(fd, TCIFLUSH)
            return nil
        }
        return length
    }

    private func parse(_ frame: [UInt8], header: Int, connection: Int) -> Request? {
        guard frame.count >= header + 5 else { return nil }
        let unit = frame[header - 1]
        let function = FunctionCode(rawValue: frame[header])
        let address = Int(frame[header + 1]) << 8 | Int(frame[header + 2])
        let count =
            switch function.rawValue {
            case 0x05, 0x06: 1
            default: Int(frame[header + 3]) << 8 | Int(frame[header + 4])
            }
        return Request(unitID: unit, function: function, address: address, count: count, connection: connection)
    }
}

// MARK: RTU frames for other unit ids

/// Checks the Modbus CRC-16 (polynomial 0xA001, low byte first) of an RTU frame.
private func rtuCRCIsValid(_ frame: [UInt8], _ length: Int) -> Bool {
    var crc: UInt16 = 0xFFFF
    for byte in frame[0..<(length - 2)] {
        crc ^= UInt16(byte)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
    }
    return frame[length - 2] == UInt8(crc & 0xFF) && frame[length - 1] == UInt8(crc >> 8)
}
