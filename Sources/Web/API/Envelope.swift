import Foundation

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
