/// Something wrong with a file at the YAML level, found while reading it.
///
/// The parser collects problems rather than throwing them; one that ends the reading of the
/// file (`isFatal`) leaves the document without a root.
public struct YAMLProblem: Sendable, Error {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// libyaml's own error, with its problem text and, if it gave one, its context text.
        case syntax(problem: String, context: String?)
        /// The file is not UTF-8; `byte` is the first byte that is not.
        case invalidUTF8(byte: UInt8)
        /// The file starts with a UTF-16 or UTF-32 byte-order mark.
        case unsupportedEncoding(name: String)
        /// A NUL byte, which no text file holds.
        case nulByte
        /// A tab where indentation is expected.
        case tabIndentation
        /// A key that appeared before in the same mapping; `first` is where.
        case duplicateKey(key: String, first: SourceRange)
        /// An alias whose expansion would pass the node bound.
        case aliasExpansionLimit(alias: String, limit: Int)
        /// An alias with no anchor before it.
        case undefinedAlias(name: String)
        /// A merge key `<<` whose value is not a mapping or a list of mappings.
        case invalidMerge
        /// A second document in a file that holds one.
        case multipleDocuments
        /// Collections nested deeper than the bound.
        case nestingTooDeep(limit: Int)
    }

    /// What went wrong.
    public var kind: Kind
    /// Where it went wrong.
    public var range: SourceRange
    /// A second place involved: libyaml's "while parsing …" context mark, an alias's anchor.
    public var relatedRange: SourceRange?
    /// Whether reading stopped here.
    public var isFatal: Bool

    /// Creates a problem.
    public init(kind: Kind, range: SourceRange, relatedRange: SourceRange? = nil, isFatal: Bool) {
        self.kind = kind
        self.range = range
        self.relatedRange = relatedRange
        self.isFatal = isFatal
    }
}
