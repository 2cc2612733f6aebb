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

extension RecipientSourceSpec {
    /// The source this entry of the campaign file at `campaignPath` describes, read under `access`.
    public func makeSource(access: SourceAccess, campaignPath: String) -> any RecipientSource {
        kind.format.makeSource(self, columns: [phoneColumn.value], access: access, campaignPath: campaignPath)
    }
}
