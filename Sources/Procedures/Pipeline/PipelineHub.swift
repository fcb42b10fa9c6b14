public import LaneCore
import Synchronization

/// Fans pipeline events out to any number of subscribers (the journal, the console's live feed,
/// the handheld dispatch), in publication order.
///
/// Two kinds of subscriber:
/// - ``subscribe(bufferingPolicy:)``: an `AsyncStream` read by a task. Each event crosses to the
///   cooperative pool, so it arrives when the pool next runs that task (micro- to milliseconds on a
///   loaded machine).
/// - ``subscribe(synchronously:)``: a handler called on the publishing thread inside ``publish(_:)``,
///   before the streams are fed, with the whole batch of one input. No hop at all: the verdict is at
///   the handler as soon as the call that produced it returns. For subscribers that only hand the
///   events on (the journal writer's queue, a console fan-out buffer); the handler must not block.
///
/// ``publish(_:)`` is synchronous and never waits for a stream subscriber: each stream buffers up to
/// its limit (default unbounded; a live view may ask for the newest N only).
public final class PipelineHub: Sendable {
    /// A handler called with each published batch, on the publisher's thread.
    public typealias Handler = @Sendable ([PipelineEvent]) -> Void

    private struct State {
        var next = 0
        var streams: [(id: Int, continuation: AsyncStream<PipelineEvent>.Continuation)] = []
        var handlers: [(id: Int, handler: Handler)] = []
    }

    /// Ends a synchronous subscription (``subscribe(synchronously:)``).
    public struct Subscription: Sendable {
        fileprivate let id: Int
        fileprivate weak var hub: PipelineHub?

        /// Stops calling the handler; a publish already under way may still call it once.
        public func cancel() {
            _ = hub?.state.withLock { state in state.handlers.removeAll { $0.id == id } }
        }
    }

    private let state = Mutex(State())

    public init() {}

    /// A stream of every event published from now on; it ends when ``finish()`` is called.
    public func subscribe(
        bufferingPolicy: AsyncStream<PipelineEvent>.Continuation.BufferingPolicy = .unbounded
    ) -> AsyncStream<PipelineEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: PipelineEvent.self, bufferingPolicy: bufferingPolicy)
        let id = state.withLock { state in
            state.next += 1
            state.streams.append((state.next, continuation))
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { state in state.streams.removeAll { $0.id == id } }
        }
        return stream
    }

    /// Calls `handler` with every batch published from now on (the events of one pipeline input, in
    /// order), on the publishing thread, until the subscription is cancelled or ``finish()`` is called.
    ///
    /// Handlers run in subscription order, before any stream subscriber is fed, while the publisher
    /// (the poller's consumer) waits: keep them short and never block in them.
    @discardableResult
    public func subscribe(synchronously handler: @escaping Handler) -> Subscription {
        let id = state.withLock { state in
            state.next += 1
            state.handlers.append((state.next, handler))
            return state.next
        }
        return Subscription(id: id, hub: self)
    }

    /// Number of live subscribers (streams and handlers).
    public var subscriberCount: Int { state.withLock { $0.streams.count + $0.handlers.count } }

    /// Hands `events` to every subscriber, in order: the synchronous handlers first, then the streams.
    public func publish(_ events: [PipelineEvent]) {
        guard !events.isEmpty else { return }
        // Copies of the two arrays (reference-counted, no allocation) so no handler runs under the lock.
        let (handlers, streams) = state.withLock { ($0.handlers, $0.streams) }
        for entry in handlers { entry.handler(events) }
        for entry in streams {
            for event in events { entry.continuation.yield(event) }
        }
    }

    /// Ends every subscriber's stream and drops the synchronous handlers.
    public func finish() {
        let streams = state.withLock { state in
            defer {
                state.streams = []
                state.handlers = []
            }
            return state.streams
        }
        for entry in streams { entry.continuation.finish() }
    }
}

/// An ``InspectionPipeline`` behind a lock with its ``PipelineHub``: the poller's consumer calls
/// ``handle(_:)`` for each input and writes the returned commands to the rigs at once.
public final class LivePipeline: Sendable {
    public let hub: PipelineHub
    private let state: Mutex<(pipeline: InspectionPipeline, events: [PipelineEvent], commands: [RigCommand])>

    public init(pipeline: InspectionPipeline, hub: PipelineHub = PipelineHub()) {
        self.hub = hub
        state = Mutex((pipeline, [], []))
    }

    /// Handles one input, publishes its events, and returns the rig commands it produced.
    public func handle(_ input: PipelineInput) -> [RigCommand] {
        let (events, commands) = state.withLock { state -> ([PipelineEvent], [RigCommand]) in
            state.pipeline.handle(input, into: &state.events)
            guard !state.events.isEmpty else { return ([], []) }
            let events = state.events
            state.events.removeAll(keepingCapacity: true)
            var commands: [RigCommand] = []
            for case .command(let command) in events { commands.append(command) }
            return (events, commands)
        }
        hub.publish(events)
        return commands
    }

    /// True once the inspection is finished.
    public var isFinished: Bool { state.withLock { $0.pipeline.isFinished } }
}
