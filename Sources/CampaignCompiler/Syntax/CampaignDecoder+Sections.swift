import YAMLSyntax

extension CampaignDecoder {
    static let topLevelKeys = ["version", "campaign", "description", "provider", "sign-name", "template", "parameters", "recipients", "schedule", "sending"]

    /// Decodes and checks the whole file; nil when a required part is missing or broken.
    mutating func decodeCampaign(_ root: YAMLNode) -> Campaign? {
        let start = SourceRange(at: root.range.start)
        guard let top = fields(root, section: "", anchor: start, known: Self.topLevelKeys) else { return nil }

        guard let versionNode = required(top, "version") else { return nil }
        guard let version = versionNode.intValue else {
            report(.wrongType("version", expected: "the whole number 1", found: versionNode.kindDescription, at: location(versionNode.range)))
            return nil
        }
        guard version == Campaign.supportedVersion else {
            // Later versions may use keys this build does not know; checking further would only add noise.
            report(.versionUnsupported(version, at: location(versionNode.range)))
            return nil
        }

        let id = required(top, "campaign").flatMap { text($0, "campaign") }
        if let id, !Self.isValidID(id.value) {
            report(.campaignID(id.value, at: location(id.range)))
        }
        let description = top["description"].flatMap { $0.isNull ? nil : text($0, "description")?.value }
        let provider = top["provider"].flatMap { $0.isNull ? Provider() : decodeProvider($0, anchor: top.keyRange("provider") ?? start) } ?? Provider()
        let signName = required(top, "sign-name").flatMap { text($0, "sign-name") }
        if let signName { checkSignName(signName) }

        let templateFields = required(top, "template").flatMap {
            fields($0, section: "template", anchor: top.keyRange("template") ?? start, known: ["code", "type", "content", "destination"])
        }
        let template = templateFields.flatMap { decodeTemplate($0) }

        var parameters: [Parameter] = []
        var declared: [String] = []
        var parametersSound = true
        if let node = top["parameters"], !node.isNull {
            let errorsBefore = diagnostics.count
            (parameters, declared) = decodeParameters(node, anchor: top.keyRange("parameters") ?? start)
            parametersSound = diagnostics[errorsBefore...].allSatisfy { $0.severity != .error }
        }
        if let template {
            checkBindings(template: template, parameters: parameters, declared: declared, parametersKey: top.keyRange("parameters"))
        }
        // Lengths are measured only from sound parts: a broken constant or an over-long template
        // has been reported already, and measuring it would only repeat that.
        if let template, let signName, parametersSound, MessageLength.characters(template.content.value) <= MessageLength.maxLength {
            checkLength(signName: signName.value, template: template, parameters: parameters)
        }

        let recipients = required(top, "recipients").flatMap { decodeRecipients($0, anchor: top.keyRange("recipients") ?? start) }
        checkDestination(template: template, recipients: recipients)
        // The promotional night ban (20:00–08:00 China time) is the mainland's rule.
        let mainlandType = template?.destination.value == .international ? nil : template?.type.value
        let schedule = decodeSchedule(top["schedule"], anchor: top.keyRange("schedule") ?? start, templateType: mainlandType)
        let sending = top["sending"].flatMap { $0.isNull ? Sending() : decodeSending($0, anchor: top.keyRange("sending") ?? start) } ?? Sending()
        // Recipient rows are measured only against a template and constants without errors.
        pieces = Pieces(signName: signName?.value, content: parametersSound ? template?.content.value : nil, contentRange: template?.content.range, parameters: parameters, recipients: recipients,
                        sending: sending, sendingKey: top.keyRange("sending"), destination: template?.destination.value ?? .mainland)

        guard let id, let signName, let template, let recipients, let schedule, !hasErrors else { return nil }
        return Campaign(path: path, id: id, description: description, provider: provider, signName: signName,
                        template: template, parameters: parameters, recipients: recipients, schedule: schedule, sending: sending)
    }

    static func isValidID(_ id: String) -> Bool {
        let scalars = Array(id.unicodeScalars)
        let allowed: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        guard (1...64).contains(scalars.count), scalars.allSatisfy(allowed) else { return false }
        return scalars[0] != "-"
    }

    // MARK: - Provider

