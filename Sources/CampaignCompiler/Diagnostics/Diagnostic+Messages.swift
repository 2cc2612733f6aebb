import YAMLSyntax

/// The catalog: every diagnostic Salvo reports, with its stable id. Messages are lowercase, with
/// no final period and names in 'quotes'.
extension Diagnostic {
    /// A value from the user's file as a message shows it: at most 40 characters, so that a huge
    /// value cannot make a huge message.
    static func short(_ value: String) -> String {
        guard value.count > 40 else { return value }
        return String(value.prefix(37)) + "…"
    }

    // MARK: - Files and YAML

    /// Plain words for libyaml's most common complaints.
    static func syntaxHint(_ problem: String) -> FixIt? {
        if problem.contains("mapping values are not allowed") {
            return FixIt("a ':' followed by a space inside a value needs quotes; otherwise this line is indented wrongly")
        }
        if problem.contains("did not find expected key") || problem.contains("did not find expected '-' indicator") {
            return FixIt("check the indentation: keys of one mapping start in the same column")
        }
        if problem.contains("did not find expected ',' or ']'") || problem.contains("did not find expected ',' or '}'") {
            return FixIt("a '[' or '{' opened in the note's place is not closed")
        }
        if problem.contains("found character that cannot start any token") {
            return FixIt("'@', '`' and some other characters cannot start a value; put the value in quotes")
        }
        if problem.contains("found undefined tag handle") || problem.contains("found unknown escape character") {
            return FixIt("put the value in single quotes to take it literally")
        }
        return nil
    }

