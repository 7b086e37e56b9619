import Foundation

/// The secret of an API trigger: 128 random bits as 32 hex characters. The store keeps only its SHA-256
/// digest and last four characters; the token itself is shown once, when made.
public struct TriggerToken: Sendable, Equatable {
    public let text: String

    /// A new token from the system's random generator.
    public static func random() -> TriggerToken {
        var generator = SystemRandomNumberGenerator()
        let bits = [generator.next() as UInt64, generator.next() as UInt64]
        return TriggerToken(text: bits.map { word in
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined())
    }

    public var digest: String { Self.digest(of: text) }
    public var hint: String { String(text.suffix(4)) }

    public static func digest(of text: String) -> String { FileDigest.sha256(of: Data(text.utf8)) }

    /// How listings show a token: never the token, only its last characters.
    public static func masked(hint: String) -> String { "••••" + hint }

    /// Whether `given` is the token whose digest is `digest`, comparing the digests in a time that does
    /// not depend on where they differ.
    public static func matches(_ given: String, digest: String) -> Bool {
        let a = Array(Self.digest(of: given).utf8), b = Array(digest.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// Gives trigger `id` a new token (the old one stops working) and returns it; nil when no such trigger.
    public static func rotate(_ store: any MetadataStore, id: Int64) throws -> TriggerToken? {
        let token = random()
        return try store.scheduleSetToken(id: id, digest: token.digest, hint: token.hint) ? token : nil
    }
}
