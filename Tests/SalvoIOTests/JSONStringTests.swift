import Foundation
import SalvoIO
import Testing

/// The one JSON string escaper: minimal escapes, as JSONEncoder writes them without escaped slashes.
@Suite struct JSONStringTests {
    @Test(arguments: [
        ("plain", #""plain""#),
        ("张\"伟\"\n", #""张\"伟\"\n""#),
        ("a/b\\c", #""a/b\\c""#),
        ("\u{8}\u{C}\t\r", #""\b\f\t\r""#),
        ("\u{1}\u{1F}", #""\u0001\u001f""#),
        ("😀\u{2028}", "\"😀\u{2028}\""),
    ])
    func stringsAreEscapedMinimally(_ text: String, _ json: String) throws {
        #expect(JSONString.literal(text) == json)
        var bytes: [UInt8] = []
        JSONString.append(Array(text.utf8), to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == json)
    }

    @Test func theEncoderAgrees() throws {
        let text = "a\u{8}\u{C}\u{1}/\"\\\n😀"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        #expect(JSONString.literal(text) == String(decoding: try encoder.encode(text), as: UTF8.self))
    }
}
