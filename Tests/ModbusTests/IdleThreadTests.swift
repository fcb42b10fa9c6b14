import Foundation
import LaneCore
import LaneTesting
import Modbus
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Measures a thread's CPU time and the wall time over `interval` (at least; longer on a stalled machine).
func cpuUse(of cpu: () -> Duration?, over interval: Duration) async throws -> (cpu: Duration, wall: Duration) {
    let clock = ContinuousClock()
    let startCPU = try #require(cpu())
    let start = clock.now
    try await Task.sleep(for: interval)
    let endCPU = try #require(cpu())
    return (endCPU - startCPU, clock.now - start)
}

/// Opens a TCP connection to 127.0.0.1:port.
func connectRaw(port: Int) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return fd
}

/// Threads that must block in the kernel when they have nothing to do: under `SCHED_FIFO` a loop that never
/// blocks holds a core against every normal thread. No timing assertions: a spinning loop shows as CPU time
/// close to the wall time (the bound is half of it, which load can only make smaller) and as thousands of
/// `poll` wake-ups a second (counted, so load cannot hide it); a blocking one as next to none of either.
@Suite(.timeLimit(.minutes(5)))
struct IdleThreadTests {
    static let layout = ModbusServer.Layout(coils: 0..<8, holdingRegisters: 0..<16)

    @Test func anIdleServerBlocksInPoll() async throws {
        let server = try ModbusServer(units: [1: Self.layout])
        server.start()
        defer { server.stop() }
        let before = server.statistics.wakeUps
        let use = try await cpuUse(of: { server.threadCPUTime }, over: .seconds(1))
        #expect(use.cpu < use.wall / 2, "server thread used \(use.cpu) of \(use.wall)")
        #expect(server.statistics.wakeUps - before <= 2)
    }

    @Test func clientsThatSendGarbageHangUpOrStallDoNotMakeTheServerSpin() async throws {
        let server = try ModbusServer(units: [1: Self.layout])
        server.start()
        defer { server.stop() }
        // Garbage then hang-up, a half-close, an abortive close (RST), and one that connects and stays silent.
        var junk = [UInt8](repeating: 0, count: 300)
        var random = SystemRandomNumberGenerator()
        for _ in 0..<10 {
            for i in junk.indices { junk[i] = random.next() }
            let fd = connectRaw(port: server.port)
            _ = send(fd, junk, junk.count, Int32(MSG_NOSIGNAL))
            close(fd)
        }
        let halfClosed = connectRaw(port: server.port)
        _ = send(halfClosed, [0x00, 0x01], 2, Int32(MSG_NOSIGNAL))
        shutdown(halfClosed, Int32(SHUT_WR))
        defer { close(halfClosed) }
        let reset = connectRaw(port: server.port)
        var linger = linger(l_onoff: 1, l_linger: 0)
        setsockopt(reset, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        close(reset)
        let silent = connectRaw(port: server.port)
        defer { close(silent) }
        // Wait until the server has taken every connection in and let go of the closed ones.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while server.statistics.connectionsAccepted < 13 || server.statistics.openConnections > 1, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(server.statistics.connectionsAccepted == 13)
        #expect(server.statistics.openConnections == 1, "only the silent client is left")
        let before = server.statistics.wakeUps
        let use = try await cpuUse(of: { server.threadCPUTime }, over: .seconds(1))
        #expect(use.cpu < use.wall / 2, "server thread used \(use.cpu) of \(use.wall)")
        #expect(server.statistics.wakeUps - before <= 2, "server woke \(server.statistics.wakeUps - before) times while idle")
        // And it still answers.
        let link = try ModbusLink(ModbusClientConfiguration(transport: server.transport, responseTimeout: .seconds(2)))
        defer { link.shutdown() }
        #expect(try await link.perform { try $0.readHoldingRegisters(address: 0, count: 2) } == [0, 0])
    }

    @Test(.enabled(if: SerialPair.socatPath != nil, "socat is not installed"))
    func anRTUServerWhoseLineHungUpWaitsInsteadOfSpinning() async throws {
        let pair = try SerialPair()
        let server = try ModbusServer(serial: SerialLine(device: pair.first), units: [1: Self.layout])
        server.start()
        defer { server.stop() }
        // The other end of the line goes away: the serial device reports POLLHUP from now on.
        pair.close()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while server.statistics.descriptorPauses == 0, clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(server.statistics.descriptorPauses > 0)
        let before = server.statistics.wakeUps
        let use = try await cpuUse(of: { server.threadCPUTime }, over: .seconds(1))
        #expect(use.cpu < use.wall / 2, "server thread used \(use.cpu) of \(use.wall)")
        // One look at the line per 100 ms pause, and a few to spare.
        let allowed = Int(use.wall / .milliseconds(100)) * 2 + 5
        let woke = server.statistics.wakeUps - before
        #expect(woke <= allowed, "server woke \(woke) times in \(use.wall) (at most \(allowed) expected)")
    }
}

/// `SCHED_FIFO` threads: what the threads they start inherit, and the runaway guard. Only where the process may
/// have real-time priority (root or `CAP_SYS_NICE`).
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: RealTime.probe(priority: 5) == nil, "SCHED_FIFO not permitted"))
struct RealTimeThreadTests {
    @Test func aThreadStartedByARealTimeThreadRunsUnderNormalScheduling() {
        let seen = Mutex<(parent: OSThread.Scheduling?, child: OSThread.Scheduling?)>((nil, nil))
        let parent = OSThread(name: "rt-parent") {
            guard OSThread.requestRealTime(priority: 5) == 0 else { return }
            let mine = OSThread.currentScheduling
            // A Swift concurrency or libdispatch worker started from here would be such a thread.
            let child = OSThread(name: "rt-child") {
                let theirs = OSThread.currentScheduling
                seen.withLock { $0.child = theirs }
            }
            child.join()
            seen.withLock { $0.parent = mine }
        }
        parent.join()
        let (mine, theirs) = seen.withLock { $0 }
        #expect(mine?.realTime == true)
        #expect(mine?.priority == 5)
        #expect(mine?.resetsOnFork == true)
        #expect(theirs?.realTime == false, "the child inherited SCHED_FIFO")
    }

    @Test func theRunawayGuardDemotesARealTimeThreadThatNeverBlocks() {
        #expect(RealTime.installRunawayGuard(limit: .milliseconds(30)) == nil)
        defer { RealTime.removeRunawayGuard() }
        let demotionsBefore = RealTime.demotions
        let outcome = Mutex<(granted: Bool, demoted: Bool)>((false, false))
        let spinner = OSThread(name: "rt-spinner") {
            guard OSThread.requestRealTime(priority: 1) == 0 else { return }
            // Spin without a blocking call; give up after 2 s of CPU if the guard never fires (the test fails).
            let start = OSThread.currentCPUTime
            var demoted = false
            while OSThread.currentCPUTime - start < .seconds(2) {
                if !OSThread.currentScheduling.realTime {
                    demoted = true
                    break
                }
            }
            if !demoted { OSThread.dropRealTime() }
            outcome.withLock { $0 = (true, demoted) }
        }
        spinner.join()
        let result = outcome.withLock { $0 }
        #expect(result.granted)
        #expect(result.demoted, "the spinning SCHED_FIFO thread was not demoted")
        #expect(RealTime.demotions > demotionsBefore)
    }

    @Test func throttlingIsReadFromTheKernel() throws {
        let throttling = try #require(RealTime.throttling)
        #expect(throttling.periodMicroseconds > 0)
    }
}
