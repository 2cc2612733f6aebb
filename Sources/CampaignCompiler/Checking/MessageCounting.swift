/// How a campaign's messages are measured and billed: the mainland counts every character with
/// 【】 (70, then 67 per segment); international messages are GSM-7 (`[Sign]`, 160 then 153) when
/// every character of sign and text is, else UCS-2 (70, then 67). Each row's values are added to
/// the template's fixed part in both units; which one counts is known at the end of the row.
struct MessageCounting: Sendable {
    /// The destination whose rules apply.
    var destination: Destination
    /// The fixed part (sign, brackets, template text with constants) in UTF-16 units.
    var fixedUnits: Int
    /// International only: the fixed part in GSM-7 septets (`[` and `]` two each), nil when a
    /// character of it is outside GSM-7, so that every message is UCS-2.
    var fixedSeptets: Int?

    /// The counting of messages made of `signName` and `fixedText` (the content with constants
    /// filled in, empty where a column goes).
    init(destination: Destination, signName: String, fixedText: String) {
        self.destination = destination
        fixedUnits = MessageLength.length(signName: signName, rendered: fixedText)
        if destination == .international, let sign = GSM7.septets(signName), let text = GSM7.septets(fixedText) {
            fixedSeptets = sign + 4 + text
        }
    }

    /// Segments of the fixed part alone (a template without columns: every message).
    var fixedSegments: Int {
        let (length, encoding) = measure(units: fixedUnits, septets: fixedSeptets)
        return segments(length: length, encoding: encoding)
    }

    /// A whole message's length and encoding from its units and septets (nil: not GSM-7).
    @inline(__always)
    func measure(units: Int, septets: Int?) -> (length: Int, encoding: MessageEncoding) {
        if destination == .international, let septets { return (septets, .gsm7) }
        return (units, .ucs2)
    }

    /// Billed segments of a message of `length` in `encoding` (a mainland message is UCS-2).
    @inline(__always)
    func segments(length: Int, encoding: MessageEncoding) -> Int {
        MessageLength.segments(forLength: length, encoding: encoding)
    }
}
