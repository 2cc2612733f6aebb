import Foundation
import YAMLSyntax

extension CampaignDecoder {
    /// China Standard Time, in which the promotional night ban (20:00–08:00) is read.
    static let chinaOffsetMinutes = 8 * 60
    /// The legal promotional sending hours, in minutes after midnight China time.
    static let promotionalHours = DailyWindow(start: 8 * 60, end: 20 * 60)

    mutating func decodeSchedule(_ node: YAMLNode?, anchor: SourceRange, templateType: TemplateType?) -> Schedule? {
        var schedule = Schedule(timezone: Located("Asia/Shanghai", at: anchor), start: nil, end: nil, windows: [], days: Set(Weekday.allCases))
        guard let node, !node.isNull else { return schedule }
        guard let fields = fields(node, section: "schedule", anchor: anchor, known: ["timezone", "start", "end", "windows", "days"]) else { return nil }
        var zone = TimeZone(identifier: "Asia/Shanghai")
        if let node = fields["timezone"], let name = text(node, "schedule.timezone") {
            schedule.timezone = name
            zone = TimeZone(identifier: name.value)
            if zone == nil {
                report(.unknownTimeZone(name.value, suggestion: Self.timeZoneSuggestion(name.value), at: location(name.range)))
            }
        }
        schedule.start = fields["start"].flatMap { dateTime($0, "schedule.start") }
        schedule.end = fields["end"].flatMap { dateTime($0, "schedule.end") }
        if let start = schedule.start, let end = schedule.end, end.value <= start.value {
            report(.endBeforeStart(at: location(end.range), start: location(start.range)))
        }
        if let node = fields["windows"], let items = list(node, "schedule.windows") {
            if items.isEmpty { report(.emptyList("schedule.windows", at: location(node.range))) }
            for item in items {
                guard let raw = text(item, "schedule.windows") else { continue }
                guard let window = Self.parseWindow(raw.value) else {
                    report(.badWindow(raw.value, at: location(raw.range)))
                    continue
                }
                if let other = schedule.windows.first(where: { $0.value.start < window.end && window.start < $0.value.end }) {
                    report(.windowOverlap(raw.value, other: location(other.range), at: location(raw.range)))
                }
                schedule.windows.append(Located(window, at: raw.range))
            }
        }
        if let node = fields["days"], let items = list(node, "schedule.days") {
            if items.isEmpty { report(.emptyList("schedule.days", at: location(node.range))) }
            var days = Set<Weekday>()
            for item in items {
                guard let day = choice(item, "schedule.days", as: Weekday.self) else { continue }
                if days.contains(day.value) {
                    report(.dayRepeated(day.value.rawValue, at: location(day.range)))
                }
                days.insert(day.value)
            }
            schedule.days = days
        }
        if templateType == .promotional, let zone {
            checkNightBan(schedule, zone: zone)
        }
        return schedule
    }

    private mutating func dateTime(_ node: YAMLNode, _ path: String) -> Located<LocalDateTime>? {
        guard let raw = text(node, path) else { return nil }
        guard let value = Self.parseDateTime(raw.value) else {
            report(.badDateTime(path, value: raw.value, at: location(raw.range)))
            return nil
        }
        return Located(value, at: raw.range)
    }

    /// Every window must lie inside 08:00–20:00 China time, under each UTC offset the zone uses in
    /// the campaign's year (summer and winter time both).
    private mutating func checkNightBan(_ schedule: Schedule, zone: TimeZone) {
        let year = schedule.start?.value.year ?? Calendar(identifier: .gregorian).component(.year, from: Date())
        var offsets = Set<Int>()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? zone
        for month in [1, 4, 7, 10] {
            if let date = calendar.date(from: DateComponents(year: year, month: month, day: 1)) {
                offsets.insert(zone.secondsFromGMT(for: date) / 60)
            }
        }
        for window in schedule.windows {
            for offset in offsets.sorted() {
                let shift = Self.chinaOffsetMinutes - offset
                let start = window.value.start + shift
                let end = window.value.end + shift
                if start < Self.promotionalHours.start || end > Self.promotionalHours.end {
                    let shown = shift == 0 ? "the ban is read in China time" : "\(Self.clock(start))-\(Self.clock(end)) China time"
                    report(.nightBan(Self.windowText(window.value), chinaTime: shown, at: location(window.range)))
                    break
                }
            }
        }
    }

    static func parseWindow(_ text: String) -> DailyWindow? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = minutes(String(parts[0])), let end = minutes(String(parts[1])),
              start < 24 * 60, end <= 24 * 60, start < end else { return nil }
        return DailyWindow(start: start, end: end)
    }

    private static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0...24).contains(hours), (0..<60).contains(minutes), hours < 24 || minutes == 0 else { return nil }
        return hours * 60 + minutes
    }

    static func parseDateTime(_ text: String) -> LocalDateTime? {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count == 16 || scalars.count == 19 else { return nil }
        func number(_ from: Int, _ length: Int) -> Int? {
            let slice = scalars[from..<(from + length)]
            guard slice.allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
            return Int(String(String.UnicodeScalarView(slice)))
        }
        guard scalars[4] == "-", scalars[7] == "-", scalars[10] == "T", scalars[13] == ":",
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2) else { return nil }
        var second = 0
        if scalars.count == 19 {
            guard scalars[16] == ":", let value = number(17, 2) else { return nil }
            second = value
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...days[month - 1]).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        return LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    static func clock(_ minutes: Int) -> String {
        let wrapped = ((minutes % 1440) + 1440) % 1440
        let shown = minutes == 1440 ? 1440 : wrapped
        let hours = shown / 60, rest = shown % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
    }

    static func windowText(_ window: DailyWindow) -> String {
        "\(clock(window.start))-\(clock(window.end))"
    }

    private static func timeZoneSuggestion(_ name: String) -> String? {
        let china = ["beijing", "asia/beijing", "china", "cst", "prc", "utc+8", "gmt+8", "asia/chongqing", "asia/harbin"]
        if china.contains(name.lowercased()) { return "Asia/Shanghai" }
        return Suggestion.closest(to: name, among: TimeZone.knownTimeZoneIdentifiers)
    }
}
