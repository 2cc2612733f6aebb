import YAMLSyntax

extension CampaignDecoder {
    /// Checks that every recipient file exists and that its header has the columns the campaign
    /// names: the phone column, and for sources (not exclusion lists) every `from:` column.
    /// Returns the header lines read, by file path, for showing under diagnostics.
    mutating func checkRecipientFiles(_ recipients: Recipients, parameters: [Parameter]) -> [String: SourceText] {
        var headers: [String: SourceText] = [:]
        let columns = parameters.compactMap { parameter -> (Located<String>, String)? in
            guard case .column(let column) = parameter.binding else { return nil }
            return (column, "parameter '\(parameter.name.value)'")
        }
        for (spec, isExclusion) in recipients.sources.map({ ($0, false) }) + recipients.exclude.map({ ($0, true) }) {
            let fileLocation = location(spec.path.range)
            switch SourceHeader.read(spec) {
            case .failure(.missing):
                report(.sourceMissing(spec.path.value, resolved: spec.resolvedPath, at: fileLocation))
            case .failure(.unreadable(let reason)):
                report(.sourceUnreadable(spec.path.value, reason: reason, at: fileLocation))
            case .failure(.empty):
                report(.sourceUnreadable(spec.path.value, reason: spec.kind == .csv ? "the file is empty; it needs a header row" : "the file holds no rows", at: fileLocation))
            case .failure(.notUTF8(let line)):
                let hint = spec.kind == .csv ? "; files exported by Excel in China need 'encoding: gb18030'" : ""
                report(.sourceUnreadable(spec.path.value, reason: "line \(line) is not valid UTF-8\(hint)", at: fileLocation))
            case .failure(.notAnObject(let line)):
                report(.sourceUnreadable(spec.path.value, reason: "line \(line) is not a JSON object", at: fileLocation))
            case .success(nil):
                break
            case .success(let header?):
                headers[spec.resolvedPath] = header.text
                let at = SourceLocation(file: spec.resolvedPath, range: header.range)
                let needed = [(spec.phoneColumn, "the phone column")] + (isExclusion ? [] : columns)
                var reported = Set<String>()
                for (column, role) in needed where !header.columns.contains(column.value) && !reported.contains(column.value) {
                    reported.insert(column.value)
                    report(.columnMissing(column.value, role: role, header: header.columns, named: location(column.range), at: at))
                }
            }
        }
        return headers
    }
}
