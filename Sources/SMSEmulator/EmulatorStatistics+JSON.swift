import Foundation

extension EmulatorStatistics {
    /// The counts as one JSON object, keys sorted, and a newline (`salvo emulator stats`).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
