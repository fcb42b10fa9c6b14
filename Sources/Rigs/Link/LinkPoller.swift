public import Histogram
public import LaneCore
public import Logging
import Metrics
import Modbus
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Polls every rig on one physical link from a dedicated OS thread, on absolute deadlines, and hands each
/// reading on as a ``Sample``.
///
/// Each cycle the thread sleeps until its deadline (`clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)`, so a
/// slow cycle never pushes later ones back), writes the commands queued since the last cycle, then reads each
/// rig's register map with as few requests as its ``ReadPlan`` allows and yields one sample per rig to the
/// continuation (`AsyncStream.Continuation` is thread-safe and does not wait for the consumer).
///
/// A rig that does not answer yields `.timedOut` samples (the read timed out) or `.stale` ones (link down,
/// exception, garbage), repeating its last good values, from the first cycle it fails; the link reconnects
/// with back-off by itself and the rig's samples turn `.good` again when it answers.
///
/// As a `Service`, ``run()`` starts the thread and stops and joins it on graceful shutdown or cancellation.
public final class LinkPoller: Service, Sendable {
    /// The link and its rigs.
    public let configuration: LinkConfiguration

    private let plans: [ReadPlan]
    private let samples: AsyncStream<Sample>.Continuation
    private let logger: Logger
    private let shared: Mutex<Shared>
    private let stopRequested = Atomic<Bool>(false)
    private let lifecycle = Mutex<Lifecycle>(Lifecycle())
    private let missedCounter: Counter
    private let failureCounters: [Counter]

    static let commandQueueLimit = 64

    private struct Shared: Sendable {
        var commands: [RigCommand] = []
        var rigs: [RigStatistics]
        var periodError = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var cycleTime = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var cycles: UInt64 = 0
        var missed: UInt64 = 0
        var skipped: UInt64 = 0
        var reconnects = 0
        var failedConnects = 0
        var realTime: RealTimeStatus
        var commandsRetained = 0
    }

    private struct Lifecycle: ~Copyable {
        var thread: OSThread?
        var exited = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Creates a poller for one link; nothing runs until ``start()`` or ``run()``.
    /// - Parameters:
    ///   - configuration: The link, its rigs, period and timeouts.
    ///   - samples: Where samples go (make it with `AsyncStream.makeStream(of: Sample.self, bufferingPolicy:
    ///     .bufferingNewest(…))` so a slow consumer drops old samples instead of growing memory).
    ///   - logger: Logger; the poller adds `link.name`.
    public init(configuration: LinkConfiguration, samples: AsyncStream<Sample>.Continuation, logger: Logger) {
        self.configuration = configuration
        self.plans = configuration.rigs.map { ReadPlan(map: $0.map, maximumGap: configuration.maximumReadGap) }
        self.samples = samples
        var logger = logger
        logger[metadataKey: "link.name"] = "\(configuration.name)"
        self.logger = logger
        let rigs = configuration.rigs.map {
            RigStatistics(
                rig: $0.rig, unitID: $0.unitID, polls: 0, good: 0, outOfRange: 0, timeouts: 0, failures: 0,
                commandsWritten: 0, commandFailures: 0, online: false, lastError: nil)
        }
        self.shared = Mutex(
            Shared(rigs: rigs, realTime: RealTimeStatus(requestedPriority: configuration.realTimePriority, granted: false)))
        self.missedCounter = Counter(label: "lane.link.deadlines.missed", dimensions: [("link.name", configuration.name)])
        self.failureCounters = configuration.rigs.map {
            Counter(label: "lane.rig.poll.failures", dimensions: [("rig.id", $0.rig.rawValue)])
        }
    }

    // MARK: Life cycle

    /// Runs the poller until graceful shutdown or cancellation, then stops and joins its thread.
    public func run() async throws {
        start()
        try? await gracefulShutdown()
        await stop()
    }

    /// Starts the link thread (once; later calls do nothing).
    public func start() {
        lifecycle.withLock { state in
            guard state.thread == nil, !state.exited else { return }
            state.thread = OSThread(name: "link-\(configuration.name)") { [self] in
                loop()
                let waiters = lifecycle.withLock { state in
                    state.exited = true
                    defer { state.waiters = [] }
                    return state.waiters
                }
                for waiter in waiters { waiter.resume() }
            }
        }
    }