    static func fileUnreadable(_ reason: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "file-unreadable", "the campaign file \(reason)", at: location)
    }

    static func fileTooLarge(bytes: Int, limit: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "file-too-large", "campaign file is \(bytes) bytes, more than the \(limit) a campaign file may have", at: location)
    }

    static func yamlEmpty(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "yaml-empty", "file is empty; a campaign file starts with 'version: 1'", at: location)
    }

    static func yaml(_ problem: YAMLProblem, file: String) -> Diagnostic {
        let location = SourceLocation(file: file, range: problem.range)
        let related = problem.relatedRange.map { SourceLocation(file: file, range: $0) }
        switch problem.kind {
        case .syntax(let text, let context):
            var notes: [DiagnosticNote] = []
            if let context { notes.append(DiagnosticNote(context, at: related)) }
            return Diagnostic(.error, "yaml-syntax", text, at: location, notes: notes, fixIt: syntaxHint(text))
        case .invalidUTF8(let byte):
            let hex = String(byte, radix: 16, uppercase: true)
            return Diagnostic(.error, "yaml-encoding", "file is not valid UTF-8 (byte 0x\(hex.count == 1 ? "0" + hex : hex))", at: location,
                              fixIt: FixIt("save the file as UTF-8; text exported on Chinese Windows is often GB18030"))
        case .unsupportedEncoding(let name):
            return Diagnostic(.error, "yaml-encoding", "file is \(name); campaign files must be UTF-8", at: location,
                              fixIt: FixIt("save the file as UTF-8"))
        case .nulByte:
            return Diagnostic(.error, "yaml-nul-byte", "file holds a NUL byte, which no text file has", at: location)
        case .tabIndentation:
            return Diagnostic(.error, "yaml-tab-indent", "tab character in indentation; YAML indents with spaces only", at: location,
                              fixIt: FixIt("replace the tab with spaces"))
        case .duplicateKey(let key, _):
            return Diagnostic(.error, "yaml-duplicate-key", "duplicate key '\(short(key))'", at: location,
                              notes: [DiagnosticNote("'\(short(key))' first defined here", at: related)])
        case .aliasExpansionLimit(let alias, let limit):
            return Diagnostic(.error, "yaml-alias-limit", "alias '*\(alias)' expands the document past \(limit) nodes; refusing a file that multiplies through aliases", at: location,
                              notes: [DiagnosticNote("'&\(alias)' is anchored here", at: related)])
        case .undefinedAlias(let name):
            return Diagnostic(.error, "yaml-undefined-alias", "alias '*\(name)' has no anchor '&\(name)' before it", at: location)
        case .invalidMerge:
            return Diagnostic(.error, "yaml-merge", "merge key '<<' needs a mapping or a list of mappings", at: location)
        case .multipleDocuments:
            return Diagnostic(.error, "yaml-multiple-documents", "a campaign file holds one YAML document; this starts a second", at: location)
        case .nestingTooDeep(let limit):
            return Diagnostic(.error, "yaml-too-deep", "lists and mappings nest deeper than \(limit) levels", at: location)
        }
    }

    // MARK: - Structure

    static func unknownKey(_ key: String, in section: String, suggestion: String?, at location: SourceLocation) -> Diagnostic {
        let place = section.isEmpty ? "campaign file" : "'\(section)'"
        return Diagnostic(.error, "unknown-key", "unknown key '\(short(key))' in \(place)", at: location,
                          fixIt: suggestion.map { FixIt("did you mean '\($0)'?", replacement: $0) })
    }

    static func missingKey(_ key: String, in section: String, at location: SourceLocation) -> Diagnostic {
        let place = section.isEmpty ? "campaign file" : "'\(section)'"
        return Diagnostic(.error, "missing-key", "missing required key '\(short(key))' in \(place)", at: location)
    }

    static func wrongType(_ path: String, expected: String, found: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "wrong-type", "'\(path)' must be \(expected), found \(found)", at: location)
    }

    static func invalidChoice(_ path: String, value: String, choices: [String], suggestion: String?, at location: SourceLocation) -> Diagnostic {
        let list = choices.map { "'\($0)'" }.joined(separator: ", ")
        return Diagnostic(.error, "invalid-value", "'\(path)' must be one of \(list), found '\(short(value))'", at: location,
                          fixIt: suggestion.map { FixIt("did you mean '\($0)'?", replacement: $0) })
    }

    static func outOfRange(_ path: String, value: String, range: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "out-of-range", "'\(path)' must be \(range), found \(value)", at: location)
    }

    static func versionUnsupported(_ version: Int, at location: SourceLocation) -> Diagnostic {
        if version > Campaign.supportedVersion {
            return Diagnostic(.error, "version-unsupported", "campaign file version \(version) is newer than this salvo reads (up to \(Campaign.supportedVersion))", at: location,
                              fixIt: FixIt("upgrade salvo, or write the file for version \(Campaign.supportedVersion)"))
        }
        return Diagnostic(.error, "version-unsupported", "campaign file version \(version) does not exist; the first version is 1", at: location)
    }

    static func campaignID(_ id: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "campaign-id", "campaign id '\(short(id))' must be 1-64 lowercase letters, digits and '-', starting with a letter or digit", at: location)
    }

    static func duplicateCampaignID(_ id: String, first: SourceLocation, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "duplicate-campaign-id", "campaign id '\(short(id))' is used by another campaign file; runs of both would share one state store", at: location,
                   notes: [DiagnosticNote("'\(short(id))' first used here", at: first)])
    }

    static func emptyList(_ path: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "empty-list", "'\(path)' needs at least one entry", at: location)
    }

    // MARK: - Provider

    static func endpoint(_ value: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "provider-endpoint", "endpoint '\(short(value))' is not an http or https URL with a host", at: location)
    }

    static func insecureEndpoint(_ value: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.warning, "provider-endpoint-http", "endpoint '\(short(value))' is plain http to a host other than this machine; requests and numbers would cross the network unencrypted", at: location,
                   fixIt: FixIt("use https"))
    }

    // MARK: - Sign name and template

    static func signNameLength(_ name: String, count: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "sign-name-length", "sign name '\(short(name))' has \(count) character\(count == 1 ? "" : "s"); a sign name has 2-12", at: location)
    }

    static func signNameBrackets(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "sign-name-brackets", "sign name must not include brackets; the platform adds 【】 around it", at: location)
    }

    static func signNameCharacter(_ character: Character, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "sign-name-characters", "sign name may hold letters, digits and Chinese characters only, found '\(character)'", at: location)
    }

    static func templateCode(_ code: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-code", "template code '\(short(code))' is not of the form 'SMS_' followed by digits", at: location)
    }

    static func templateEmpty(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-empty", "template content is empty", at: location)
    }

    static func templateTooLong(count: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-too-long", "template content has \(count) characters; the limit is 500", at: location)
    }

    static func templateControl(_ scalar: Unicode.Scalar, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-control", "template content holds the control character \(controlName(scalar)); only line breaks are allowed", at: location)
    }

    static func templateBrackets(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-brackets", "template content must not contain '【' or '】'; they are reserved for the sign name", at: location)
    }

    static func placeholderUnclosed(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-placeholder-malformed", "'${' is not closed by '}'", at: location)
    }

    static func placeholderEmpty(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-placeholder-malformed", "placeholder '${}' has no name", at: location)
    }

    static func placeholderName(_ name: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-placeholder-malformed", "placeholder name '\(short(name))' may hold only letters, digits and '_'", at: location)
    }

    static func placeholderMustache(_ name: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-placeholder-style", "'{{\(name)}}' is not a placeholder; Alibaba Cloud templates write '${\(name)}'", at: location,
                   fixIt: FixIt("write '${\(name)}'", replacement: "${\(name)}"))
    }

    static func placeholderRepeated(_ name: String, first: SourceLocation, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-placeholder-repeated", "placeholder '${\(name)}' appears twice; each variable may appear once in a template", at: location,
                   notes: [DiagnosticNote("'${\(name)}' first appears here", at: first)])
    }

    static func placeholderUnbound(_ name: String, suggestion: String?, parameters: SourceLocation?, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-placeholder-unbound", "placeholder '${\(name)}' has no parameter", at: location,
                   notes: parameters.map { [DiagnosticNote("parameters are bound here", at: $0)] } ?? [],
                   fixIt: suggestion.map { FixIt("did you mean the parameter '\($0)'?") } ?? FixIt("add '\(name): { type: text, from: COLUMN }' under 'parameters'"))
    }

    static func parameterUnused(_ name: String, template: SourceLocation, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-parameter-unused", "parameter '\(short(name))' has no placeholder '${\(name)}' in the template", at: location,
                   notes: [DiagnosticNote("template content is here", at: template)])
    }

    static func verificationKeyword(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-verification-keyword", "verification content must name 验证码, 注册码, 校验码 or 动态码", at: location)
    }

    static func promotionalOptOut(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-promotional-opt-out", "promotional content must end with '拒收请回复R'", at: location,
                   fixIt: FixIt("end the content with '拒收请回复R'"))
    }

    static func notificationOptOut(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-notification-opt-out", "notification content must not contain '拒收请回复R'; that text marks promotional templates", at: location,
                   fixIt: FixIt("remove it, or set 'template.type' to 'promotional'"))
    }

    // MARK: - Parameters

    static func parameterBinding(_ name: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "parameter-binding", "parameter '\(short(name))' needs exactly one of 'from' (a column) or 'value' (a constant)", at: location)
    }

    static func parameterDefaultWithValue(_ name: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "parameter-binding", "parameter '\(short(name))' has a constant 'value'; 'default' goes with 'from'", at: location)
    }

    static func parameterValue(_ problem: ValueProblem, parameter: String, type: ParameterType, at location: SourceLocation) -> Diagnostic {
        switch problem {
        case .empty:
            return Diagnostic(.error, "parameter-value-empty", "value of '\(parameter)' is empty; a parameter value has 1-35 characters", at: location)
        case .tooLong(let count):
            return Diagnostic(.error, "parameter-value-length", "value of '\(parameter)' has \(count) characters; a parameter value has at most 35", at: location)
        case .url:
            return Diagnostic(.error, "parameter-value-url", "value of '\(parameter)' contains a link; links may not be passed in parameters", at: location)
        case .brackets:
            return Diagnostic(.error, "parameter-value-brackets", "value of '\(parameter)' contains '【' or '】', which are reserved for the sign name", at: location)
        case .type(let expected):
            return Diagnostic(.error, "parameter-value-type", "value of '\(parameter)' is not \(expected), as type '\(type.rawValue)' needs", at: location)
        case .control(let scalar, let offset):
            return Diagnostic(.error, "parameter-value-control", "value of '\(parameter)' holds the control character \(controlName(scalar)) at its character \(offset + 1); the provider refuses control characters", at: location)
        }
    }

    /// A control character by its escape and name: `\x00 (NUL)`, `\x1B (ESC)`.
    static func controlName(_ scalar: Unicode.Scalar) -> String {
        let names: [UInt32: String] = [0x00: "NUL", 0x09: "TAB", 0x0A: "LF", 0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL", 0x9B: "CSI"]
        return PrintableText.describe(scalar) + (names[scalar.value].map { " (\($0))" } ?? "")
    }

    // MARK: - Length

    static func messageTooLong(length: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "message-too-long", "the message is \(length) characters with its sign name; the limit is 500", at: location)
    }

    static func messageMinimumTooLong(length: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "message-too-long", "the message is at least \(length) characters with its sign name and one character per column value; the limit is 500", at: location)
    }

    static func messageMinimumSegments(length: Int, segments: Int, encoding: MessageEncoding = .ucs2, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.warning, "message-segments", "the message is at least \(length) characters with its sign name and one character per column value, so each one is billed as at least \(segments) segments", at: location,
                   notes: [segmentNote(encoding)])
    }

    /// How segments are counted in `encoding`.
    static func segmentNote(_ encoding: MessageEncoding) -> DiagnosticNote {
        switch encoding {
        case .ucs2: DiagnosticNote("one segment holds 70 characters; longer messages are billed per 67")
        case .gsm7: DiagnosticNote("a GSM-7 segment holds 160 characters (the sign's [ ] and | ^ € { } ~ \\ count two); longer messages are billed per 153")
        }
    }

    static func messageSegments(length: Int, segments: Int, encoding: MessageEncoding = .ucs2, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.warning, "message-segments", "the message is \(length) characters with its sign name, so each one is billed as \(segments) segments", at: location,
                   notes: [segmentNote(encoding)])
    }

    // MARK: - Schedule

    static func unknownTimeZone(_ name: String, suggestion: String?, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "schedule-timezone", "unknown time zone '\(short(name))'; use an IANA name such as 'Asia/Shanghai'", at: location,
                   fixIt: suggestion.map { FixIt("did you mean '\($0)'?", replacement: $0) })
    }

    static func badDateTime(_ path: String, value: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "schedule-datetime", "'\(path)' must be a local date and time like 2027-03-01T09:00:00, found '\(short(value))'", at: location)
    }

    static func endBeforeStart(at location: SourceLocation, start: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "schedule-end-before-start", "'schedule.end' is not after 'schedule.start'", at: location,
                   notes: [DiagnosticNote("start is set here", at: start)])
    }

    static func badWindow(_ value: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "schedule-window", "window '\(short(value))' must be 'HH:MM-HH:MM' with the start before the end, within 00:00-24:00", at: location)
    }

    static func windowOverlap(_ value: String, other: SourceLocation, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.warning, "schedule-window-overlap", "window '\(short(value))' overlaps another window", at: location,
                   notes: [DiagnosticNote("the other window", at: other)])
    }

    static func dayRepeated(_ day: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "schedule-day-repeated", "day '\(short(day))' is listed twice", at: location)
    }

    static func nightBan(_ window: String, chinaTime: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "schedule-night-ban", "window '\(window)' reaches outside 08:00-20:00 China time (\(chinaTime)); promotional SMS may not be sent at night", at: location)
    }

    static func recipientSegments(_ histogram: [Int: Int], total: Int, destination: Destination = .mainland, template: SourceLocation, at location: SourceLocation) -> Diagnostic {
        let parts = histogram.sorted { $0.key < $1.key }.map { "\($0.value) recipient\($0.value == 1 ? "" : "s") \($0.key) segment\($0.key == 1 ? "" : "s") each" }.joined(separator: ", ")
        let recipients = histogram.values.reduce(0, +)
        // The warning stands at the first row that needs more than one segment; the template
        // (whose fixed part may be what to shorten) is a note.
        let atRow = location != template
        return Diagnostic(.warning, "message-segments", "with each row's values, \(total) segments are billed for \(recipients) recipients (\(parts))\(atRow ? "; this is the first row over one segment" : "")", at: location,
                          notes: (atRow ? [DiagnosticNote("the template", at: template)] : []) + [destination == .mainland ? segmentNote(.ucs2)
                            : DiagnosticNote("a GSM-7 message holds 160 characters in one segment, then 153 per segment; a message with any other character is UCS-2: 70, then 67")])
    }

    // MARK: - Limits

    static func tooManyRecipients(_ count: Int, limit: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "limit-recipients", "\(count) recipients to send to, more than 'max-recipients' (\(limit)); is the source or query the one you meant?", at: location,
                   fixIt: FixIt("raise 'sending.max-recipients' if the audience is right"))
    }

    static func costTooHigh(_ cost: Double, segments: Int, price: Double?, limit: Double, at location: SourceLocation) -> Diagnostic {
        let rate = price.map { "at \(Money.format($0))" } ?? "at each country's price"
        return Diagnostic(.error, "limit-cost", "estimated cost \(Money.format(cost)) (\(segments) segments \(rate)) is more than 'max-cost' (\(Money.format(limit)))", at: location,
                   fixIt: FixIt("raise 'sending.max-cost' if the spend is intended"))
    }

    // MARK: - Recipients

    static func sourceKind(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "recipients-source-kind", "a recipient source names exactly one of 'csv', 'jsonl' or 'sqlite'", at: location)
    }

    static func sourceOption(_ key: String, kind: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "unknown-key", "'\(short(key))' does not apply to a '\(kind)' source", at: location)
    }

    static func sourceMissing(_ path: String, resolved: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "recipients-file-missing", "recipient file '\(path)' does not exist", at: location,
                   notes: resolved == path ? [] : [DiagnosticNote("looked for '\(resolved)'; paths are relative to the campaign file")],
                   fixIt: FixIt("use --no-recipients to check the campaign file alone"))
    }

    static func sourceUnreadable(_ path: String, reason: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "recipients-file-unreadable", "cannot read recipient file '\(path)': \(reason)", at: location)
    }

    static func columnMissing(_ column: String, role: String, header: [String]?, named: SourceLocation, at location: SourceLocation) -> Diagnostic {
        guard let header else {
            // The first line is not shown: it may be a file's content that is not the user's.
            return Diagnostic(.error, "recipients-column-missing", "no column '\(short(column))' (\(role)); the first line is not a CSV header (its text is not shown)", at: location,
                              notes: [DiagnosticNote("'\(short(column))' is named here", at: named)])
        }
        let suggestion = Suggestion.closest(to: column, among: header)
        let shown = header.prefix(12).map { "'\(short($0))'" }.joined(separator: ", ")
        return Diagnostic(.error, "recipients-column-missing", "no column '\(short(column))' (\(role)); the header has \(shown)\(header.count > 12 ? ", …" : "")", at: location,
                          notes: [DiagnosticNote("'\(short(column))' is named here", at: named)],
                          fixIt: suggestion.map { FixIt("did you mean '\($0)'?") })
    }
}

