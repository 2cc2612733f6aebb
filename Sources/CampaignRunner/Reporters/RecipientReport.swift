/// The rows of `salvo report`: one per recipient with its outcome, written through a
/// `RowReporter`, from a campaign's stored run.
public struct RecipientReport {
    /// The campaign's state.
    public var reader: StatusReader

    /// A report of `reader`'s campaign.
    public init(reader: StatusReader) {
        self.reader = reader
    }

    /// The columns of a row: phone, parameters, outcome, code, batch, out_id, biz_id, then with
    /// `receipts` the looked-up receipt's (`ReceiptLookup.columns`), then the pushed receipt's,
    /// then the recipient's calling code (`country`).
    public func columns(receipts: Bool = false) -> [String] {
        ["phone"] + reader.campaign.parameters.map(\.name.value) + ["outcome", "code", "batch", "out_id", "biz_id"]
            + (receipts ? ReceiptLookup.columns : []) + StatusReader.deliveryColumns + [StatusReader.countryColumn]
    }

    /// Writes the recipients of `selection` through `reporter`.
    public func write(_ selection: StatusReader.ReportSelection, to reporter: some RowReporter) async throws(RunStoreError) {
        reporter.begin(columns: columns())
        _ = try await reader.report(selection) { reporter.row($0) }
    }

    /// Writes everyone who did not get the message, with the reason, through `reporter`.
    public func writeNotSent(to reporter: some RowReporter) async throws -> StatusReader.NotSentSummary {
        reporter.begin(columns: reader.notSentColumns)
        return try await reader.notSent { reporter.row($0) }
    }

    /// The rows of `selection` and each batch's send time, for a lookup of their receipts.
    public func rowsForReceipts(_ selection: StatusReader.ReportSelection) async throws(RunStoreError) -> (rows: [[String]], attemptTimes: [Int: Double]) {
        var rows: [[String]] = []
        _ = try await reader.report(selection) { rows.append($0) }
        return (rows, try await reader.attemptTimes())
    }

    /// What a lookup of the receipts of `rows` (from `rowsForReceipts`) at `endpoint` will do.
    public func askingNote(_ rows: [[String]], endpoint: String) -> String {
        let asking = ReceiptLookup.asking(rows, columns: columns(receipts: true))
        return "asking \(endpoint) for the receipts of \(asking) sent recipient\(asking == 1 ? "" : "s") (QuerySendDetails, one query each)"
    }

    /// Writes `rows` (from `rowsForReceipts`) through `reporter`, each sent one with the receipt
    /// `lookup` finds: QuerySendDetails' answer, then what was pushed.
    public func writeWithReceipts(_ rows: [[String]], attemptTimes: [Int: Double], lookup: ReceiptLookup, to reporter: some RowReporter) async {
        let columns = columns(receipts: true)
        reporter.begin(columns: columns)
        await lookup.addReceipts(to: rows, columns: columns, attemptTimes: attemptTimes) { reporter.row($0) }
    }
}
