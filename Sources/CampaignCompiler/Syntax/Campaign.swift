public import YAMLSyntax

/// A value with the range of the YAML node it came from.
public struct Located<Value: Sendable>: Sendable {
    /// The value.
    public var value: Value
    /// Where it was written; for a default, the range of the mapping that omitted it.
    public var range: SourceRange

    /// Creates a located value.
    public init(_ value: Value, at range: SourceRange) {
        self.value = value
        self.range = range
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}

/// A campaign file (version 1), decoded and checked.
public struct Campaign: Sendable {
    /// The newest campaign file version this build reads.
    public static let supportedVersion = 1

    /// The campaign file's path as the user named it.
    public var path: String
    /// The campaign id: unique per state store.
    public var id: Located<String>
    /// Free text for people.
    public var description: String?
    /// Where and how to send.
    public var provider: Provider
    /// The approved signature name, without 【】.
    public var signName: Located<String>
    /// The approved template.
    public var template: Template
    /// One binding per placeholder, in file order.
    public var parameters: [Parameter]
    /// Who gets the message.
    public var recipients: Recipients
    /// When sending may happen.
    public var schedule: Schedule
    /// Rates, batch sizes, prices and guards.
    public var sending: Sending
}

/// The SMS provider block.
public struct Provider: Sendable {
    /// The signature scheme for requests.
    public enum Signing: String, Sendable, CaseIterable {
        /// HMAC-SHA1, SignatureVersion 1.0.
        case v1
        /// ACS3-HMAC-SHA256.
        case v3
    }

    /// The provider's name; only `aliyun` exists.
    public var name = "aliyun"
    /// The region id.
    public var region = "cn-hangzhou"
    /// The endpoint URL.
    public var endpoint = "https://dysmsapi.aliyuncs.com"
    /// The signature scheme.
    public var signing = Signing.v3
}

/// The kind of template, which decides the content rules.
public enum TemplateType: String, Sendable, CaseIterable {
    case verification, notification, promotional
}

/// An approved template and its content.
public struct Template: Sendable {
    /// The template code, such as `SMS_200000000`.
    public var code: Located<String>
    /// The template's kind.
    public var type: Located<TemplateType>
    /// The content with its `${placeholders}`.
    public var content: Located<String>
    /// The placeholders, in order of appearance, each with its range in the campaign file.
    public var placeholders: [Located<String>]
    /// False when the content has a malformed placeholder (`${`, `{{name}}`, …).
    public var wellFormed = true
    /// Mainland or international (where it was written, or the `template` mapping).
    public var destination: Located<Destination>
}

/// The kind of value a parameter holds; each has its own rule.
public enum ParameterType: String, Sendable, CaseIterable {
    case code, number, money, date, time, phone, name, text
}

/// How one placeholder gets its value.
public struct Parameter: Sendable {
    /// Where the value comes from.
    public enum Binding: Sendable {
        /// A column of the recipient rows.
        case column(Located<String>)
        /// One constant for everyone.
        case constant(Located<String>)
    }

    /// The placeholder's name (the key under `parameters`).
    public var name: Located<String>
    /// The parameter's type.
    public var type: Located<ParameterType>
    /// Where the value comes from.
    public var binding: Binding
    /// The value used where the column is empty.
    public var defaultValue: Located<String>?
}

/// Who gets the message: sources in order, exclusion lists, and what to do with invalid rows.
public struct Recipients: Sendable {
    /// What to do with an invalid recipient row.
    public enum InvalidPolicy: String, Sendable, CaseIterable {
        case fail, skip
    }

    /// The sources, read in order.
    public var sources: [RecipientSourceSpec]
    /// Suppression lists.
    public var exclude: [RecipientSourceSpec]
    /// What to do with invalid rows.
    public var invalid: InvalidPolicy
    /// International campaigns: the country (ISO 3166 alpha-2, upper case) whose national
    /// numbers bare digits are; nil when bare digits are country code + number.
    public var defaultCountry: Located<String>?
    /// Which files the sources may name and the bounds on reading them; set from `CheckOptions`.
    public var access = SourceAccess()
}

/// One recipient source as the campaign file names it.
public struct RecipientSourceSpec: Sendable {
    /// The source's format.
    public enum Kind: String, Sendable, CaseIterable {
        case csv, jsonl, sqlite
    }

    /// A CSV file's text encoding.
    public enum Encoding: String, Sendable, CaseIterable {
        case utf8 = "utf-8"
        case gb18030
    }

    /// The format.
    public var kind: Kind
    /// The path as written (relative to the campaign file).
    public var path: Located<String>
    /// The path resolved against the campaign file's folder.
    public var resolvedPath: String
    /// The column that holds the phone number.
    public var phoneColumn: Located<String>
    /// A CSV file's encoding.
    public var encoding: Encoding
    /// A SQLite source's query.
    public var query: Located<String>?
    /// The range of the whole source entry.
    public var range: SourceRange
}

/// A date and time on a wall clock, without a zone.
public struct LocalDateTime: Sendable, Hashable, Comparable {
    public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

    /// Creates a wall-clock time.
    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute, lhs.second)
            < (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute, rhs.second)
    }
}

/// A daily send window in local time, as minutes after midnight (end up to 1440).
public struct DailyWindow: Sendable, Hashable {
    /// The first minute of the window.
    public var start: Int
    /// The minute the window closes.
    public var end: Int

    /// Creates a window.
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

/// A day of the week.
public enum Weekday: String, Sendable, CaseIterable {
    case mon, tue, wed, thu, fri, sat, sun
}

/// When sending may happen.
public struct Schedule: Sendable {
    /// The IANA time zone in which the times are read.
    public var timezone: Located<String>
    /// The local time before which nothing is sent.
    public var start: Located<LocalDateTime>?
    /// The local time after which nothing is sent.
    public var end: Located<LocalDateTime>?
    /// Daily windows; empty means all day (for promotional templates, the legal 08:00–20:00).
    public var windows: [Located<DailyWindow>]
    /// The days on which sending may happen.
    public var days: Set<Weekday>
}

/// Rates, batch sizes, prices and guards.
public struct Sending: Sendable {
    /// Messages per second at most.
    public var rate = 100
    /// Requests in flight at most.
    public var concurrency = 8
    /// Recipients per SendBatchSms request.
    public var batchSize = 100
    /// Price of one segment, for estimates: the default of `prices`.
    public var pricePerSegment: Double {
        get { prices.defaultPrice }
        set { prices.defaultPrice = newValue }
    }
    /// Prices of a segment per calling code, with `pricePerSegment` as the default.
    public var prices = SegmentPrices(defaultPrice: 0.045)
    /// The most recipients a compile accepts.
    public var maxRecipients = 1_000_000
    /// The highest estimated cost a compile accepts.
    public var maxCost = 50_000.0
    /// Where each key of the block was written, for diagnostics about its value.
    public var ranges: [String: SourceRange] = [:]
}

extension Schedule {
    /// A schedule in `timezone` (written nowhere: for tools and tests), by default without start
    /// or end, all day, every day.
    public init(timezone: String, start: LocalDateTime? = nil, end: LocalDateTime? = nil, windows: [DailyWindow] = [], days: Set<Weekday> = Set(Weekday.allCases)) {
        let nowhere = SourceRange(start: SourcePosition(line: 1, column: 1), end: SourcePosition(line: 1, column: 1))
        self.timezone = Located(timezone, at: nowhere)
        self.start = start.map { Located($0, at: nowhere) }
        self.end = end.map { Located($0, at: nowhere) }
        self.windows = windows.map { Located($0, at: nowhere) }
        self.days = days
    }
}
