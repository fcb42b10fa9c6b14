import Foundation
public import Hummingbird
import Journal
import LaneCore
import NIOCore

/// The inspector's pages and their API: search, the report of an attempt, sign-off, re-test, statistics,
/// CSV and the evidence bundle. See docs/reports.md.
///
/// Reading: inspector, operator, admin. Signing and re-tests: inspector and admin, and every refusal
/// (wrong password, another role, a signed report) is journaled. HTML pages send a signed-out visitor to
/// ``ReportServices/loginPath``; the API answers 401.
public enum ReportRoutes {
    public typealias Context = StationRequestContext

    /// Roles that read reports and statistics.
    static let readers: [StationUser.Role] = [.inspector, .operator, .admin]

    /// Adds the report routes to `router`.
    public static func register(on router: Router<Context>, services: ReportServices) {
        let desk = ReportDesk(services: services)
        let offset = services.utcOffsetSeconds
        router.get("/reports/assets/reports.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: ReportStyle.css)))
        }
        router.get("/reports") { request, context in
            let fields = FormFields(query: request.uri.query)
            let lang = language(fields, request)
            guard let user = try reader(context) else { return toLogin(request, services) }
            let query = try inspectionQuery(fields, offset: offset)
            let rows = try services.journal.search(query)
            return html(ReportPages.search(
                query: query, form: fields.values, rows: rows, lang: lang, user: user, offset: offset,
                queryString: fields.encoded(dropping: ["lang"])))
        }
        router.get("/reports/search.csv") { request, context in
            try context.require(.inspector, .operator, .admin)
            let query = try inspectionQuery(FormFields(query: request.uri.query), offset: offset)
            let rows = try services.journal.search(query)
            return csv(CSV.table(header: InspectionSummary.csvHeader, rows: rows.map(\.csvFields)), name: "inspections.csv")
        }
        router.get("/api/reports") { request, context in
            try context.require(.inspector, .operator, .admin)
            return StationRoutes.json(try services.journal.search(try inspectionQuery(FormFields(query: request.uri.query), offset: offset)))
        }
        router.get("/reports/stats") { request, context in
            let fields = FormFields(query: request.uri.query)
            let lang = language(fields, request)
            guard let user = try reader(context) else { return toLogin(request, services) }
            let (stats, period, date) = try statistics(fields, services)
            return html(ReportPages.stats(stats, period: period, date: date, lang: lang, user: user, offset: offset))
        }
        router.get("/reports/stats.csv") { request, context in
            try context.require(.inspector, .operator, .admin)
            let fields = FormFields(query: request.uri.query)
            let (stats, period, date) = try statistics(fields, services)
            let charts = ReportPages.charts(stats, period: period, lang: language(fields, request))
            let id = fields["chart"] ?? ""
            guard let chart = charts.first(where: { $0.id == id }) else {
                throw HTTPError(.badRequest, message: "chart=\(id): no such chart (charts: \(charts.map(\.id).joined(separator: ", "))) / 没有此图表")
            }
            return csv(chart.csv, name: "stats-\(period.rawValue)-\(date)-\(chart.id).csv")
        }
        router.get("/api/reports/stats") { request, context in
            try context.require(.inspector, .operator, .admin)
            return StationRoutes.json(try statistics(FormFields(query: request.uri.query), services).0)
        }
        router.get("/reports/:id") { request, context in
            let fields = FormFields(query: request.uri.query)
            let lang = language(fields, request)
            guard let user = try reader(context) else { return toLogin(request, services) }
            let id = InspectionID(try context.parameters.require("id"))
            return try reportPage(id, user: user, lang: lang, services: services, message: nil, status: .ok)
        }
        router.get("/api/reports/:id") { _, context in
            try context.require(.inspector, .operator, .admin)
            let id = InspectionID(try context.parameters.require("id"))
            guard let report = try services.journal.report(for: id) else { throw notFound(id) }
            return StationRoutes.json(ReportView(report: report, signature: try services.journal.signature(of: id)))
        }
        router.get("/reports/:id/evidence.json") { _, context in
            try context.require(.inspector, .operator, .admin)
            let id = InspectionID(try context.parameters.require("id"))
            guard let bundle = try services.journal.evidenceBundle(for: id, exportedAt: services.now()) else { throw notFound(id) }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .contentDisposition: "attachment; filename=\"evidence-\(id.rawValue).json\""],
                body: .init(byteBuffer: ByteBuffer(bytes: try bundle.jsonData())))
        }
        // Changes: the sign-off and the re-test, as a form post (HTML) or JSON (the /api routes always answer JSON;
        // the page routes do when the request is JSON).
        for prefix in ["/reports", "/api/reports"] {
            router.post("\(prefix)/:id/sign") { request, context in
                let id = InspectionID(try context.parameters.require("id"))
                let user = try context.require()
                let wantsJSON = prefix == "/api/reports" || isJSON(request)
                let fields = try await body(request, context)
                let lang = language(FormFields(query: request.uri.query), request)
                do {
                    let signature = try await desk.sign(id, user: user, password: fields["password"] ?? "", comment: fields["comment"])
                    if wantsJSON { return StationRoutes.json(signature) }
                    return Response(status: .seeOther, headers: [.location: "/reports/\(id.rawValue)?lang=\(lang.code)"])
                } catch let error as ReportActionError {
                    return try refused(error, id: id, user: user, lang: lang, json: wantsJSON, services: services)
                }
            }
            router.post("\(prefix)/:id/retest") { request, context in
                let id = InspectionID(try context.parameters.require("id"))
                let user = try context.require()
                let wantsJSON = prefix == "/api/reports" || isJSON(request)
                let lang = language(FormFields(query: request.uri.query), request)
                do {
                    let retest = try await desk.orderRetest(id, user: user)
                    if wantsJSON { return StationRoutes.json(RetestView(inspection: id, retest: retest)) }
                    let target = retest ?? id
                    return Response(status: .seeOther, headers: [.location: "/reports/\(target.rawValue)?lang=\(lang.code)"])
                } catch let error as ReportActionError {
                    return try refused(error, id: id, user: user, lang: lang, json: wantsJSON, services: services)
                }
            }
        }
    }

    // MARK: helpers

    /// The signed-in reader, nil when nobody is signed in; 403 for a role that does not read reports.
    static func reader(_ context: Context) throws -> StationUser? {
        guard context.identity != nil else { return nil }
        return try context.require(.inspector, .operator, .admin)
    }

    static func toLogin(_ request: Request, _ services: ReportServices) -> Response {
        let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        return Response(status: .seeOther, headers: [.location: "\(services.loginPath)?next=\(FormFields.percentEncode(next))"])
    }

    static func language(_ fields: FormFields, _ request: Request) -> Lang {
        if let code = fields["lang"] { return Lang(zh: code != "en") }
        return Lang(zh: true)
    }

    static func isJSON(_ request: Request) -> Bool {
        (request.headers[.contentType] ?? "").contains("json") || (request.headers[.accept] ?? "").hasPrefix("application/json")
    }

    static func body(_ request: Request, _ context: Context) async throws -> FormFields {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        let text = String(buffer: buffer)
        if (request.headers[.contentType] ?? "").contains("json") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw HTTPError(.badRequest, message: "the body must be a JSON object like {\"password\": \"…\", \"comment\": \"…\"} / 请求体须为 JSON 对象")
            }
            return FormFields(values: object.compactMapValues { $0 as? String })
        }
        return FormFields(query: text)
    }

    static func notFound(_ id: InspectionID) -> HTTPError {
        HTTPError(.notFound, message: "no inspection \(id.rawValue); search at /reports / 没有检验 \(id.rawValue)")
    }

    static func refused(
        _ error: ReportActionError, id: InspectionID, user: StationUser, lang: Lang, json: Bool, services: ReportServices
    ) throws -> Response {
        let status = HTTPResponse.Status(code: error.status)
        if json { throw APIError(status, reason: error.description, code: error.reason) }
        if error.status == 404 { throw notFound(id) }
        return try reportPage(
            id, user: user, lang: lang, services: services, message: (lang.zh ? error.chinese : error.english, true), status: status)
    }

    static func reportPage(
        _ id: InspectionID, user: StationUser, lang: Lang, services: ReportServices, message: (String, Bool)?,
        status: HTTPResponse.Status
    ) throws -> Response {
        let journal = services.journal
        guard let bundle = try journal.evidenceBundle(for: id, exportedAt: services.now()) else { throw notFound(id) }
        let retestedBy = try journal.summary(of: id)?.retestedBy
        let context = ReportPageContext(
            bundle: bundle, signature: try journal.signature(of: id), refusals: try journal.refusals(of: id),
            retestedBy: retestedBy, user: user, canOrderRetests: services.retests != nil,
            offset: services.utcOffsetSeconds, stationName: services.stationName, message: message.map { ($0.0, $0.1) })
        return html(ReportPages.report(context, lang: lang), status: status)
    }

    static func inspectionQuery(_ f: FormFields, offset: Int) throws -> InspectionQuery {
        var q = InspectionQuery()
        q.plate = f["plate"]
        q.vin = f["vin"]
        if let from = f["from"] {
            guard let t = StatisticsPeriod.parseDate(from, utcOffsetSeconds: offset) else { throw badDate("from", from) }
            q.from = t
        }
        if let to = f["to"] {
            guard let t = StatisticsPeriod.parseDate(to, utcOffsetSeconds: offset) else { throw badDate("to", to) }
            q.to = t.adding(milliseconds: 86_400_000)  // the whole last day
        }
        q.lane = f["lane"].map(LaneID.init(rawValue:))
        q.driver = f["driver"].map(DriverID.init(rawValue:))
        if let v = f["verdict"] {
            guard let verdict = InspectionQuery.Verdict(rawValue: v) else {
                throw HTTPError(.badRequest, message: "verdict=\(v): use one of \(InspectionQuery.Verdict.allCases.map(\.rawValue).joined(separator: ", ")) / 结论参数无效")
            }
            q.verdict = verdict
        }
        switch f["signed"] {
        case nil: break
        case "yes"?, "true"?: q.signed = true
        case "no"?, "false"?: q.signed = false
        case let other?: throw HTTPError(.badRequest, message: "signed=\(other): use yes or no / 签字参数须为 yes 或 no")
        }
        if let limit = f["limit"] {
            guard let n = Int(limit), n > 0 else { throw HTTPError(.badRequest, message: "limit=\(limit): a positive number / limit 须为正整数") }
            q.limit = n
        }
        return q
    }

    static func badDate(_ name: String, _ value: String) -> HTTPError {
        HTTPError(.badRequest, message: "\(name)=\(value): write the date as YYYY-MM-DD / 日期格式应为 YYYY-MM-DD")
    }

    static func statistics(_ f: FormFields, _ services: ReportServices) throws -> (DayStatistics, StatisticsPeriod, String) {
        let offset = services.utcOffsetSeconds
        let periodName = f["period"] ?? "day"
        guard let period = StatisticsPeriod(rawValue: periodName) else {
            throw HTTPError(.badRequest, message: "period=\(periodName): use day, week or month / 周期须为 day、week 或 month")
        }
        let date = f["date"] ?? StatisticsPeriod.dateString(services.now().adding(milliseconds: Int64(offset) * 1000))
        guard let start = StatisticsPeriod.parseDate(date, utcOffsetSeconds: offset) else { throw badDate("date", date) }
        let (from, to) = period.range(containing: start, utcOffsetSeconds: offset)
        return (try services.journal.statistics(from: from, to: to, utcOffsetSeconds: offset), period, date)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func csv(_ text: String, name: String) -> Response {
        // The byte-order mark lets spreadsheet programs read the Chinese text as UTF-8.
        Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\""],
            body: .init(byteBuffer: ByteBuffer(string: "\u{FEFF}" + text)))
    }
}

