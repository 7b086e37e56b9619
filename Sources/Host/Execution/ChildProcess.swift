import Foundation

/// Starts `mage` again as a child with `posix_spawn` (no fork of a threaded process, no Foundation
/// `Process` polling) and waits for it on a dedicated thread, killing its process group on timeout or
/// cancellation.
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
        let pid: pid_t
        switch spawn(executable: executable, arguments: arguments, logFile: logFile, environment: environment) {
        case .success(let p): pid = p
        case .failure(let error): return .spawnFailed(error.description)
        }
        let reason = KillReason()
        let watchdog = timeout.map { seconds in
            Task {
                try await Task.sleep(for: .seconds(seconds))
                reason.set(.timedOut(seconds))
                kill(-pid, SIGKILL)
            }
        }
        let status = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
                Thread.detachNewThread {
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                    continuation.resume(returning: status)
                }
            }
        } onCancel: {
            reason.set(.cancelled)
            kill(-pid, SIGKILL)
        }
        watchdog?.cancel()
        if let killed = reason.value { return killed }
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

/// Why the host killed a child, set once by whichever of timeout and cancellation came first.
private final class KillReason: @unchecked Sendable {
    private let lock = NSLock()
    private var reason: ChildProcess.Termination?

    func set(_ value: ChildProcess.Termination) {
        lock.withLock { if reason == nil { reason = value } }
    }

    var value: ChildProcess.Termination? { lock.withLock { reason } }
}
