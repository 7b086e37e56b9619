import Foundation
import Hummingbird
import MageHTTP

/// Mage's pagination keys: `_limit` (default 40) and `_offset`.
struct ListPage: Sendable, Equatable {
    static let defaultLimit = 40
    /// A page never holds more, so no request reads the whole store.
    static let maximumLimit = 1000

    var limit: Int
    var offset: Int

    init(limit: Int = ListPage.defaultLimit, offset: Int = 0) {
        self.limit = limit
        self.offset = offset
    }

    init(_ query: Parameters) throws {
        self.init(limit: try QueryValue.integer(query, "_limit", in: 1...Self.maximumLimit) ?? Self.defaultLimit,
                  offset: try QueryValue.integer(query, "_offset", in: 0...Int(Int32.max)) ?? 0)
    }
}

/// Reading query values, each refusal naming the key.
enum QueryValue {
    static func integer(_ query: Parameters, _ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = try single(query, key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.badRequest("query key \(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return value
    }

    /// One value; a key given twice is refused rather than one of them silently winning.
    static func single(_ query: Parameters, _ key: String) throws -> String? {
        let values = query.getAll(key)
        guard values.count <= 1 else { throw APIError.badRequest("query key \(key) is given \(values.count) times; give it once") }
        return values.first.map { String($0) }
    }

    /// Every value of a list key, Mage's `key[]=a&key[]=b` (the bare `key=a` is taken too).
    static func list(_ query: Parameters, _ key: String) -> [String] {
        (query.getAll("\(key)[]") + query.getAll(key)).map { String($0) }
    }
}

extension Request {
    /// The query with its keys percent-decoded too (Hummingbird decodes only values), so a browser's
    /// `status%5B%5D=failed` is read as `status[]=failed`.
    var query: Parameters {
        Parameters(uri.queryParameters.map { entry in
            (key: entry.key.removingPercentEncoding.map { $0[...] } ?? entry.key, value: entry.value)
        })
    }
}
