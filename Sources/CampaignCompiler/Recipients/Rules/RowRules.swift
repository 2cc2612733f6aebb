import YAMLSyntax

/// The row rules: what makes one row a recipient on its own, away from the other rows: its field
/// count, its phone number (by the campaign's `PhonePolicy`), every rule of a parameter value, and
/// the message length. Each rule is written here once, in two readings side by side: the full
/// check's (`RecipientChecker.checkRow`), which says what is wrong, and the fast reader's
/// (`RowBuilder.finish`), which says only whether a row passes, over bytes and without allocating;
/// a row it does not pass goes to the full check. What depends on earlier rows (exclusions,
/// suppression, duplicates, counts) is decided in file order, for both readers, by
/// `RecipientChecker.admit` (with `Screening`) and the checker's counts.
struct RowRules: Sendable {
    /// Check rows (validate, plan), or only read their numbers (finding where a duplicate first
    /// appeared).
    enum Mode: Sendable { case check, phones }

    /// A parameter bound to a column, as the fast reader reads it (no reference counted fields).
    struct Binding: Sendable {
        /// The field the value is read from; -1 where the source lacks the column (the full check
        /// only: the fast reader is not used for such a source).
        var index: Int
        /// The parameter's position, where the value goes.
        var position: Int
        var type: ParameterType
        /// Whether the parameter has a default, used where the field is empty (its bytes are in
        /// `Render.fallbacks`).
        var hasFallback: Bool
        /// The default's length in UTF-16 units.
        var fallbackLength: Int
        /// The default's length in GSM-7 septets, -1 when it is outside GSM-7 (international
        /// campaigns only).
        var fallbackSeptets: Int = -1
    }

    /// What the full check names in a binding's diagnostics, per binding.
    struct Label: Sendable {
        /// The column.
        var column: String
        /// The parameter's name.
        var parameter: String
        /// The parameter's default, used where the field is empty.
        var fallback: String?
    }

    /// What the full check found in a row's values.
    struct Values {
        /// Values in the order of the campaign's parameters (constants included).
        var values: [String]
        /// The message length with these values: UTF-16 units, or GSM-7 septets for an
        /// international message that is GSM-7.
        var length: Int
        /// How the message is encoded (mainland messages: UCS-2).
        var encoding = MessageEncoding.ucs2
        /// Whether every value passed (and the length).
        var valid: Bool
        /// The id of the first problem found.
        var firstProblem: DiagnosticID?
    }

    /// How an accepted row is written into the plan, ready to copy: `["phone","source",values…]`,
    /// or `["phone","source"]` when every recipient shares the constants.
    struct Render: Sendable {
        /// The source index as a JSON string.
        var source: [UInt8]
        /// Per parameter position: the constant as a JSON string, or nil where a column binds it.
        var constants: [[UInt8]?]
        /// Only phone and source (all parameters constant).
        var grouped: Bool
        /// The constants' raw bytes, for the value-set key.
        var constantBytes: [[UInt8]?]
        /// Per parameter position: the default's raw bytes, for an empty field.
        var fallbacks: [[UInt8]?]
    }

    var mode: Mode
    /// Whether the format reads rows by key (`SourceFormat.keyed`): the fast reader then takes
    /// any field count, as absent keys read as empty fields.
    var keyed: Bool
    /// The header's column count: a row with another count is not a recipient.
    var columnCount: Int
    /// The JSON Lines keys read, as UTF-8 (the columns).
    var keys: [[UInt8]]
    var phoneIndex: Int
    var bindings: [Binding]
    /// Per binding, what its diagnostics name.
    var labels: [Label]
    /// How messages are measured, with the sign name, brackets and the template's fixed text;
    /// nil where the template cannot be measured.
    var counting: MessageCounting?
    /// Plan lines to render for accepted rows; nil for validate.
    var render: Render?
    /// Which numbers the campaign sends to (a concrete enum, so the fast reader's test is inlined).
    var phones = CampaignPhones.mainland(MainlandPhonePolicy())

    /// The fixed part in UTF-16 units; nil where the template cannot be measured.
    var fixedLength: Int? { counting?.fixedUnits }
    /// The fixed part in GSM-7 septets, for an international template whose sign and fixed text
    /// are GSM-7; else -1 (every row's message is then measured in UTF-16 units).
    var fixedSeptets: Int { counting?.fixedSeptets ?? -1 }

