import YAMLSyntax

extension RecipientSourceSpec.Kind {
    /// The format of sources of this kind: the one place a source kind is switched on.
    var format: any SourceFormat {
        switch self {
        case .csv: CSVFormat()
        case .jsonl: JSONLinesFormat()
        case .sqlite: SQLiteFormat()
        }
    }
}
