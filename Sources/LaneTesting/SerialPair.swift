import Foundation

/// Two connected pseudo-terminals made by `socat -d -d pty,raw,echo=0 pty,raw,echo=0`: a serial line in a box.
public final class SerialPair {
    /// Path of one end (`/dev/pts/N`).
    public let first: String
    /// Path of the other end.
    public let second: String
    private let process: Process

    /// Nil when socat is not installed (the caller skips with that reason).
    public static var socatPath: String? {
        ["/usr/bin/socat", "/usr/local/bin/socat", "/bin/socat"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public init() throws {
        guard let socat = Self.socatPath else { throw SerialPairError(reason: "socat is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: socat)
        process.arguments = ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        self.process = process
        // socat prints "N PTY is /dev/pts/X" once per end, then "starting data transfer loop".
        var text = ""
        var ptys: [String] = []
        let handle = errors.fileHandleForReading
        let deadline = Date().addingTimeInterval(10)
        while ptys.count < 2 && Date() < deadline {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            ptys = text.split(separator: "\n").compactMap { line in
                line.range(of: "PTY is ").map { String(line[$0.upperBound...]).trimmingCharacters(in: .whitespaces) }
            }
        }
        guard ptys.count == 2 else {
            process.terminate()
            throw SerialPairError(reason: "socat did not report two pseudo-terminals: \(text)")
        }
        first = ptys[0]
        second = ptys[1]
    }

    /// Stops socat (both pseudo-terminals disappear). Call it in a `defer`, so the pair lives as long as the test.
    public func close() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
    }

    deinit { close() }
}

/// Why a serial pair could not be made.
public struct SerialPairError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
