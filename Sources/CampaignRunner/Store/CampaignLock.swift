import Foundation

/// The lock that lets one run at a time work on a campaign: `flock` on a file in the campaign's
/// state folder. The kernel releases it when its holder exits, however it dies, so a dead
/// holder's lock is taken over without any stale-lock guessing.
public final class CampaignLock {
    private let descriptor: Int32

    /// Takes the lock, or returns nil (with the holder's pid when known) if another process has it.
    public static func acquire(path: String) throws(RunStoreError) -> Result<CampaignLock, HeldBy> {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw RunStoreError(.io, "cannot open the lock '\(path)': \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(descriptor, &buffer, 31, 0)
            close(descriptor)
            let pid = count > 0 ? Int(String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) : nil
            return .failure(HeldBy(pid: pid))
        }
        ftruncate(descriptor, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pwrite(descriptor, pid, pid.count, 0)
        return .success(CampaignLock(descriptor: descriptor))
    }

    /// Whether another process holds the lock now.
    public static func isHeld(path: String) -> Bool {
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return true }
        flock(descriptor, LOCK_UN)
        return false
    }

    /// Who holds a lock.
    public struct HeldBy: Error, Sendable {
        public var pid: Int?
    }

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
