/// The clock window of a per-number frequency limit (`isv.BUSINESS_LIMIT_CONTROL`).
public enum LimitWindow: String, Sendable, Hashable {
    case minute, hour, day

    /// The window named in the platform's message (`触发分钟级流控`, `触发小时级流控`, `触发天级流控`);
    /// a day when it names none, the safe reading.
    public static func parse(_ message: String) -> LimitWindow {
        if message.contains("分钟") || message.lowercased().contains("minute") { return .minute }
        if message.contains("小时") || message.lowercased().contains("hour") { return .hour }
        return .day
    }
}
