import Foundation

/// Starts `mage` again as a child with `posix_spawn` (no fork of a threaded process, no Foundation
/// `Process` polling) and waits for it on a dedicated thread, killing its process group on timeout or
/// cancellation.
///
/// The child is spawned *from* that waiting thread. Linux sends a child its parent-death signal
/// (`PR_SET_PDEATHSIG`, which the block process asks for, see `ParentDeath`) when the thread that
/// spawned it ends, not the process; a thread of the concurrency pool may end while the child runs,
/// the waiting thread ends only once the child is reaped.
enum ChildProcess {
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut(Double)
        case cancelled
        case spawnFailed(String)
    }

    /// `environment` is added to the host's own for this child alone (values that must not be written down).
    static func run(executable: String, arguments: [String], logFile: String, timeout: Double?,
                    environment: [String: String] = [:]) async -> Termination {
        let child = Child()
        let watchdog = timeout.map { seconds in
            Task {
                try await Task.sleep(for: .seconds(seconds))
                child.kill(because: .timedOut(seconds))
            }
        }
        let ended = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Int32, SpawnError>, Never>) in
                Thread.detachNewThread {
                    switch spawn(executable: executable, arguments: arguments, logFile: logFile, environment: environment) {
                    case .failure(let error):
                        continuation.resume(returning: .failure(error))
                    case .success(let pid):
                        child.started(pid)
                        var status: Int32 = 0
                        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                        child.reaped()
                        continuation.resume(returning: .success(status))
                    }
                }
            }
        } onCancel: {
            child.kill(because: .cancelled)
        }
        watchdog?.cancel()
        let status: Int32
        switch ended {
        case .failure(let error): return .spawnFailed(error.description)
        case .success(let s): status = s
        }
        if let killed = child.killReason { return killed }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }

    private struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    private static func spawn(executable: String, arguments: [String], logFile: String,
                              environment: [String: String]) -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so a timeout also kills whatever the plugin started; default signal
        // dispositions and mask, whatever the host set for itself.
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes,
            Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.merging(environment) { _, own in own }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else { return .failure(SpawnError(description: "cannot start \(executable): \(errnoText(code))")) }
        return .success(pid)
    }
}

/// The child's process group as timeout and cancellation see it: a kill asked for before the spawn
/// happens at the spawn, and none is sent once the child is reaped (its pid may be reused).
private final class Child: @unchecked Sendable {
    private let lock = NSLock()
    private var pid: pid_t?
    private var isReaped = false
    private var reason: ChildProcess.Termination?

    /// The first reason wins: whichever of timeout and cancellation came first.
    func kill(because why: ChildProcess.Termination) {
        lock.withLock {
            guard reason == nil, !isReaped else { return }
            reason = why
            if let pid { Foundation.kill(-pid, SIGKILL) }
        }
    }

    func started(_ pid: pid_t) {
        lock.withLock {
            self.pid = pid
            if reason != nil { Foundation.kill(-pid, SIGKILL) }
        }
    }

    func reaped() { lock.withLock { isReaped = true } }

    var killReason: ChildProcess.Termination? { lock.withLock { reason } }
}
