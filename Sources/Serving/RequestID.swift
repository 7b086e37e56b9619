import Synchronization

/// Ids for requests that bring no `X-Request-Id`: a random prefix drawn once per process and a counter,
/// as unique as a random UUID across restarts and hosts, without a random draw per request.
enum RequestID {
    private static let prefix: String = {
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }()
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        let digits = String(n, radix: 16)
        return prefix + "-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }
}
