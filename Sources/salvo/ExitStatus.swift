import ArgumentParser

/// The one place where errors become the process's exit status.
enum ExitStatus {
    /// Ends the process for `error`: a `CommandFailure` says its message and exits with its code;
    /// anything else (argument errors, `ExitCode`) as ArgumentParser does: 64 for usage errors.
    static func exit(for error: any Error) -> Never {
        guard let failure = error as? CommandFailure else { Salvo.exit(withError: error) }
        if let message = failure.message { Terminal.standardError("salvo: error: \(message)") }
        Salvo.exit(withError: ExitCode(failure.code.rawValue))
    }
}
