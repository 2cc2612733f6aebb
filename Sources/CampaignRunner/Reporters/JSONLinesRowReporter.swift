import Foundation
import SalvoIO

/// Rows as one JSON object per line, keyed by column name (sorted keys; the first of two equal
/// names wins).
public final class JSONLinesRowReporter: RowReporter {
    private let output: any TextOutput
    private var columns: [String] = []

    /// A reporter writing to `output`.
    public init(output: any TextOutput) {
        self.output = output
    }

    /// Keeps the names of the columns.
    public func begin(columns: [String]) {
        self.columns = columns
    }

    /// Writes one object.
    public func row(_ values: [String]) {
        let object = Dictionary(zip(columns, values), uniquingKeysWith: { first, _ in first })
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        output.write(String(decoding: data, as: UTF8.self) + "\n")
    }
}