    /// Asks the thread to stop after its current cycle, waits for it without blocking the caller's thread,
    /// and joins it. The sample stream is not finished (several links may share one).
    public func stop() async {
        stopRequested.store(true, ordering: .releasing)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = lifecycle.withLock { state -> Bool in
                if state.exited || state.thread == nil { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
        let thread = lifecycle.withLock { state -> OSThread? in
            defer { state.thread = nil }
            return state.thread
        }
        thread?.join()
    }

    // MARK: Commands and statistics

    /// Queues a command; the link thread writes it at the start of its next cycle (within one period).
    public func submit(_ command: RigCommand) throws(RigCommandError) {
        guard let rig = configuration.rigs.first(where: { $0.rig == command.rig }) else {
            throw RigCommandError(code: .unknownRig, command: command, link: configuration.name)
        }
        guard let spec = rig.map.command(command.name) else {
            throw RigCommandError(code: .unknownCommand, command: command, link: configuration.name)
        }
        if spec.table != .coil {
            let raw = (command.value - spec.offset) / (spec.scale == 0 ? 1 : spec.scale)
            guard (try? RegisterCodec.encode(raw, as: spec.type)) != nil else {
                throw RigCommandError(code: .valueOutOfRange, command: command, link: configuration.name)
            }
        }
        let accepted = shared.withLock { state -> Bool in
            guard state.commands.count < Self.commandQueueLimit else { return false }
            state.commands.append(command)
            return true
        }
        if !accepted { throw RigCommandError(code: .queueFull, command: command, link: configuration.name) }
    }

    /// A snapshot of the link's live statistics.
    public func statistics() -> LinkStatistics {
        shared.withLock { s in
            LinkStatistics(
                name: configuration.name, transport: configuration.transport.description, period: configuration.period,
                realTime: s.realTime, cycles: s.cycles, missedDeadlines: s.missed, skippedCycles: s.skipped,
                reconnects: s.reconnects, failedConnects: s.failedConnects, periodError: s.periodError.summary,
                cycleTime: s.cycleTime.summary, rigs: s.rigs, commandsRetained: s.commandsRetained)
        }
    }

    /// CPU time the link thread has used since it started; nil when it is not running. The thread sleeps to each
    /// deadline, so it uses a small fraction of the wall time (tests hold it to that).
    public var threadCPUTime: Duration? { lifecycle.withLock { $0.thread?.cpuTime } }

    /// The raw histogram of period errors in nanoseconds (for merging several links in a benchmark).
    public func periodErrorHistogram() -> Histogram<UInt64> { shared.withLock { $0.periodError } }

    // MARK: The link thread

    private struct RigState {
        var sequence: UInt64 = 0
        var lastGood: [Double]
        var values: [Double]
        var words: [[UInt16]]
        var online = false
        var everOnline = false
    }

    private func loop() {
        requestRealTime()
        let client: ModbusClient
        do {
            client = try ModbusClient(
                ModbusClientConfiguration(
                    transport: configuration.transport, responseTimeout: configuration.responseTimeout,
                    byteTimeout: configuration.byteTimeout, defaultUnitID: configuration.rigs.first?.unitID ?? 1,
                    reconnect: configuration.reconnect))
        } catch {
            logger.error("Link cannot be created", metadata: ["error": "\(error)"])
            return
        }
        var rigs = zip(configuration.rigs, plans).map { rig, plan in
            RigState(
                lastGood: Array(repeating: .nan, count: rig.map.channels.count),
                values: Array(repeating: .nan, count: rig.map.channels.count),
                words: plan.reads.map { Array(repeating: 0, count: $0.count) })
        }
        let period = UInt64(max(configuration.period.nanosecondsTotal, 100_000))  // 10 kHz at most
        let tolerance = UInt64(max(configuration.deadlineTolerance.nanosecondsTotal, 0))
        // Deadlines on a grid (k × period + phase), so staggered links keep their distance.
        let phase = UInt64(max(configuration.phase.nanosecondsTotal, 0)) % period
        let now = monotonicNanoseconds()
        var deadline = (now / period + 1) * period + phase
        var pendingCommands: [RigCommand] = []
        // Writes of a command's safe value that failed: written again each cycle until the rig takes them.
        var retained: [RigCommand] = []
        var writing: [(command: RigCommand, retry: Bool)] = []
        var skippedBefore = false  // cycles were skipped just before this one: its samples follow a gap
        while !stopRequested.load(ordering: .acquiring) {
            sleep(until: deadline)
            if stopRequested.load(ordering: .acquiring) { break }
            let woke = monotonicNanoseconds()
            let lateness = woke > deadline ? woke - deadline : 0
            let late = lateness > tolerance
            let missed = late || skippedBefore

            pendingCommands.removeAll(keepingCapacity: true)
            shared.withLock { swap(&$0.commands, &pendingCommands) }
            // A newer command of the same name replaces a retained one; retained ones go first (they are older).
            retained.removeAll { old in pendingCommands.contains { $0.rig == old.rig && $0.name == old.name } }
            writing.removeAll(keepingCapacity: true)
            for command in retained { writing.append((command, true)) }
            for command in pendingCommands { writing.append((command, false)) }
            retained.removeAll(keepingCapacity: true)
            let commandResults = writing.map { write($0.command, with: client, retry: $0.retry) }
            for ((command, _), ok) in zip(writing, commandResults) where !ok && isSafeValue(command) {
                retained.append(command)
            }

            var outcomes: [(SampleQuality, String?)] = []
            outcomes.reserveCapacity(rigs.count)
            for index in rigs.indices {
                let (sample, error) = poll(index, state: &rigs[index], client: client, missed: missed)
                samples.yield(sample)
                outcomes.append((sample.quality, error))
            }
            let finished = monotonicNanoseconds()

            // After an overrun, skip the cycles already past instead of running them back to back.
            deadline += period
            var skipped: UInt64 = 0
            if finished > deadline {
                skipped = (finished - deadline) / period + 1
                deadline += skipped * period
            }
            skippedBefore = skipped > 0
            let totalMissed = (late ? 1 : 0) + skipped
            if totalMissed > 0 { missedCounter.increment(by: Int64(totalMissed)) }
            let reconnects = client.reconnects
            let failedConnects = client.failedConnects
            shared.withLock { s in
                s.cycles += 1
                s.missed += totalMissed
                s.skipped += skipped
                s.periodError.record(lateness)
                s.cycleTime.record(finished - woke)
                s.reconnects = reconnects
                s.failedConnects = failedConnects
                for (i, (quality, error)) in outcomes.enumerated() {
                    s.rigs[i].polls += 1
                    switch quality {
                    case .good: s.rigs[i].good += 1
                    case .outOfRange: s.rigs[i].outOfRange += 1
                    case .timedOut: s.rigs[i].timeouts += 1
                    case .stale: s.rigs[i].failures += 1
                    }
                    s.rigs[i].online = quality == .good || quality == .outOfRange
                    if let error { s.rigs[i].lastError = error }
                }
                for ((command, retry), ok) in zip(writing, commandResults) {
                    guard let i = configuration.rigs.firstIndex(where: { $0.rig == command.rig }) else { continue }
                    // A retried write's failures were counted once, at its first attempt.
                    if ok { s.rigs[i].commandsWritten += 1 } else if !retry { s.rigs[i].commandFailures += 1 }
                    if ok, retry { s.rigs[i].commandsWrittenOnRetry += 1 }
                }
                s.commandsRetained = retained.count
            }
        }
        client.close()
    }

    private func sleep(until deadline: UInt64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }

    /// Reads one rig and builds its sample. Returns the error line when the read failed.
    private func poll(_ index: Int, state: inout RigState, client: ModbusClient, missed: Bool) -> (Sample, String?) {
        let rig = configuration.rigs[index]
        let plan = plans[index]
        state.sequence += 1
        var failure: ModbusError?
        for (r, read) in plan.reads.enumerated() {
            do {
                switch read.table {
                case .coil, .discreteInput:
                    let bits = try client.readBits(read.table, unit: rig.unitID, address: read.address, count: read.count)
                    for (i, bit) in bits.enumerated() { state.words[r][i] = bit ? 1 : 0 }
                case .holding, .input:
                    try state.words[r].withUnsafeMutableBufferPointer { (buffer) throws(ModbusError) in
                        try client.readRegisters(
                            read.table, unit: rig.unitID, address: read.address, count: read.count,
                            into: buffer.baseAddress!)
                    }
                }
            } catch {
                var error = error
                error.rig = rig.rig.rawValue
                failure = error
                break
            }
        }
        let now = MonotonicInstant(nanoseconds: monotonicNanoseconds())
        if let failure {
            failureCounters[index].increment()
            if state.online || !state.everOnline && state.sequence == 1 {
                logger.warning(
                    "Rig not answering",
                    metadata: ["rig.id": "\(rig.rig)", "unit.id": "\(rig.unitID)", "error": "\(failure)"])
            }
            state.online = false
            let quality: SampleQuality = failure.code == .timedOut ? .timedOut : .stale
            let sample = Sample(
                rig: rig.rig, sequence: state.sequence, time: now, values: state.lastGood, quality: quality,
                deadlineMissed: missed)
            return (sample, failure.description)
        }
        let inRange = plan.decode(state.words, into: &state.values)
        if !state.online {
            logger.info(
                state.everOnline ? "Rig answering again" : "Rig online",
                metadata: ["rig.id": "\(rig.rig)", "unit.id": "\(rig.unitID)"])
        }
        state.online = true
        state.everOnline = true
        state.lastGood = state.values
        let sample = Sample(
            rig: rig.rig, sequence: state.sequence, time: now, values: state.values,
            quality: inRange ? .good : .outOfRange, deadlineMissed: missed)
        return (sample, nil)
    }

    /// Whether `command` puts its rig in the safe state (its map's `safe_value`): such a write is retried until taken.
    private func isSafeValue(_ command: RigCommand) -> Bool {
        guard let rig = configuration.rigs.first(where: { $0.rig == command.rig }),
            let safe = rig.map.command(command.name)?.safeValue
        else { return false }
        return command.value == safe
    }

    /// Writes one command; false when it failed (logged at the first attempt, and when a retry gets through).
    private func write(_ command: RigCommand, with client: ModbusClient, retry: Bool = false) -> Bool {
        guard let rig = configuration.rigs.first(where: { $0.rig == command.rig }),
            let spec = rig.map.command(command.name)
        else { return false }
        let raw = spec.table == .coil ? command.value : (command.value - spec.offset) / (spec.scale == 0 ? 1 : spec.scale)
        do {
            try client.writeValue(
                raw, to: spec.table, unit: rig.unitID, address: spec.address, type: spec.type,
                order: spec.wordOrder ?? rig.map.defaultWordOrder)
            if retry {
                logger.notice(
                    "Safe-state command written after failing", metadata: ["rig.id": "\(rig.rig)", "command": "\(command.name)"])
            } else {
                logger.debug("Command written", metadata: ["rig.id": "\(rig.rig)", "command": "\(command.name)"])
            }
            return true
        } catch {
            guard !retry else { return false }
            var error = error
            error.rig = rig.rig.rawValue
            logger.warning(
                "Command not written", metadata: [
                    "rig.id": "\(rig.rig)", "command": "\(command.name)", "error": "\(error)",
                    "retried": "\(rig.map.command(command.name)?.safeValue == command.value ? "every cycle until the rig takes it" : "no")",
                ])
            return false
        }
    }

    private func requestRealTime() {
        guard let priority = configuration.realTimePriority else { return }
        let rc = OSThread.requestRealTime(priority: priority)
        let reason =
            rc == 0
            ? nil : "\(String(cString: strerror(rc))): run as root or grant CAP_SYS_NICE (setcap cap_sys_nice+ep lanectl)"
        shared.withLock { $0.realTime = RealTimeStatus(requestedPriority: priority, granted: rc == 0, reason: reason) }
        if rc == 0 {
            logger.info("Link thread runs under SCHED_FIFO", metadata: ["priority": "\(priority)"])
        } else {
            logger.warning("SCHED_FIFO refused; polling with normal scheduling", metadata: ["reason": "\(reason ?? "")"])
        }
    }
}

extension Histogram<UInt64> {
    /// Percentiles of a histogram of nanoseconds.
    public var summary: DurationSummary {
        guard totalCount > 0 else { return .empty }
        func d(_ ns: UInt64) -> Duration { .nanoseconds(Int64(ns)) }
        return DurationSummary(
            count: totalCount, p50: d(valueAtPercentile(50)), p90: d(valueAtPercentile(90)),
            p99: d(valueAtPercentile(99)), p999: d(valueAtPercentile(99.9)), max: d(max),
            mean: .nanoseconds(Int64(mean.rounded())))
    }
}
