import YAMLSyntax

/// The mandatory opt-out text at the end of promotional content.
let optOutText = "拒收请回复R"

extension CampaignDecoder {
    // MARK: - Sign name

    mutating func checkSignName(_ signName: Located<String>) {
        let name = signName.value
        let count = MessageLength.characters(name)
        let brackets: Set<Character> = ["【", "】", "[", "]", "(", ")", "（", "）", "「", "」"]
        if name.contains(where: { brackets.contains($0) }) {
            report(.signNameBrackets(at: location(signName.range)))
            return
        }
        if !(2...12).contains(count) {
            report(.signNameLength(name, count: count, at: location(signName.range)))
        }
        if let bad = name.first(where: { !Self.isSignNameCharacter($0) }) {
            report(.signNameCharacter(bad, at: location(signName.range)))
        }
    }

    private static func isSignNameCharacter(_ character: Character) -> Bool {
        character.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
        } && !character.isWhitespace
    }

    // MARK: - Template

    mutating func decodeTemplate(_ fields: Fields) -> Template? {
        let code = required(fields, "code").flatMap { text($0, "template.code") }
        if let code, !Self.isTemplateCode(code.value) {
            report(.templateCode(code.value, at: location(code.range)))
        }
        let type = required(fields, "type").flatMap { choice($0, "template.type", as: TemplateType.self) }
        let destination = fields["destination"].flatMap { $0.isNull ? nil : choice($0, "template.destination", as: Destination.self) }
        guard let contentNode = required(fields, "content"), let content = text(contentNode, "template.content") else { return nil }
        let errorsBefore = diagnostics.count
        let placeholders = checkPlaceholders(in: contentNode)
        let wellFormed = diagnostics.count == errorsBefore
        // The wording rules (验证码, 拒收请回复R) are the mainland's; an international template's
        // type is its sub-type (IntlType) only.
        checkContent(content, node: contentNode, type: destination?.value == .international ? nil : type?.value)
        guard let code, let type else { return nil }
        return Template(code: code, type: type, content: content, placeholders: placeholders, wellFormed: wellFormed,
                        destination: destination ?? Located(.mainland, at: fields.anchor))
    }

    private static func isTemplateCode(_ code: String) -> Bool {
        guard code.hasPrefix("SMS_") else { return false }
        let digits = code.dropFirst(4)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Reports malformed placeholders and repeats; returns the well-formed ones with their ranges.
    private mutating func checkPlaceholders(in node: YAMLNode) -> [Located<String>] {
        let content = node.scalar?.value ?? ""
        var placeholders: [Located<String>] = []
        var first: [String: SourceRange] = [:]
        for token in PlaceholderParser.tokens(in: content) {
            let range = range(ofFragmentAt: token.offset, length: token.text.unicodeScalars.count, in: node)
            switch token.kind {
            case .placeholder(let name):
                if let earlier = first[name] {
                    report(.placeholderRepeated(name, first: location(earlier), at: location(range)))
                } else {
                    first[name] = range
                    placeholders.append(Located(name, at: range))
                }
            case .unclosed: report(.placeholderUnclosed(at: location(range)))
            case .empty: report(.placeholderEmpty(at: location(range)))
            case .invalidName(let name): report(.placeholderName(name, at: location(range)))
            case .mustache(let name): report(.placeholderMustache(name, at: location(range)))
            }
        }
        return placeholders
    }

    private mutating func checkContent(_ content: Located<String>, node: YAMLNode, type: TemplateType?) {
        let value = content.value
        let whole = location(content.range)
        if value.trimmingSpaces.isEmpty {
            report(.templateEmpty(at: whole))
            return
        }
        let count = MessageLength.characters(value)
        if count > 500 {
            report(.templateTooLong(count: count, at: whole))
        }
        // Line breaks are allowed in a template; other control characters (a YAML "\e" or "\0") are not.
        if let control = value.unicodeScalars.firstIndex(where: { $0 != "\n" && $0 != "\r" && PrintableText.needsEscape($0) && $0.value < 0x100 }) {
            let offset = value.unicodeScalars.distance(from: value.unicodeScalars.startIndex, to: control)
            report(.templateControl(value.unicodeScalars[control], at: location(range(ofFragmentAt: offset, length: 1, in: node))))
        }
        if let bracket = value.unicodeScalars.firstIndex(where: { $0 == "【" || $0 == "】" }) {
            let offset = value.unicodeScalars.distance(from: value.unicodeScalars.startIndex, to: bracket)
            report(.templateBrackets(at: location(range(ofFragmentAt: offset, length: 1, in: node))))
        }
        switch type {
        case .verification:
            if !["验证码", "注册码", "校验码", "动态码"].contains(where: { value.contains($0) }) {
                report(.verificationKeyword(at: whole))
            }
        case .promotional:
            var trimmed = Substring(value)
            while let last = trimmed.last, last.isWhitespace || last == "。" || last == "." { trimmed = trimmed.dropLast() }
            if !trimmed.hasSuffix(optOutText) {
                report(.promotionalOptOut(at: whole))
            }
        case .notification:
            if let found = value.range(of: optOutText) {
                let offset = value.unicodeScalars.distance(from: value.unicodeScalars.startIndex, to: found.lowerBound)
                report(.notificationOptOut(at: location(range(ofFragmentAt: offset, length: optOutText.unicodeScalars.count, in: node))))
            }
        case nil:
            break
        }
    }

    // MARK: - Placeholders ⇄ parameters

    mutating func checkBindings(template: Template, parameters: [Parameter], declared: [String], parametersKey: SourceRange?) {
        for placeholder in template.placeholders where !declared.contains(placeholder.value) {
            let unused = declared.filter { name in !template.placeholders.contains { $0.value == name } }
            report(.placeholderUnbound(placeholder.value, suggestion: Suggestion.closest(to: placeholder.value, among: unused),
                                       parameters: parametersKey.map(location), at: location(placeholder.range)))
        }
        // A malformed placeholder was probably meant for one of the parameters: its fix comes first.
        guard template.wellFormed else { return }
        for parameter in parameters where !template.placeholders.contains(where: { $0.value == parameter.name.value }) {
            report(.parameterUnused(parameter.name.value, template: location(template.content.range), at: location(parameter.name.range)))
        }
    }

    // MARK: - Length

    mutating func checkLength(signName: String, template: Template, parameters: [Parameter]) {
        var constants: [String: String] = [:]
        var columns = 0
        for parameter in parameters where template.placeholders.contains(where: { $0.value == parameter.name.value }) {
            switch parameter.binding {
            case .constant(let value): constants[parameter.name.value] = value.value
            case .column: constants[parameter.name.value] = ""; columns += 1
            }
        }
        guard template.placeholders.allSatisfy({ constants[$0.value] != nil }) else { return }
        let rendered = PlaceholderParser.render(template.content.value, values: constants)
        // Each column's value is at least one character long.
        let counting = MessageCounting(destination: template.destination.value, signName: signName, fixedText: rendered)
        let measured = counting.measure(units: counting.fixedUnits, septets: counting.fixedSeptets)
        let length = measured.length + columns
        let segments = counting.segments(length: length, encoding: measured.encoding)
        let at = location(template.content.range)
        if columns > 0 {
            if length > MessageLength.maxLength {
                report(.messageMinimumTooLong(length: length, at: at))
            } else if segments > 1 {
                report(.messageMinimumSegments(length: length, segments: segments, encoding: measured.encoding, at: at))
            }
            return
        }
        if length > MessageLength.maxLength {
            report(.messageTooLong(length: length, at: at))
        } else if segments > 1 {
            report(.messageSegments(length: length, segments: segments, encoding: measured.encoding, at: at))
        }
    }
}
