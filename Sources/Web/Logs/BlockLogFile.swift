import Foundation
import MageHost

/// A block run's log, read in bounded pieces: an answer never holds a whole log. The path is derived from
/// the run (where the executor writes it), not taken from the store's row, so no row can point a reader
/// at another file.
struct BlockLogFile: Sendable {
    let url: URL
    /// Relative to the project, as answers show it.
    let path: String

    init(project: Project, pipeline: String, blockRun: BlockRun) {
        self.init(project: project, pipeline: pipeline, runID: blockRun.pipelineRunID, block: blockRun.block)
    }

    init(project: Project, pipeline: String, runID: Int64, block: String) {
        url = project.blockRunDirectory(pipeline: pipeline, runID: runID, block: block)
            .appendingPathComponent("block.log")
        let root = project.root.standardizedFileURL.path + "/"
        path = url.standardizedFileURL.path.hasPrefix(root) ? String(url.standardizedFileURL.path.dropFirst(root.count)) : url.path
    }

    /// Lines read from one offset on.
    struct Lines: Sendable {
        var lines: [String]
        /// The offset after the last line returned: where the next read starts (an SSE event id).
        var offsets: [UInt64]
        var next: UInt64
        /// Whether the read reached the end of what the file held.
        var atEnd: Bool
    }

    /// Complete lines from `offset`, at most `maxBytes` of them. A last line without its newline waits for
    /// the rest unless `final` (the block run has ended); a line longer than `maxBytes` comes in pieces.
    func lines(from offset: UInt64, maxBytes: Int, final: Bool) throws -> Lines {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return Lines(lines: [], offsets: [], next: offset, atEnd: true) }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        guard offset < size else { return Lines(lines: [], offsets: [], next: min(offset, size), atEnd: true) }
        try handle.seek(toOffset: offset)
        let bytes = [UInt8](try handle.read(upToCount: maxBytes) ?? Data())
        let reachedEnd = offset + UInt64(bytes.count) >= size
        var result = Lines(lines: [], offsets: [], next: offset, atEnd: false)
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            result.append(bytes[start..<index], endingAt: offset + UInt64(index + 1))
            start = index + 1
        }
        let rest = bytes[start...]
        if !rest.isEmpty && ((final && reachedEnd) || start == 0 && bytes.count == maxBytes) {
            result.append(rest, endingAt: offset + UInt64(bytes.count))
        }
        result.atEnd = reachedEnd && result.next == size
        return result
    }

    /// The last `maxBytes` of the log from a line start; whether earlier lines were left out.
    func tail(maxBytes: Int) throws -> (text: String, truncated: Bool, size: UInt64) {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return ("", false, 0) }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        let start = size > UInt64(maxBytes) ? size - UInt64(maxBytes) : 0
        try handle.seek(toOffset: start)
        var bytes = [UInt8](try handle.read(upToCount: maxBytes) ?? Data())
        if start > 0, let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) { bytes.removeFirst(newline + 1) }
        return (String(decoding: bytes, as: UTF8.self), start > 0, size)
    }
}

extension BlockLogFile.Lines {
    mutating func append(_ line: ArraySlice<UInt8>, endingAt end: UInt64) {
        var text = line
        if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
        lines.append(String(decoding: text, as: UTF8.self))
        offsets.append(end)
        next = end
    }
}
