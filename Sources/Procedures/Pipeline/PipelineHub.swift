public import LaneCore
import Synchronization

/// Fans pipeline events out to any number of subscribers (the journal, the console's live feed,
/// the handheld dispatch), each through its own `AsyncStream`.
///
/// ``publish(_:)`` is synchronous and never waits for a subscriber: each stream buffers up to its
/// limit (default unbounded; a live view may ask for the newest N only).
public final class PipelineHub: Sendable {
    private struct State {
        var next = 0
        var subscribers: [Int: AsyncStream<PipelineEvent>.Continuation] = [:]
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
            state.subscribers[state.next] = continuation
            return state.next
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Number of live subscribers.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Hands `events` to every subscriber, in order.
    public func publish(_ events: [PipelineEvent]) {
        guard !events.isEmpty else { return }
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for continuation in subscribers {
            for event in events { continuation.yield(event) }
        }
    }

    /// Ends every subscriber's stream.
    public func finish() {
        let subscribers = state.withLock { state in
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for continuation in subscribers { continuation.finish() }
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
