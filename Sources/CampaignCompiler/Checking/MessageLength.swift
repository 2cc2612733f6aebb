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

// MARK: - International messages

extension MessageLength {
    /// An international message: `[Sign]` + text in GSM-7 when both are GSM-7 (length in septets,
    /// the brackets 2 each), else `【Sign】` (or `[Sign]`) + text in UCS-2 (UTF-16 units).
    public static func international(signName: String, rendered: String) -> (length: Int, encoding: MessageEncoding) {
        let counting = MessageCounting(destination: .international, signName: signName, fixedText: rendered)
        return counting.measure(units: counting.fixedUnits, septets: counting.fixedSeptets)
    }

    /// GSM-7: 1 up to 160, then 153 each; UCS-2: 1 up to 70, then 67 each.
    public static func segments(forLength length: Int, encoding: MessageEncoding) -> Int {
        switch encoding {
        case .gsm7: length <= 160 ? 1 : (length + 152) / 153
        case .ucs2: segments(forLength: length)
        }
    }
}