// MARK: - Recipient rows

extension Diagnostic {
    /// A phone number as it may appear in a message: its middle hidden, since numbers are
    /// personal data; the position already says which row it is.
    static func masked(_ text: String) -> String {
        // Only digits are personal here: the first three and last four stay, the rest are hidden;
        // other characters (the reason a value is not a number) stay visible.
        // Any script's decimal digits (full-width １, Arabic-Indic ٥) are digits here.
        func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.numericType == .decimal }
        let digitCount = text.unicodeScalars.filter(isDigit).count
        var seen = 0
        var out = String.UnicodeScalarView()
        for scalar in short(text).unicodeScalars {
            guard isDigit(scalar) else {
                out.append(scalar)
                continue
            }
            let hidden = digitCount < 8 || (seen >= 3 && seen < digitCount - 4)
            out.append(hidden ? "*" : scalar)
            seen += 1
        }
        return String(out)
    }

    static func sourceFailure(_ spec: RecipientSourceSpec, _ error: RecipientSourceError, at yaml: SourceLocation) -> Diagnostic {
        let named = "recipient file '\(spec.path.value)'"
        switch error.code {
        case .missing:
            return .sourceMissing(spec.path.value, resolved: spec.resolvedPath, at: yaml)
        case .query, .queryLimit:
            let at = spec.query.map { SourceLocation(file: yaml.file, range: $0.range) } ?? yaml
            let row = error.position.map { " (at result row \($0.line))" } ?? ""
            let id: DiagnosticID = error.code == .query ? "recipients-query" : "recipients-query-limit"
            return Diagnostic(.error, id, "SQLite database '\(short(spec.path.value))' \(error.message)\(row)", at: at)
        case .outside:
            return Diagnostic(.error, "recipients-path-outside", "\(named) \(error.message)", at: yaml,
                              fixIt: FixIt("move the file under the campaign's folder, or allow its folder with --data-dir DIR or \(SourceAccess.dataFoldersVariable)"))
        case .notRegularFile:
            return Diagnostic(.error, "recipients-not-a-file", "\(named) \(error.message)", at: yaml)
        case .tooLarge:
            return Diagnostic(.error, "recipients-file-too-large", "\(named) \(error.message)", at: yaml)
        default:
            guard let position = error.position else {
                return Diagnostic(.error, "recipients-file-unreadable", "\(named) \(error.message)", at: yaml)
            }
            let id: DiagnosticID = switch error.code {
            case .encoding: "recipients-encoding"
            case .unclosedQuote: "recipients-unclosed-quote"
            case .nulByte: "recipients-nul-byte"
            case .longRow: "recipients-row-too-long"
            default: "recipients-file-unreadable"
            }
            return Diagnostic(.error, id, "\(named) \(error.message)", at: SourceLocation(file: spec.resolvedPath, range: SourceRange(at: position)),
                              notes: position.line > 2 ? [DiagnosticNote("rows before this point were checked; nothing after it was read", at: nil)] : [])
        }
    }

    static func rowFieldCount(_ count: Int, header: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "recipient-row-fields", "row has \(count) field\(count == 1 ? "" : "s"); the header has \(header)", at: location)
    }

    static func duplicateRecipient(_ number: PhoneNumber, first: SourceLocation?, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.warning, "recipient-duplicate", "\(number.masked) is already a recipient; only its first occurrence is sent", at: location,
                   notes: first.map { [DiagnosticNote("first occurrence", at: $0)] } ?? [])
    }

    static func rowValueEmpty(column: String, parameter: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "recipient-value-empty", "column '\(short(column))' is empty and parameter '\(parameter)' has no default", at: location,
                   fixIt: FixIt("give '\(parameter)' a 'default', or fill the column"))
    }

    static func rowValue(_ problem: ValueProblem, column: String, parameter: String, type: ParameterType, at location: SourceLocation) -> Diagnostic {
        let subject = "value in column '\(short(column))'"
        switch problem {
        case .empty:
            return rowValueEmpty(column: column, parameter: parameter, at: location)
        case .tooLong(let count):
            return Diagnostic(.error, "recipient-value-length", "\(subject) has \(count) characters; a parameter value has at most 35", at: location)
        case .url:
            return Diagnostic(.error, "recipient-value-url", "\(subject) contains a link; links may not be passed in parameters", at: location)
        case .brackets:
            return Diagnostic(.error, "recipient-value-brackets", "\(subject) contains '【' or '】', which are reserved for the sign name", at: location)
        case .type(let expected):
            return Diagnostic(.error, "recipient-value-type", "\(subject) is not \(expected), as parameter '\(parameter)' of type '\(type.rawValue)' needs", at: location)
        case .control(let scalar, let offset):
            return Diagnostic(.error, "recipient-value-control", "\(subject) holds the control character \(controlName(scalar)) at its character \(offset + 1); the provider refuses control characters", at: location)
        }
    }

    static func rowMessageTooLong(_ length: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "recipient-message-too-long", "the message for this row is \(length) characters with its sign name; the limit is 500", at: location)
    }

    // MARK: - Preflight (what the account says)

    /// `sign-not-approved`: the account's sign is not approved (`status`: its review in words),
    /// with the rejection reason when there is one.
    public static func signNotApproved(_ name: String, status: String, reason: String?, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "sign-not-approved", "sign name '\(short(name))' is not approved: \(reviewPhrase(status))" + (reason.map { ": '\(oneLine($0))'" } ?? ""), at: location)
    }

    /// `sign-not-approved`: the account has no such sign (`answer`: the provider's code and words).
    public static func signMissing(_ name: String, answer: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "sign-not-approved", "sign name '\(short(name))' does not exist in the account or cannot be used (\(oneLine(answer)))", at: location,
                   fixIt: FixIt("check the spelling against the console's sign list, or apply for the sign"))
    }

    /// `sign-carrier-registration`: operators whose real-name registration is not complete
    /// (`problems`: "mobile: registration failed"); an error when any failed, is missing or expired.
    public static func signCarrierRegistration(_ name: String, problems: [String], blocking: Bool, at location: SourceLocation) -> Diagnostic {
        let list = problems.map(oneLine).joined(separator: "; ")
        let consequence = blocking ? "carriers block bulk sends with it" : "bulk sends with it may be blocked until it is"
        return Diagnostic(blocking ? .error : .warning, "sign-carrier-registration",
                          "sign name '\(short(name))' is not registered and verified with every carrier (\(list)); \(consequence)", at: location)
    }

    /// A review's state as a phrase: `reviewing` "it is under review", `rejected` "it was rejected",
    /// `canceled` "it was canceled", anything else "the account gives it status …".
    private static func reviewPhrase(_ status: String) -> String {
        switch status {
        case "reviewing": "it is under review"
        case "rejected", "canceled": "it was \(status)"
        default: "the account gives it \(status)"
        }
    }

    /// `template-not-approved`: the account's template is not approved, with the reason.
    public static func templateNotApproved(_ code: String, status: String, reason: String?, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-not-approved", "template '\(short(code))' is not approved: \(reviewPhrase(status))" + (reason.map { ": '\(oneLine($0))'" } ?? ""), at: location)
    }

    /// `template-not-approved`: the account has no such template.
    public static func templateMissing(_ code: String, answer: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-not-approved", "template '\(short(code))' does not exist in the account or cannot be used (\(oneLine(answer)))", at: location,
                   fixIt: FixIt("check the code against the console's template list"))
    }

    /// `template-type-mismatch`: the file's `type` is not the account's (`accountType`: its kind in words).
    public static func templateTypeMismatch(_ code: String, fileType: TemplateType, accountType: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-type-mismatch", "template '\(short(code))' is \(accountType) in the account, not '\(fileType.rawValue)' as the file says", at: location)
    }

    /// `template-content-differs`: the file's content is not the approved content; `diff` shows
    /// both sides (`[-…-]` only in the file, `{+…+}` only in the account).
    public static func templateContentDiffers(_ code: String, diff: String, file: String, account: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-content-differs",
                   "content differs from approved template '\(short(code))': \(diff) ([-…-] only in the file, {+…+} only in the account)", at: location,
                   notes: [DiagnosticNote("the file's content: '\(oneLine(file))'"), DiagnosticNote("the approved content: '\(oneLine(account))'")],
                   fixIt: FixIt("copy the approved content into 'template.content', or apply for a template with the new content"))
    }

    /// `template-content-unknown`: the account's answer gave no content for the template (the
    /// emulator accepting any template answers so), so its wording was not compared.
    public static func templateContentUnknown(_ code: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.warning, "template-content-unknown", "the account gave no content for template '\(short(code))'; its wording was not compared", at: location)
    }

    /// `template-variables-differ`: a placeholder of the file's content that the approved template lacks.
    public static func templateVariableExtra(_ name: String, code: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-variables-differ", "placeholder '${\(short(name))}' is not in approved template '\(short(code))'; the provider would not fill it", at: location)
    }

    /// `template-variables-differ`: a placeholder of the approved template that the file's content lacks.
    public static func templateVariableMissing(_ name: String, code: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "template-variables-differ", "approved template '\(short(code))' has placeholder '${\(short(name))}', which the file's content lacks; no parameter would fill it", at: location)
    }

    /// `variable-attribute`: a parameter's declared type against the template's `VariableAttribute`
    /// (`attribute` as the account names it, `accepts`: what it takes in words, `suggested`: the
    /// type that matches it).
    public static func variableAttribute(_ parameter: String, type: ParameterType, attribute: String, accepts: String, suggested: ParameterType?,
                                         blocking: Bool, at location: SourceLocation) -> Diagnostic {
        let consequence = blocking ? "its values would be refused" : "values the file accepts may be refused"
        return Diagnostic(blocking ? .error : .warning, "variable-attribute",
                          "parameter '\(short(parameter))' is declared '\(type.rawValue)', but the template takes it as '\(short(attribute))' (\(accepts)); \(consequence)", at: location,
                          fixIt: suggested.map { FixIt("declare it 'type: \($0.rawValue)'", replacement: $0.rawValue) })
    }

    /// `campaign-invalid`: a campaign file with validation errors, not asked about.
    public static func campaignInvalid(errors: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, "campaign-invalid", "campaign file has \(errors) error\(errors == 1 ? "" : "s"); it was not checked against the account", at: location,
                   fixIt: FixIt("run 'salvo validate' on it and fix what it reports first"))
    }

    /// The account's words on one line: line breaks and runs of white space become one space,
    /// at most 200 characters.
    static func oneLine(_ text: String) -> String {
        let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return words.count > 200 ? String(words.prefix(199)) + "…" : words
    }

    /// The same diagnostic as a warning that says the row is skipped (`invalid: skip`).
    func skippingRow() -> Diagnostic {
        var copy = self
        copy.severity = .warning
        copy.message += " (row skipped: 'invalid: skip')"
        return copy
    }
}
