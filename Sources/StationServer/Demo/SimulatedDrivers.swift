public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import Logging
public import ServiceLifecycle
import Synchronization

/// The demo's valet drivers, acting through the same HTTP API a person's handheld uses: each signs in as
/// their driver account (`POST /api/login`), polls `GET /api/handheld/task`, and acknowledges each prompt
/// (`POST /api/handheld/ack`, with the plate read off the vehicle when asked) after a human-like delay for
/// that step (walking to the car, driving to the lane, parking …), divided by the demo's speed.
public struct SimulatedDrivers: Service {
    /// How the drivers behave.
    public struct Configuration: Sendable {
        /// Delays are divided by this (the demo's `--speed`).
        public var speed: Double = 1
        /// Seed of the delays' jitter (±30 %).
        public var seed: UInt64 = 7
        /// How often a driver looks at the handheld.
        public var pollInterval: Duration = .milliseconds(500)
        /// Shortest delay at any speed (a person still has to press the button).
        public var minimumDelay: Duration = .milliseconds(300)
        public init() {}
    }

    /// Seconds a person takes at each step (before dividing by the speed).
    public static let humanSeconds: [String: Double] = [
        "collect_key": 25, "wrong_vehicle": 10, "drive_to_lane": 40, "enter_lane": 8, "station": 2, "station_done": 6,
        "drive_to_exit": 8, "park": 30, "return_key": 25, "released": 2, "inspection_aborted": 4,
    ]

    let server: ServerURL
    let logins: [DemoLogin]
    let configuration: Configuration
    let logger: Logger
    /// Acknowledgements the server accepted, per driver account.
    public let tally = DriverTally()

    /// Drivers for the driver accounts among `logins`, talking to the server at `server` once it is known.
    public init(server: ServerURL, logins: [DemoLogin], configuration: Configuration = .init(), logger: Logger) {
        self.server = server
        self.logins = logins.filter { $0.user.role == .driver }
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs every driver until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            guard let base = await server.wait() else { return }
            await withTaskGroup(of: Void.self) { group in
                for (index, login) in logins.enumerated() {
                    group.addTask { await drive(login, base: base, seed: configuration.seed &+ UInt64(index) &* 7919) }
                }
            }
        }
    }

    /// The subset of `GET /api/handheld/task` a driver reads.
    struct TaskBody: Decodable {
        struct Task: Decodable {
            var promptId: String
            var step: String
            var plate: String
            var confirmPlate: Bool
            var expectsAcknowledgement: Bool
        }
        var task: Task?
    }

    func drive(_ login: DemoLogin, base: URL, seed: UInt64) async {
        var logger = self.logger
        logger[metadataKey: "driver.id"] = "\(login.user.id)"
        let client = HandheldClient(base: base)
        var random = SplitMix(state: seed)
        var current: String?
        var due = ContinuousClock.now
        // Prompts this driver already acknowledged: a station's prompt stays on the handheld until the rig is
        // done, and a person does not press twice.
        var done: [String] = []
        var failures = 0
        while !Task.isCancelled {
            do {
                if !client.signedIn { try await client.signIn(login.user.id, login.password) }
                let body: TaskBody = try await client.get("/api/handheld/task")
                failures = 0
                guard let task = body.task, task.expectsAcknowledgement, !done.contains(task.promptId) else {
                    current = nil
                    try await Task.sleep(for: configuration.pollInterval)
                    continue
                }
                if task.promptId != current {
                    current = task.promptId
                    due = ContinuousClock.now + delay(for: task.step, &random)
                }
                let wait = due - ContinuousClock.now
                if wait > .zero {
                    try await Task.sleep(for: min(wait, configuration.pollInterval))
                    continue
                }
                var ack: [String: String] = ["prompt_id": task.promptId]
                if task.confirmPlate { ack["plate"] = task.plate }
                let status = try await client.post("/api/handheld/ack", ack)
                switch status {
                case 200:
                    tally.count(login.user.id, step: task.step)
                    done.append(task.promptId)
                    if done.count > 32 { done.removeFirst() }
                    logger.info("Simulated driver acknowledged", metadata: ["prompt.id": "\(task.promptId)", "step": "\(task.step)"])
                    current = nil
                case 401: client.signedIn = false
                case 409:  // the task moved on meanwhile: read it again
                    done.append(task.promptId)
                    if done.count > 32 { done.removeFirst() }
                default:
                    logger.warning("Simulated driver's acknowledgement refused", metadata: ["http.status": "\(status)", "step": "\(task.step)"])
                    try await Task.sleep(for: .seconds(2))
                }
            } catch is CancellationError {
                return
            } catch HandheldClient.Failure.unauthorized {
                client.signedIn = false
            } catch {
                // A dropped connection: back off like the page does (1, 2, 4 … 15 s), then carry on.
                failures += 1
                logger.notice("Simulated driver lost the server", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(min(15, 1 << min(failures - 1, 4))))
            }
        }
    }

    func delay(for step: String, _ random: inout SplitMix) -> Duration {
        let seconds = (Self.humanSeconds[step] ?? 3) * (0.7 + 0.6 * random.unit()) / max(0.01, configuration.speed)
        return max(configuration.minimumDelay, .milliseconds(Int64(seconds * 1000)))
    }
}

