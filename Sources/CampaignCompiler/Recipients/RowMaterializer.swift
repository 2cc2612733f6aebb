import Foundation
import YAMLSyntax

/// What makes a full recipient out of a row of one source.
final class RowMaterializer {
    struct Binding {
        var index: Int
        var position: Int
        var fallback: String?
    }

    let format: any SourceFormat
    let columns: [String]
    let bindings: [Binding]
    let constants: [String]
    let sourceIndex: Int

    init(format: any SourceFormat, columns: [String], bindings: [Binding], constants: [String], sourceIndex: Int) {
        self.format = format
        self.columns = columns
        self.bindings = bindings
        self.constants = constants
        self.sourceIndex = sourceIndex
    }
}
