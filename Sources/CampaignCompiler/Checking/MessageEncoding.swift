/// How a message is encoded, which decides its segment sizes.
public enum MessageEncoding: String, Sendable {
    /// UCS-2 (UTF-16 units): 70 characters in one segment, 67 in each of several.
    case ucs2
    /// The GSM 03.38 alphabet (septets): 160 in one segment, 153 in each of several.
    case gsm7
}
