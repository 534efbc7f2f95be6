import Foundation
import Testing

@testable import StandardsPolicy

/// The engine reads untrusted text, so its unsafe code lives in one file behind a writer that checks every access
/// (issue 16). The compiler enforces the rest: the target builds with strict memory safety as an error, so an unsafe
/// construct anywhere must be marked `unsafe`, and this suite holds the marks to the one file.
@Suite
struct SafetyTests {
    static let sources = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../Sources/StandardsPolicy").standardized

    @Test func unsafeCodeLivesInTheCheckedWriterAlone() throws {
        let files = try #require(FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(files.count > 30, "\(Self.sources.path): the sources were not found")
        let marked = try files.filter { try String(contentsOf: $0, encoding: .utf8).contains(/\bunsafe\b|Unsafe[A-Z]|unsafeBitCast/) }
        #expect(marked.map(\.lastPathComponent) == ["CheckedWriter.swift"])
        let package = try String(contentsOf: Self.sources.appending(path: "../../Package.swift").standardized, encoding: .utf8)
        #expect(package.contains(#".strictMemorySafety(), .treatWarning("StrictMemorySafety", as: .error)"#))
    }

    @Test func theWriterKeepsWhatItWrote() {
        var storage: [UInt32] = []
        let written = storage.write(capacity: 3, filler: 0) { writer in
            writer.append(1)
            writer.append(2)
            writer[1] = 5
            writer.append(7)
            writer.removeLast()
        }
        #expect(written == 2 && Array(storage[0..<written]) == [1, 5])
        // Storage is kept for the next text: a shorter write reuses it.
        #expect(storage.write(capacity: 1, filler: 0) { $0.append(9) } == 1 && storage[0] == 9 && storage.count == 3)
    }

    @Test func writingPastTheCapacityTraps() async {
        await #expect(processExitsWith: .failure) {
            var storage: [UInt32] = []
            _ = storage.write(capacity: 2, filler: 0) { writer in
                for value in 0..<3 { writer.append(UInt32(value)) }
            }
        }
    }

    @Test func readingPastWhatWasWrittenTraps() async {
        await #expect(processExitsWith: .failure) {
            var storage: [UInt32] = []
            _ = storage.write(capacity: 4, filler: 0) { writer in
                writer.append(1)
                _ = writer[1]
            }
        }
    }
}
