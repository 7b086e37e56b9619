import Foundation

/// The name a process claims runs under: host, pid and a random part, so a restarted process with a
/// recycled pid is not mistaken for the one that died.
public enum RunOwner {
    public static func make() -> String {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0 ? String(cString: name) : "host"
        let random = (0..<4).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        return "\(host)/\(getpid())/\(random)"
    }
}

/// How long a claim lasts without renewal, and how often its owner renews it (which is also how soon
/// the owner sees a cancel request made in another process).
public struct LeaseTiming: Sendable, Equatable {
    public var duration: Double
    public var renewEvery: Double

    public init(duration: Double = 30, renewEvery: Double? = nil) {
        self.duration = max(0.5, duration)
        self.renewEvery = renewEvery ?? min(1, self.duration / 3)
    }

    func lease(_ owner: String, from now: Date = Date()) -> Lease {
        Lease(owner: owner, until: now.addingTimeInterval(duration))
    }
}

/// Renews an owner's leases until cancelled, handing each renewal's answer to `onRenewed`: which runs it
/// still holds, which of them someone asked to cancel, and when the renewal began (a run claimed after
/// that is not in the answer yet). A renewal that fails (the store busy) is retried at the next beat;
/// the lease is long enough to ride that out.
enum LeaseKeeper {
    static func keep(store: any MetadataStore, owner: String, timing: LeaseTiming,
                     onRenewed: @Sendable (_ holds: [LeaseHold], _ began: Date) -> Void) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(timing.renewEvery))
            if Task.isCancelled { return }
            let began = Date()
            if let holds = try? store.leaseRenew(timing.lease(owner, from: began)) { onRenewed(holds, began) }
        }
    }
}
