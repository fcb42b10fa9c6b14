public import Foundation

/// Where the repository's data lives, found from a test's source file: walk up from `#filePath` to
/// the folder holding `Package.swift`.
public struct Repository: Sendable {
    /// The repository's root folder.
    public let root: URL

    /// Finds the repository around `filePath` (pass `#filePath` from the test).
    public init(filePath: String = #filePath) throws {
        var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while true {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                root = directory
                return
            }
            let parent = directory.deletingLastPathComponent()
            guard parent.path != directory.path else { throw RepositoryNotFound(start: filePath) }
            directory = parent
        }
    }

    /// `LaneProfiles/`.
    public var profiles: URL { root.appendingPathComponent("LaneProfiles") }
    /// `Firmware/maps/`.
    public var maps: URL { root.appendingPathComponent("Firmware/maps") }
    /// `LaneProfiles/demo-station.yaml`.
    public var demoProfile: String { profiles.appendingPathComponent("demo-station.yaml").path }
    /// The register map file of a rig kind shipped with the repository.
    public func mapFile(_ kind: String) -> String {
        let name = ["brake": "lc-rb3000-brake.yaml", "headlamp": "lc-hl200-headlamp.yaml", "exhaust": "lc-ea500-exhaust.yaml"][kind] ?? kind
        return maps.appendingPathComponent(name).path
    }
    /// A built executable (`.build/debug/rigsim`).
    public func executable(_ name: String) -> String { root.appendingPathComponent(".build/debug/\(name)").path }
}

/// `Package.swift` was not found above the given file.
public struct RepositoryNotFound: Error, CustomStringConvertible {
    public let start: String
    public var description: String { "no Package.swift above \(start)" }
}

/// A fresh temporary folder, removed when the value is deinitialised... call ``remove()`` at the end.
public struct TemporaryFolder: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("lanecontrol-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` in the folder and returns the path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}
