import Foundation
import Hummingbird
import NIOCore

/// The console's static files (HTML, CSS, JavaScript), read once from the target's `Public` resources.
public struct ConsoleAssets: Sendable {
    let files: [String: (type: String, body: String)]

    /// The files shipped in `Sources/StationServer/Public`.
    public static let bundled: ConsoleAssets = {
        var files: [String: (type: String, body: String)] = [:]
        let folder = Bundle.module.resourceURL?.appendingPathComponent("Public")
        let types = ["html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
                     "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml"]
        if let folder, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
            for name in names {
                guard let type = types[(name as NSString).pathExtension],
                    let text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                else { continue }
                files[name] = (type: type, body: text)
            }
        }
        return ConsoleAssets(files: files)
    }()

    /// The names of the files available.
    public var names: [String] { files.keys.sorted() }

    func response(for name: String) throws -> Response {
        guard let file = files[name] else {
            throw HTTPError(.notFound, message: "no console file \(name) (files: \(names.joined(separator: ", ")))")
        }
        return Response(
            status: .ok, headers: [.contentType: file.type, .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: file.body)))
    }
}
