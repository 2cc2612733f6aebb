import YAMLSyntax

extension RecipientSourceSpec {
    /// The source this entry of the campaign file at `campaignPath` describes, read under `access`.
    public func makeSource(access: SourceAccess, campaignPath: String) -> any RecipientSource {
        kind.format.makeSource(self, columns: [phoneColumn.value], access: access, campaignPath: campaignPath)
    }
}
