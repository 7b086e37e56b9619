import PluginAPI

/// A plugin's struct read field by field, never past the `struct_size` it was compiled with: a plugin
/// built against an earlier minor hands over a shorter struct, and the fields it lacks read as zero/NULL.
/// (Copying `pointee` whole would read today's full size, beyond the end of the plugin's struct.)
struct SizedStruct<Layout> {
    let base: UnsafeRawPointer
    let size: Int

    init(_ pointer: UnsafePointer<Layout>) {
        base = UnsafeRawPointer(pointer)
        size = Int(base.load(as: UInt32.self))
    }

    /// The field at `path`, or `absent` when the plugin's struct ends before it.
    func field<T>(_ path: KeyPath<Layout, T>, absent: T) -> T {
        guard let offset = MemoryLayout<Layout>.offset(of: path),
              offset + MemoryLayout<T>.size <= size else { return absent }
        return base.loadUnaligned(fromByteOffset: offset, as: T.self)
    }

    func field<T>(_ path: KeyPath<Layout, T?>) -> T? { field(path, absent: nil) }
}
