import CProcess
import Foundation

/// A block process never outlives the `mage` that started it. On entry it asks Linux to send it
/// SIGKILL when its parent dies (`PR_SET_PDEATHSIG`), then checks that its parent is still the one
/// that spawned it: the parent may have died before the request, and then the child was already
/// handed to another process (init or a subreaper) and must end at once.
///
/// The kernel sends the signal while the parent exits, so from then on the block process runs no more
/// of its own code: it starts no store transaction and no registry write. One it was in the middle of
/// is rolled back by SQLite or reconciled by the registry's next move (`RegistryReconciliation`).
/// Linux sends the signal when the parent *thread* that spawned the child ends, which is why
/// `ChildProcess` spawns from the thread that waits for the child.
public enum ParentDeath {
    /// True when this process is bound to `expectedParent`: it dies with it. False when that parent is
    /// already gone (or the request failed), and the caller must exit without doing anything.
    public static func bind(to expectedParent: pid_t) -> Bool {
        guard mage_set_parent_death_signal(SIGKILL) == 0 else { return false }
        return getppid() == expectedParent
    }
}
