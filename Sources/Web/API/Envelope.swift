import Foundation
import MageHTTP

/// Mage's answer shapes: a list is `{"<plural>": [...], "metadata": {"count": n, "next": bool}}`, one
/// record is `{"<singular>": {...}}`.
struct ListEnvelope<Item: Encodable>: Encodable {
    let name: String
    let items: [Item]
    /// Every record the query selects, not only this page.
    let count: Int
    let next: Bool

    init(_ name: String, _ items: [Item], count: Int? = nil, page: ListPage? = nil) {
        self.name = name
        self.items = items
        self.count = count ?? items.count
        next = page.map { $0.offset + items.count < (count ?? items.count) } ?? false
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(items, forKey: Key(name))
        var metadata = container.nestedContainer(keyedBy: Key.self, forKey: Key("metadata"))
        try metadata.encode(count, forKey: Key("count"))
        try metadata.encode(next, forKey: Key("next"))
    }
}

/// A resource that writes its own JSON with `JSONWriter`, for lists long enough that JSONEncoder's generic
/// machinery costs more than reading them from the store. It writes what its `Encodable` conformance
/// encodes, keys sorted as `JSONResponse` sorts them.
protocol JSONWritable: Encodable {
    func write(to json: inout JSONWriter)
}

extension ListEnvelope where Item: JSONWritable {
    /// The JSON `JSONResponse.make(self)` answers, written by hand.
    var json: [UInt8] {
        var json = JSONWriter(capacity: 512 * items.count + 64)
        json.raw(UInt8(ascii: "{"))
        // Keys in sorted order, as JSONResponse writes them: "metadata" sorts before most list names.
        if name < "metadata" { writeItems(to: &json); json.raw(UInt8(ascii: ",")) }
        json.raw(#""metadata":{"count":"#)
        json.integer(count)
        json.raw(next ? #","next":true}"# : #","next":false}"#)
        if name > "metadata" { json.raw(UInt8(ascii: ",")); writeItems(to: &json) }
        json.raw(UInt8(ascii: "}"))
        return json.bytes
    }

    private func writeItems(to json: inout JSONWriter) {
        json.string(name)
        json.raw(":[")
        for (i, item) in items.enumerated() {
            if i > 0 { json.raw(UInt8(ascii: ",")) }
            item.write(to: &json)
        }
        json.raw(UInt8(ascii: "]"))
    }
}

struct RecordEnvelope<Item: Encodable>: Encodable {
    let name: String
    let item: Item

    init(_ name: String, _ item: Item) {
        self.name = name
        self.item = item
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(item, forKey: Key(name))
    }
}

/// A JSON key chosen at run time.
struct Key: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