    /// The longest record or line read.
    static let maxRecordBytes = 1 << 20

    // MARK: - Field count

    /// The field-count rule, full check: a diagnostic when the row does not have the header's count.
    func fieldCountProblem(_ row: RecipientRow, at location: SourceLocation) -> Diagnostic? {
        row.fields.count == columnCount ? nil : .rowFieldCount(row.fields.count, header: columnCount, at: location)
    }

    /// The field-count rule, fast reader: whether a row of `count` fields can pass here.
    @inline(__always)
    func passesFieldCount(_ count: Int) -> Bool {
        count <= RowBuilder.maxFields && (keyed || count == columnCount) && phoneIndex < count
    }

    // MARK: - Phone

    /// The phone rule, full check: the policy's verdict on the row's phone field.
    func phone(of row: RecipientRow) -> PhoneVerdict {
        phones.judge(row.fields[phoneIndex])
    }

    /// The phone rule, fast reader: the accepted number's key, or nil.
    @inline(__always)
    func quickPhone(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        phones.acceptedKey(bytes)
    }

    // MARK: - Values and length

    /// The value and length rules, full check: every problem goes to `report` (a field's location
    /// from `location`), and the values come back with the message length.
    func values(of row: RecipientRow, constants: [String], location: (Int) -> SourceLocation, report: (Diagnostic) -> Void) -> Values {
        var result = Values(values: constants, length: fixedLength ?? 0, valid: true, firstProblem: nil)
        var septets: Int? = counting?.fixedSeptets
        for (binding, label) in zip(bindings, labels) {
            guard binding.index >= 0 else {
                result.valid = false
                continue
            }
            var value = row.fields[binding.index]
            if value.isEmpty, let fallback = label.fallback {
                value = fallback
            } else {
                for problem in ValueRules.problems(of: value, as: binding.type) {
                    let diagnostic = Diagnostic.rowValue(problem, column: label.column, parameter: label.parameter, type: binding.type, at: location(binding.index))
                    report(diagnostic)
                    result.valid = false
                    result.firstProblem = result.firstProblem ?? diagnostic.id
                }
            }
            result.length += MessageLength.characters(value)
            if let sum = septets { septets = GSM7.septets(value).map { sum + $0 } }
            result.values[binding.position] = value
        }
        if let counting { (result.length, result.encoding) = counting.measure(units: result.length, septets: septets) }
        // With constants only, every row has the campaign file's length, reported there once.
        if result.valid, !lengthFits(result.length) {
            let diagnostic = Diagnostic.rowMessageTooLong(result.length, at: location(0))
            report(diagnostic)
            result.valid = false
            result.firstProblem = diagnostic.id
        }
        return result
    }

    /// The value rules, fast reader: the value's length in UTF-16 units (the default's where it
    /// is empty) when it passes, else nil.
    @inline(__always)
    static func quickLength(of value: UnsafeBufferPointer<UInt8>, _ binding: Binding) -> Int? {
        if value.isEmpty { return binding.hasFallback ? binding.fallbackLength : nil }
        return ValueRules.cleanLength(value, as: binding.type)
    }

    /// The value's length in GSM-7 septets (the default's where it is empty), -1 when it is
    /// outside GSM-7 (international campaigns, fast reader).
    @inline(__always)
    static func quickSeptets(of value: UnsafeBufferPointer<UInt8>, _ binding: Binding) -> Int {
        if value.isEmpty { return binding.fallbackSeptets }
        return GSM7.septets(utf8: value) ?? -1
    }

    /// The length rule: whether a message of `length` fits (a template without columns is
    /// measured, and reported, at the campaign file).
    @inline(__always)
    func lengthFits(_ length: Int) -> Bool {
        Self.lengthFits(length, checked: checksLength)
    }

    /// Whether row lengths are checked here: not without a measurable template, nor for a
    /// template without columns.
    var checksLength: Bool { fixedLength != nil && !bindings.isEmpty }

    /// The length rule, fast reader (which copies `checksLength` once per scan).
    @inline(__always)
    static func lengthFits(_ length: Int, checked: Bool) -> Bool {
        !checked || length <= MessageLength.maxLength
    }
}