/// `GET /api/reports/:id`: the report and its signature.
struct ReportView: Encodable {
    var report: InspectionReport
    var signature: Signature?
}

/// `POST /api/reports/:id/retest`: the attempt re-tested and the new attempt (null while queued).
struct RetestView: Encodable {
    var inspection: InspectionID
    var retest: InspectionID?

    enum CodingKeys: String, CodingKey { case inspection, retest }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(inspection, forKey: .inspection)
        try container.encode(retest, forKey: .retest)  // null, not absent, while the re-test waits in the queue
    }
}

/// Fields of a query string or an `application/x-www-form-urlencoded` body; empty values count as absent.
struct FormFields: Sendable {
    var values: [String: String] = [:]
    var order: [String] = []

    init(values: [String: String]) {
        self.values = values.filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
        order = self.values.keys.sorted()
    }

    init(query: String?) {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty, values[key] == nil else { continue }
            values[key] = value.trimmingCharacters(in: .whitespaces)
            order.append(key)
        }
    }

    subscript(_ key: String) -> String? { values[key] }

    static func decode(_ s: Substring) -> String {
        String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
    }

    static func percentEncode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// The fields again as a query string (for the CSV and JSON links of the same search).
    func encoded(dropping: Set<String>) -> String {
        order.filter { !dropping.contains($0) }.map { "\(Self.percentEncode($0))=\(Self.percentEncode(values[$0]!))" }
            .joined(separator: "&")
    }
}
