import Foundation

/// The suppression list as CSV (`salvo suppression export`): `sign_name,phone,source,added_at`,
/// an empty sign name for every sign, times in ISO 8601; `suppression import --all-signs` reads it
/// back.
public enum SuppressionExport {
    /// The CSV text of `list`, header first.
    public static func csv(_ list: [(signName: String, phone: String, source: String, addedAt: Double)]) -> String {
        let formatter = ISO8601DateFormatter()
        var text = "sign_name,phone,source,added_at\n"
        for entry in list {
            text += [ReportCSV.field(entry.signName), entry.phone, entry.source, formatter.string(from: Date(timeIntervalSince1970: entry.addedAt))].joined(separator: ",") + "\n"
        }
        return text
    }
}
