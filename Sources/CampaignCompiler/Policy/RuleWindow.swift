import Foundation

/// The stretch of time a frequency rule counts sends in: a calendar period in a zone (this
/// minute, hour, day, week from Monday, month), or a rolling duration back from the send. Time
/// is always an argument (seconds since 1970), never read here.
public enum RuleWindow: Sendable, Hashable {
    /// A calendar period.
    public enum Period: String, Sendable, CaseIterable { case minute, hour, day, week, month }

    /// A calendar period in a zone.
    case calendar(Period, TimeZone)
    /// The `seconds` before the send.
    case rolling(seconds: Int64)

    /// A stretch of time, `[start, end)` in seconds since 1970.
    public struct Span: Sendable, Hashable {
        public var start: Int64
        public var end: Int64

        /// The span `[start, end)`.
        public init(start: Int64, end: Int64) {
            self.start = start
            self.end = end
        }
    }

    /// The windows a send leaving at any instant of `[from, to]` is counted in: one or two for a
    /// calendar period (two when the interval crosses a boundary), one for a rolling window
    /// (`[from - seconds, to + 1)`).
    public func windows(from: Int64, to: Int64) -> [Span] {
        switch self {
        case .rolling(let seconds):
            return [Span(start: from - seconds, end: to + 1)]
        case .calendar(let period, let zone):
            let first = Self.span(of: period, in: zone, containing: from)
            guard to >= first.end else { return [first] }
            return [first, Self.span(of: period, in: zone, containing: to)]
        }
    }

    /// The longest the window can be, in seconds (a month: 31 days), for keeping the ledger.
    public var longestSeconds: Int64 {
        switch self {
        case .rolling(let seconds): seconds
        case .calendar(.minute, _): 60
        case .calendar(.hour, _): 3600
        case .calendar(.day, _): 25 * 3600
        case .calendar(.week, _): 7 * 86_400 + 3600
        case .calendar(.month, _): 31 * 86_400 + 3600
        }
    }

    /// The calendar period of `zone` that holds the instant `time`. Minutes, hours and days of a
    /// zone with a fixed offset are integer arithmetic; other zones ask the calendar, whose days
    /// may be 23 or 25 hours long.
    static func span(of period: Period, in zone: TimeZone, containing time: Int64) -> Span {
        let length: Int64? = switch period {
        case .minute: 60
        case .hour: 3600
        case .day: 86_400
        case .week, .month: nil
        }
        let date = Date(timeIntervalSince1970: TimeInterval(time))
        let offset = Int64(zone.secondsFromGMT(for: date))
        // Minutes and hours follow the offset in force; a day does too unless the zone changes
        // its offset within a day of `time` (then the calendar's day, 23 or 25 hours, is right).
        let steady = period != .day || zone.nextDaylightSavingTimeTransition(after: date.addingTimeInterval(-86_400)).map {
            $0.timeIntervalSince1970 > TimeInterval(time + 86_400)
        } ?? true
        if let length, steady {
            let start = Self.floor(time + offset, length) - offset
            return Span(start: start, end: start + length)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        calendar.firstWeekday = 2
        let component: Calendar.Component = switch period {
        case .minute: .minute
        case .hour: .hour
        case .day: .day
        case .week: .weekOfYear
        case .month: .month
        }
        guard let interval = calendar.dateInterval(of: component, for: date) else { return Span(start: time, end: time + 1) }
        return Span(start: Int64(interval.start.timeIntervalSince1970.rounded()), end: Int64(interval.end.timeIntervalSince1970.rounded()))
    }

    /// `value` rounded down to a multiple of `step` (towards minus infinity).
    private static func floor(_ value: Int64, _ step: Int64) -> Int64 {
        let remainder = value % step
        return remainder < 0 ? value - remainder - step : value - remainder
    }
}