    private mutating func decodeProvider(_ node: YAMLNode, anchor: SourceRange) -> Provider? {
        guard let fields = fields(node, section: "provider", anchor: anchor, known: ["name", "region", "endpoint", "signing"]) else { return nil }
        var provider = Provider()
        if let node = fields["name"], let name = text(node, "provider.name") {
            if name.value != "aliyun" {
                report(.invalidChoice("provider.name", value: name.value, choices: ["aliyun"], suggestion: Suggestion.closest(to: name.value, among: ["aliyun"]), at: location(name.range)))
            }
        }
        if let node = fields["region"], let region = text(node, "provider.region") { provider.region = region.value }
        if let node = fields["endpoint"], let endpoint = text(node, "provider.endpoint") {
            checkEndpoint(endpoint)
            provider.endpoint = endpoint.value
        }
        if let node = fields["signing"], let signing = choice(node, "provider.signing", as: Provider.Signing.self) {
            provider.signing = signing.value
        }
        return provider
    }

    private mutating func checkEndpoint(_ endpoint: Located<String>) {
        let value = endpoint.value
        let scheme: String
        if value.hasPrefix("https://") { scheme = "https" } else if value.hasPrefix("http://") { scheme = "http" } else {
            report(.endpoint(value, at: location(endpoint.range)))
            return
        }
        let rest = value.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var host = authority
        if host.hasPrefix("[") {
            host = host.prefix { $0 != "]" }.dropFirst()
        } else if let colon = host.lastIndex(of: ":") {
            let port = host[host.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber) else {
                report(.endpoint(value, at: location(endpoint.range)))
                return
            }
            host = host[..<colon]
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "@" }) else {
            report(.endpoint(value, at: location(endpoint.range)))
            return
        }
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1"
        if scheme == "http", !loopback {
            report(.insecureEndpoint(value, at: location(endpoint.range)))
        }
    }

    // MARK: - Sending

    private mutating func decodeSending(_ node: YAMLNode, anchor: SourceRange) -> Sending? {
        let known = ["rate", "concurrency", "batch-size", "price-per-segment", "max-recipients", "max-cost"]
        guard let fields = fields(node, section: "sending", anchor: anchor, known: known) else { return nil }
        var sending = Sending()
        for (key, pair) in fields.pairs { sending.ranges[key] = pair.value.range }
        if let node = fields["rate"], let value = integer(node, "sending.rate", in: 1...Int.max) { sending.rate = value.value }
        if let node = fields["concurrency"], let value = integer(node, "sending.concurrency", in: 1...64) { sending.concurrency = value.value }
        if let node = fields["batch-size"], let value = integer(node, "sending.batch-size", in: 1...100) { sending.batchSize = value.value }
        if let node = fields["price-per-segment"], let prices = decodePrices(node) { sending.prices = prices }
        if let node = fields["max-recipients"], let value = integer(node, "sending.max-recipients", in: 1...Int.max) { sending.maxRecipients = value.value }
        if let node = fields["max-cost"], let value = number(node, "sending.max-cost", atLeast: 0) { sending.maxCost = value.value }
        return sending
    }

    // MARK: - Parameters

    /// The parameters that decoded, and the names of all that were written (broken ones too).
    private mutating func decodeParameters(_ node: YAMLNode, anchor: SourceRange) -> ([Parameter], [String]) {
        guard let pairs = node.mapping else {
            report(.wrongType("parameters", expected: "a mapping from placeholder names to bindings", found: node.kindDescription, at: location(site(node))))
            return ([], [])
        }
        var parameters: [Parameter] = []
        var declared: [String] = []
        for pair in pairs {
            guard let name = pair.key.scalar?.value else {
                report(.wrongType("parameters key", expected: "text", found: pair.key.kindDescription, at: location(pair.key.range)))
                continue
            }
            declared.append(name)
            let path = "parameters.\(name)"
            guard let fields = fields(pair.value, section: path, anchor: pair.key.range, known: ["type", "from", "value", "default"]) else { continue }
            let type = required(fields, "type").flatMap { choice($0, "\(path).type", as: ParameterType.self) }
            let from = fields["from"].flatMap { text($0, "\(path).from") }
            let value = fields["value"].flatMap { text($0, "\(path).value") }
            let defaultValue = fields["default"].flatMap { text($0, "\(path).default") }
            let binding: Parameter.Binding
            switch (from, value) {
            case (let column?, nil):
                binding = .column(column)
            case (nil, let constant?):
                binding = .constant(constant)
                if let defaultValue {
                    report(.parameterDefaultWithValue(name, at: location(fields.keyRange("default") ?? defaultValue.range)))
                }
            default:
                if fields["from"] == nil && fields["value"] == nil || (from != nil && value != nil) {
                    report(.parameterBinding(name, at: location(pair.key.range)))
                }
                continue
            }
            guard let type else { continue }
            if case .constant(let constant) = binding {
                checkValue(constant, parameter: name, type: type.value)
            }
            if let defaultValue {
                checkValue(defaultValue, parameter: name, type: type.value)
            }
            parameters.append(Parameter(name: Located(name, at: pair.key.range), type: type, binding: binding, defaultValue: defaultValue))
        }
        return (parameters, declared)
    }

    private mutating func checkValue(_ value: Located<String>, parameter: String, type: ParameterType) {
        for problem in ValueRules.problems(of: value.value, as: type) {
            report(.parameterValue(problem, parameter: parameter, type: type, at: location(value.range)))
        }
    }

    // MARK: - Recipients

    private mutating func decodeRecipients(_ node: YAMLNode, anchor: SourceRange) -> Recipients? {
        guard let fields = fields(node, section: "recipients", anchor: anchor, known: ["from", "exclude", "invalid", "default-country"]) else { return nil }
        var sources: [RecipientSourceSpec] = []
        if let node = required(fields, "from"), let items = list(node, "recipients.from") {
            if items.isEmpty { report(.emptyList("recipients.from", at: location(node.range))) }
            sources = items.enumerated().compactMap { decodeSource($1, path: "recipients.from[\($0)]") }
        }
        var exclude: [RecipientSourceSpec] = []
        if let node = fields["exclude"], !node.isNull, let items = list(node, "recipients.exclude") {
            exclude = items.enumerated().compactMap { decodeSource($1, path: "recipients.exclude[\($0)]") }
        }
        var invalid = Recipients.InvalidPolicy.fail
        if let node = fields["invalid"], let policy = choice(node, "recipients.invalid", as: Recipients.InvalidPolicy.self) {
            invalid = policy.value
        }
        let defaultCountry = fields["default-country"].flatMap { $0.isNull ? nil : decodeDefaultCountry($0) }
        return Recipients(sources: sources, exclude: exclude, invalid: invalid, defaultCountry: defaultCountry)
    }

    private mutating func decodeSource(_ node: YAMLNode, path: String) -> RecipientSourceSpec? {
        let kinds = RecipientSourceSpec.Kind.allCases.map(\.rawValue)
        guard let fields = fields(node, section: path, anchor: node.range, known: kinds + ["phone", "encoding", "query"]) else { return nil }
        let named = kinds.filter { fields[$0] != nil }
        guard named.count == 1, let kind = RecipientSourceSpec.Kind(rawValue: named[0]), let pathNode = fields[named[0]] else {
            report(.sourceKind(at: location(named.count > 1 ? (fields.keyRange(named[1]) ?? node.range) : node.range)))
            return nil
        }
        guard let file = text(pathNode, "\(path).\(kind.rawValue)") else { return nil }
        let phone = fields["phone"].flatMap { text($0, "\(path).phone") } ?? Located("phone", at: fields.keyRange(kind.rawValue) ?? node.range)
        var encoding = RecipientSourceSpec.Encoding.utf8
        if let node = fields["encoding"] {
            if !kind.format.takesEncoding {
                report(.sourceOption("encoding", kind: kind.rawValue, at: location(fields.keyRange("encoding") ?? node.range)))
            } else if let value = choice(node, "\(path).encoding", as: RecipientSourceSpec.Encoding.self) {
                encoding = value.value
            }
        }
        var query: Located<String>?
        if kind.format.needsQuery {
            query = required(fields, "query").flatMap { text($0, "\(path).query") }
            guard query != nil else { return nil }
        } else if fields["query"] != nil {
            report(.sourceOption("query", kind: kind.rawValue, at: location(fields.keyRange("query") ?? node.range)))
        }
        return RecipientSourceSpec(kind: kind, path: file, resolvedPath: resolve(file.value), phoneColumn: phone,
                                   encoding: encoding, query: query, range: node.range)
    }

    /// A path from the campaign file, resolved against the campaign file's folder.
    func resolve(_ file: String) -> String {
        if file.hasPrefix("/") { return file }
        guard let slash = path.lastIndex(of: "/") else { return file }
        return String(path[...slash]) + file
    }
}
