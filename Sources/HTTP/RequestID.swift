import HTTPTypes

extension HTTPField.Name {
    public static let requestID = HTTPField.Name("X-Request-Id")!
}

/// Ids for requests that bring no `X-Request-Id`: a random (version 4) UUID, 122 random bits from the
/// system's generator, written straight into one string without Foundation's `UUID`.
public enum RequestID {
    public static func next() -> String {
        var generator = SystemRandomNumberGenerator()
        // Version 4 in the high nibble of byte 6, variant 10 in the two high bits of byte 8.
        let high = (generator.next() as UInt64) & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_4000
        let low = (generator.next() as UInt64) & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        return String(unsafeUninitializedCapacity: 36) { text in
            let digits: StaticString = "0123456789abcdef"
            var at = 0
            func put(_ value: UInt64, nibbles: Int) {
                for n in stride(from: nibbles - 1, through: 0, by: -1) {
                    text[at] = digits.utf8Start[Int((value >> (UInt64(n) * 4)) & 0xF)]
                    at += 1
                }
            }
            put(high >> 32, nibbles: 8)
            text[at] = UInt8(ascii: "-"); at += 1
            put(high >> 16, nibbles: 4)
            text[at] = UInt8(ascii: "-"); at += 1
            put(high, nibbles: 4)
            text[at] = UInt8(ascii: "-"); at += 1
            put(low >> 48, nibbles: 4)
            text[at] = UInt8(ascii: "-"); at += 1
            put(low, nibbles: 12)
            return at
        }
    }
}
