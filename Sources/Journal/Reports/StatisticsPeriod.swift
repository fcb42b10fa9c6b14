public import Foundation

/// The periods the statistics page shows: a local day, an ISO week (Monday to Monday) or a calendar month.
public enum StatisticsPeriod: String, Hashable, Sendable, Codable, CaseIterable {
    case day, week, month

    /// The period of this kind that contains `time`, in a station whose clock is `utcOffsetSeconds` ahead of UTC.
    /// Returns `[from, to)` as UTC wall times.
    public func range(containing time: WallTime, utcOffsetSeconds: Int) -> (from: WallTime, to: WallTime) {
        let offsetMs = Int64(utcOffsetSeconds) * 1000
        let local = time.milliseconds + offsetMs
        let dayMs: Int64 = 86_400_000
        let dayStart = Self.floorDiv(local, dayMs) * dayMs
        switch self {
        case .day:
            return (WallTime(milliseconds: dayStart - offsetMs), WallTime(milliseconds: dayStart + dayMs - offsetMs))
        case .week:
            // 1970-01-01 was a Thursday: days since then + 3, mod 7, is days since Monday.
            let days = Self.floorDiv(dayStart, dayMs)
            let sinceMonday = ((days + 3) % 7 + 7) % 7
            let start = dayStart - sinceMonday * dayMs
            return (WallTime(milliseconds: start - offsetMs), WallTime(milliseconds: start + 7 * dayMs - offsetMs))
        case .month:
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let date = Date(timeIntervalSince1970: Double(dayStart) / 1000)
            let parts = calendar.dateComponents([.year, .month], from: date)
            let start = calendar.date(from: parts)!
            let end = calendar.date(byAdding: .month, value: 1, to: start)!
            return (
                WallTime(milliseconds: Int64(start.timeIntervalSince1970 * 1000) - offsetMs),
                WallTime(milliseconds: Int64(end.timeIntervalSince1970 * 1000) - offsetMs)
            )
        }
    }

    /// Hour of day (0–23) of a time already shifted to local time.
    public static func hourOfDay(_ local: WallTime) -> Int {
        Int(floorDiv(local.milliseconds, 3_600_000) % 24 + 24) % 24
    }

    /// `yyyy-MM-dd` of a time already shifted to local time.
    public static func dateString(_ local: WallTime) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: local.date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// Parses `yyyy-MM-dd` as local midnight, returned in UTC (nil when malformed).
    public static func parseDate(_ text: String, utcOffsetSeconds: Int) -> WallTime? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
            calendar.component(.day, from: date) == parts[2]
        else { return nil }
        return WallTime(milliseconds: Int64(date.timeIntervalSince1970 * 1000) - Int64(utcOffsetSeconds) * 1000)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
