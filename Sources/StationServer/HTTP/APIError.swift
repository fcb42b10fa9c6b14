public import Hummingbird
import NIOCore

/// An API request refused with a reason (both languages) and, where one input was wrong, the JSON path of the
/// field (`plate`, `vehicle.vin`), so a form can show the reason beside that field:
/// `{"error": {"status": 422, "reason": "…", "field": "plate", "code": "plate.unknown_province"}}`.
public struct APIError: Error, Hashable, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// What was wrong and what to do, English / Chinese.
    public var reason: String
    /// JSON path of the offending field of the request body, if one field is to blame.
    public var field: String?
    /// A stable machine-readable code (`checkin.refused`, `lane.busy`), if the source gave one.
    public var code: String?

    public init(_ status: HTTPResponse.Status, reason: String, field: String? = nil, code: String? = nil) {
        self.status = status
        self.reason = reason
        self.field = field
        self.code = code
    }

    public var description: String { "\(status.code) \(reason)" + (field.map { " [field \($0)]" } ?? "") }

    struct Body: Encodable {
        struct Inner: Encodable {
            var status: Int
            var reason: String
            var field: String?
            var code: String?
        }
        var error: Inner
    }

    /// The JSON response.
    public func response() -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: LiveJSON.encode(
                Body(error: .init(status: status.code, reason: reason, field: field, code: code))))))
    }
}
