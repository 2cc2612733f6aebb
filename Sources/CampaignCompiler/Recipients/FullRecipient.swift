import Foundation
import YAMLSyntax

/// Makes the `AcceptedRecipient` of a row the fast reader accepted, where one is wanted (a sample
/// message): the row is parsed again by the full parser. Costs nothing until asked.
struct FullRecipient {
    let bytes: UnsafeBufferPointer<UInt8>
    let start: Int
    let line: Int
    let phone: PhoneNumber
    let length: Int
    let segments: Int
    let encoding: MessageEncoding
    let maker: Unmanaged<RowMaterializer>

    /// The full recipient (only during the sink's call).
    func make() -> AcceptedRecipient {
        let maker = maker.takeUnretainedValue()
        var values = maker.constants
        if let row = try? maker.format.preciseRow(bytes, start: start, line: line, columns: maker.columns) {
            for binding in maker.bindings where binding.index < row.fields.count {
                let value = row.fields[binding.index]
                values[binding.position] = value.isEmpty ? binding.fallback ?? value : value
            }
        }
        return AcceptedRecipient(phone: phone, values: values, length: length, segments: segments, sourceIndex: maker.sourceIndex, line: line, encoding: encoding)
    }
}
