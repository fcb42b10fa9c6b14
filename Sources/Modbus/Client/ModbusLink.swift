import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A ``ModbusClient`` on its own OS thread, for async code: `await link.perform { client in … }`.
///
/// The closures run one at a time, in order, on the link's thread, so blocking libmodbus calls never occupy
/// Swift's cooperative pool. Use it for commands, tools and tests; the poller (`Rigs`) owns its client directly.
public final class ModbusLink: Sendable {
    /// The client's configuration.
    public let configuration: ModbusClientConfiguration

    private let core = Core()
    private let thread: Mutex<OSThread?> = Mutex(nil)

    private struct Queue {
        var jobs: [@Sendable (ModbusClient?) -> Void] = []
        var closed = false
    }

    private final class Core: Sendable {
        let queue = Mutex<Queue>(Queue())
        let signal = Semaphore()
    }

    /// Creates the client and starts its thread. The connection opens on the first request.
    public init(_ configuration: ModbusClientConfiguration) throws(ModbusError) {
        self.configuration = configuration
        // Made here so a bad configuration throws at once; handed to the thread, which alone uses it.
        let client = UncheckedBox(try ModbusClient(configuration))
        let core = self.core
        let started = OSThread(name: "modbus-link") {
            let client = client.take()
            while true {
                core.signal.wait()
                let job = core.queue.withLock { q -> (@Sendable (ModbusClient?) -> Void)? in
                    q.jobs.isEmpty ? nil : q.jobs.removeFirst()
                }
                guard let job else {
                    if core.queue.withLock({ $0.closed }) { break }
                    continue
                }
                job(client)
            }
            client.close()
        }
        thread.withLock { $0 = started }
    }

    deinit { shutdown() }

    /// Runs `body` with the client on the link's thread and returns its result.
    public func perform<R: Sendable>(_ body: @escaping @Sendable (ModbusClient) throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<R, any Error>) in
            let accepted = core.queue.withLock { q -> Bool in
                guard !q.closed else { return false }
                q.jobs.append { client in
                    guard let client else { return continuation.resume(throwing: CancellationError()) }
                    continuation.resume(with: Result { try body(client) })
                }
                return true
            }
            if accepted {
                core.signal.post()
            } else {
                continuation.resume(
                    throwing: ModbusError(
                        code: .notConnected, operation: "ModbusLink.perform", link: configuration.transport.description,
                        detail: "the link has been shut down"))
            }
        }
    }

    /// Finishes the queued work, closes the connection and joins the thread.
    public func shutdown() {
        core.queue.withLock { $0.closed = true }
        core.signal.post()
        thread.withLock { t in
            t?.join()
            t = nil
        }
    }
}

/// Moves a non-Sendable value to the one thread that will use it.
final class UncheckedBox<T>: @unchecked Sendable {  // safe: `take()` is called once, by the receiving thread
    private var value: T?
    init(_ value: T) { self.value = value }
    func take() -> T {
        defer { value = nil }
        return value!
    }
}

/// A counting semaphore over `sem_t`, for threads that sleep until work arrives.
final class Semaphore: @unchecked Sendable {  // safe: sem_t is made for sharing between threads
    private let raw = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    init() { sem_init(raw, 0, 0) }
    deinit {
        sem_destroy(raw)
        raw.deallocate()
    }
    func post() { sem_post(raw) }
    func wait() { while sem_wait(raw) == -1 && errno == EINTR {} }
}
