/// How Alibaba Cloud counts and bills a mainland message.
public enum MessageLength {
    /// The longest message, sign name and 【】 included.
    public static let maxLength = 500

    /// Characters as the platform counts them. Chinese, letters, digits and punctuation count one
    /// each; characters outside the Basic Multilingual Plane (emoji) count two, the conservative
    /// reading of a limit the provider does not document.
    public static func characters(_ text: String) -> Int {
        text.utf16.count
    }

    /// The length of a message: sign name + 2 for 【】 + the rendered content.
    public static func length(signName: String, rendered: String) -> Int {
        characters(signName) + 2 + characters(rendered)
    }

    /// Billed segments: one up to 70 characters, else one per 67.
    public static func segments(forLength length: Int) -> Int {
        length <= 70 ? 1 : (length + 66) / 67
    }
}
