import ArgumentParser

/// A command that could not do its work: the exit status it ends with (the contract's: 1 errors
/// or refused, 64 usage error, 75 not finished: run again later) and what it says.
struct CommandFailure: Error {
    /// The exit status.
    enum Code: Int32 {
        case failed = 1
        case usage = 64
        case later = 75
    }

    var code: Code
    /// Written as `salvo: error: MESSAGE` (nil: nothing more to say).
    var message: String?
    /// The library's error, when there is one.
    var cause: (any Error)?

    init(_ code: Code, _ message: String?, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// A library's error as a failure with `code` (exit 1 by default) saying `prefix` and the
    /// error; an error that already carries its exit status is kept as it is.
    static func failed(_ error: any Error, _ code: Code = .failed, _ prefix: String = "") -> any Error {
        error is CommandFailure || error is ExitCode ? error : CommandFailure(code, prefix + "\(error)", cause: error)
    }

    /// The value of `body`, its error as a failure (`failed`).
    static func failing<T>(_ code: Code = .failed, _ prefix: String = "", _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw failed(error, code, prefix)
        }
    }
}
