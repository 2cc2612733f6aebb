import Foundation

/// When a campaign may send: its windows on its days in its time zone, between start and end.
/// Time is always an argument, so the rules are tested at any instant without waiting.
public struct ScheduleCalendar: Sendable {
    /// One open interval.
    public struct Opening: Sendable, Hashable {
        public var start: Date
        public var end: Date
    }

    private let zone: TimeZone
    private let windows: [DailyWindow]
    private let days: Set<Weekday>
    private let start: Date?
    private let end: Date?

    /// The calendar of a campaign. A promotional campaign without windows may send only
    /// 08:00–20:00 China time, whatever its zone.
    public init(schedule: Schedule, templateType: TemplateType) {
        let campaignZone = TimeZone(identifier: schedule.timezone.value) ?? TimeZone(identifier: "Asia/Shanghai") ?? .current
        if schedule.windows.isEmpty, templateType == .promotional {
            zone = TimeZone(identifier: "Asia/Shanghai") ?? campaignZone
            windows = [DailyWindow(start: 8 * 60, end: 20 * 60)]
        } else {
            zone = campaignZone
            windows = schedule.windows.isEmpty ? [DailyWindow(start: 0, end: 24 * 60)] : schedule.windows.map(\.value).sorted { $0.start < $1.start }
        }
        days = schedule.days
        start = schedule.start.map { Self.date($0.value, in: campaignZone) }
        end = schedule.end.map { Self.date($0.value, in: campaignZone) }
    }

    /// The instant a wall-clock time names in a zone.
    public static func date(_ local: LocalDateTime, in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: local.year, month: local.month, day: local.day, hour: local.hour, minute: local.minute, second: local.second)) ?? Date.distantPast
    }

    /// The campaign's start, if it has one.
    public var startDate: Date? { start }

    /// The campaign's end, if it has one.
    public var endDate: Date? { end }

    /// The openings that overlap `[from, until)`, in order (at most `limit` of them).
    public func openings(from: Date, until: Date, limit: Int = 10_000) -> [Opening] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let lower = max(from, start ?? from)
        let upper = min(until, end ?? until)
        guard lower < upper else { return [] }
        var result: [Opening] = []
        var day = calendar.startOfDay(for: lower)
        while day < upper, result.count < limit {
            let weekday = Self.weekday(calendar.component(.weekday, from: day))
            if days.contains(weekday) {
                for window in windows {
                    guard let open = calendar.date(byAdding: .minute, value: window.start, to: day),
                          let close = calendar.date(byAdding: .minute, value: window.end, to: day) else { continue }
                    let clipped = Opening(start: max(open, lower), end: min(close, upper))
                    if clipped.start < clipped.end { result.append(clipped) }
                }
            }
            guard let next = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = next
        }
        return result
    }

    /// Whether sending is allowed at `instant`, and until when.
    public func openUntil(at instant: Date) -> Date? {
        openings(from: instant, until: instant.addingTimeInterval(2 * 86_400), limit: 1).first.flatMap { $0.start <= instant ? $0.end : nil }
    }

    /// The first instant at or after `instant` when sending is allowed; nil when it never is again
    /// (past the end, or within the next year no window opens).
    public func nextOpening(after instant: Date) -> Date? {
        openings(from: instant, until: instant.addingTimeInterval(366 * 86_400), limit: 1).first?.start
    }

    /// When `seconds` of sending, started no earlier than `instant`, would be done, counting
    /// only open time; nil when they do not fit before the end.
    public func finish(after instant: Date, sendingFor seconds: Double) -> Date? {
        var remaining = seconds
        var from = instant
        while true {
            let batch = openings(from: from, until: from.addingTimeInterval(366 * 86_400), limit: 500)
            guard !batch.isEmpty else { return nil }
            for opening in batch {
                let length = opening.end.timeIntervalSince(opening.start)
                if remaining <= length { return opening.start.addingTimeInterval(remaining) }
                remaining -= length
                from = opening.end
            }
        }
    }

    private static func weekday(_ component: Int) -> Weekday {
        // Calendar: 1 is Sunday.
        [.sun, .mon, .tue, .wed, .thu, .fri, .sat][(component - 1 + 7) % 7]
    }
}