/// Acknowledgements the server accepted, per driver account.
public final class DriverTally: Sendable {
    private let steps = Mutex<[String: [String]]>([:])
    public init() {}
    func count(_ driver: String, step: String) { steps.withLock { $0[driver, default: []].append(step) } }
    /// Accepted acknowledgements per driver account.
    public var acknowledged: [String: Int] { steps.withLock { $0.mapValues(\.count) } }
    /// The steps each driver account acknowledged, in order.
    public var acknowledgedSteps: [String: [String]] { steps.withLock { $0 } }
}

/// The server's base URL, known once it listens (port 0 picks one).
public final class ServerURL: Sendable {
    private let url = Mutex<URL?>(nil)
    public init() {}
    /// Sets the URL (`http://127.0.0.1:PORT`).
    public func set(_ value: URL) { url.withLock { $0 = value } }
    /// The URL, waiting for it; nil when cancelled first.
    public func wait() async -> URL? {
        while !Task.isCancelled {
            if let value = url.withLock({ $0 }) { return value }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}

/// One handheld's HTTP session: the session cookie kept by hand (no shared cookie storage between drivers).
final class HandheldClient: @unchecked Sendable {  // safe: used by one driver's task only
    enum Failure: Error { case unauthorized, status(Int, String), noCookie }

    let base: URL
    let session: URLSession
    var cookie: String?
    var signedIn = false

    init(base: URL) {
        self.base = base
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.timeoutIntervalForRequest = 10
        session = URLSession(configuration: configuration)
    }

    // Never cancel a URLSession task: FoundationNetworking on Linux can crash ("Trying to access a behaviour for a
    // task that in not in the registry") when a task is cancelled while it fails, as at shutdown. Requests end
    // by their 10 s time-out instead.
    deinit { session.finishTasksAndInvalidate() }

    /// Sends `request` in an unstructured task, so cancelling the driver's task (shutdown) does not cancel the
    /// URLSession task under it (see `deinit`); the driver's loop checks for cancellation between requests.
    func send(_ request: URLRequest) async throws -> (Data, URLResponse) {
        let session = session
        return try await Task { try await session.data(for: request) }.value
    }

    func request(_ path: String, method: String, body: [String: String]? = nil) -> URLRequest {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = method
        if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try? JSONSerialization.data(withJSONObject: body)
        }
        return request
    }

    func signIn(_ user: String, _ password: String) async throws {
        cookie = nil
        let (data, response) = try await send(request("/api/login", method: "POST", body: ["user": user, "password": password]))
        let http = response as? HTTPURLResponse
        guard http?.statusCode == 200 else {
            throw Failure.status(http?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }
        guard let header = http?.value(forHTTPHeaderField: "Set-Cookie"), let pair = header.split(separator: ";").first else {
            throw Failure.noCookie
        }
        cookie = String(pair)
        signedIn = true
    }

    func get<T: Decodable>(_ path: String) async throws -> T {
        let (data, response) = try await send(request(path, method: "GET"))
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        if status == 401 { throw Failure.unauthorized }
        guard status == 200 else { throw Failure.status(status, String(decoding: data, as: UTF8.self)) }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(T.self, from: data)
    }

    func post(_ path: String, _ body: [String: String]) async throws -> Int {
        let (_, response) = try await send(request(path, method: "POST", body: body))
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}

/// SplitMix64, for the delays' jitter.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
