/// A template the emulator knows: its code and the placeholders its parameters must fill.
public struct KnownTemplate: Sendable, Hashable {
    /// The template code.
    public var code: String
    /// The `${placeholder}` names.
    public var placeholders: Set<String>
    /// The content, for QuerySendDetails' `Content`.
    public var content: String

    /// Creates a known template.
    public init(code: String, placeholders: Set<String>, content: String) {
        self.code = code
        self.placeholders = placeholders
        self.content = content
    }
}
