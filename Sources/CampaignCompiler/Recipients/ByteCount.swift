/// Byte counts as people read them, and as options take them ("4GiB", "500M", "1048576").
public enum ByteCount {
    /// "4 GiB", "1.5 MiB", "312 bytes".
    public static func describe(_ bytes: Int64) -> String {
        let units: [(Int64, String)] = [(1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (size, name) in units where bytes >= size {
            let value = Double(bytes) / Double(size)
            return value == value.rounded() ? "\(Int64(value)) \(name)" : "\(Double(Int64(value * 10)) / 10) \(name)"
        }
        return "\(bytes) bytes"
    }

    /// Parses a count with an optional unit K, M, G, T (powers of 1024; "KiB", "KB" and "k" too).
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingSpaces
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int64(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingSpaces.lowercased()
        let shift: Int64
        switch unit {
        case "", "b": shift = 0
        case "k", "kb", "kib": shift = 10
        case "m", "mb", "mib": shift = 20
        case "g", "gb", "gib": shift = 30
        case "t", "tb", "tib": shift = 40
        default: return nil
        }
        let (result, overflow) = value.multipliedReportingOverflow(by: Int64(1) << shift)
        return overflow ? nil : result
    }
}
