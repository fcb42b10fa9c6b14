#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A dedicated operating-system thread that can be joined.
///
/// libmodbus blocks, so every link and every server owns one of these instead of borrowing a thread
/// from Swift's cooperative pool (there are two cores; one blocked pool thread is half the machine).
public final class OSThread: @unchecked Sendable {  // safe: `handle` is written once before `start` returns
    private var handle: pthread_t?
    private let name: String

    /// Starts a thread that runs `body` once.
    /// - Parameters:
    ///   - name: The thread's name, for diagnostics.
    ///   - body: The work; the thread ends when it returns.
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        self.name = name
        let box = Unmanaged.passRetained(ThreadBody(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { raw in
                let body = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
                body.body()
                return nil
            }, box)
        precondition(rc == 0, "pthread_create failed for thread \(name): \(String(cString: strerror(rc)))")
        handle = thread
    }

    /// Waits until the thread's body has returned. Call once.
    public func join() {
        guard let thread = handle else { return }
        handle = nil
        pthread_join(thread, nil)
    }
}

private final class ThreadBody {
    let name: String
    let body: @Sendable () -> Void
    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}

/// Reads `CLOCK_MONOTONIC` in nanoseconds.
@inline(__always)
package func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

extension Duration {
    /// The duration as whole microseconds, clamped to be non-negative.
    var clampedMicroseconds: UInt64 {
        let (s, atto) = components
        if s < 0 { return 0 }
        return UInt64(s) * 1_000_000 + UInt64(atto / 1_000_000_000_000)
    }
}
