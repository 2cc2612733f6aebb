import CampaignCompiler
import Foundation

extension UnmatchedSummary {
    /// The summary as `salvo receipts unmatched` prints it: counts by reason, most first, each
    /// with its samples; numbers masked, texts escaped.
    public func text() -> String {
        let receiptCount = receipts.values.reduce(0, +), malformedCount = malformed.values.reduce(0, +)
        guard receiptCount + malformedCount > 0 else { return "no unmatched receipts and no malformed elements\n" }
        var out = "\(receiptCount) receipts count in no batch\n"
        for (reason, count) in receipts.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }) {
            out += "  \(PrintableText.escape(reason)): \(count)\n"
            for receipt in receiptSamples[reason] ?? [] {
                out += "    \(Self.maskedPhone(receipt.phone))  out id '\(PrintableText.escape(receipt.outId))'  biz id '\(PrintableText.escape(receipt.bizId))'  "
                    + "\(receipt.success ? "delivered" : "failed") \(PrintableText.escape(receipt.code))\n"
            }
        }
        out += "\(malformedCount) malformed elements\n"
        for (reason, count) in malformed.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }) {
            out += "  \(PrintableText.escape(reason)): \(count)\n"
            for element in malformedSamples[reason] ?? [] {
                let excerpt = Self.maskDigits(element.element)
                out += "    \(element.route): \(PrintableText.escape(element.detail)): \(PrintableText.escape(excerpt.count > 200 ? String(excerpt.prefix(200)) + "…" : excerpt))\n"
            }
        }
        return out
    }

    /// The summary as one JSON object (sorted keys, numbers masked) and a newline.
    public func json() -> String {
        let object: [String: Any] = [
            "receipts": [
                "total": receipts.values.reduce(0, +),
                "byReason": receipts,
                "samples": receiptSamples.mapValues { receipts in
                    receipts.map { ["phone": Self.maskedPhone($0.phone), "outId": $0.outId, "bizId": $0.bizId, "success": $0.success, "code": $0.code,
                                    "receivedAt": $0.receivedAt] as [String: Any] }
                },
            ] as [String: Any],
            "malformed": [
                "total": malformed.values.reduce(0, +),
                "byReason": malformed,
                "samples": malformedSamples.mapValues { elements in
                    elements.map { ["route": $0.route, "detail": $0.detail, "element": Self.maskDigits($0.element)] }
                },
            ] as [String: Any],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A number as it may be shown: `138****0001`.
    static func maskedPhone(_ phone: String) -> String {
        PhoneNumber.fromProvider(phone)?.masked ?? maskDigits(phone)
    }

    /// Text with the middle of every run of 7 digits or more hidden (they may be numbers).
    static func maskDigits(_ text: String) -> String {
        var out = ""
        var run = ""
        func flush() {
            if run.count >= 7 {
                out += run.count > 7 ? String(run.prefix(3)) + String(repeating: "*", count: run.count - 7) + String(run.suffix(4)) : String(repeating: "*", count: run.count)
            } else {
                out += run
            }
            run = ""
        }
        for character in text {
            if character.isASCII, character.isNumber {
                run.append(character)
            } else {
                flush()
                out.append(character)
            }
        }
        flush()
        return out
    }
}
