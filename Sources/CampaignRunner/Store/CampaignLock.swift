import Foundation

/// The lock that lets one run at a time work on a campaign: `flock` on a file in the campaign's
/// state folder. The kernel releases it when its holder exits, however it dies, so a dead
/// holder's lock is taken over without any stale-lock guessing.
public final class CampaignLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock `lock` in the campaign's folder (opened without following a link), or
    /// returns who holds it (with the holder's pid when known) if another process has it.
    public static func acquire(in folder: StateFolder) throws(RunStoreError) -> Result<CampaignLock, HeldBy> {
        guard let descriptor = try folder.openFile("lock", O_RDWR | O_CREAT) else {
            throw RunStoreError(.io, "cannot open the lock in '\(folder.path)'")
        }
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

    /// Whether another process holds the lock of the campaign folder `path` now (a link there is
    /// never opened: it is refused).
    public static func isHeld(in folder: StateFolder) throws(RunStoreError) -> Bool {
        guard let descriptor = try folder.openFile("lock", O_RDONLY) else { return false }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return true }
        flock(descriptor, LOCK_UN)
        return false
    }

    /// Who holds a lock.
    public struct HeldBy: Error, Sendable {
        /// The process holding it, when the lock file names one.
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
