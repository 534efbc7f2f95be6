import Foundation

/// A policy as files: the main YAML document and the term lists it names, by path relative to the policy's
/// folder. This is what `policy_versions` stores (document + files), so a version can be rebuilt exactly.
public struct PolicyBundle: Sendable, Equatable {
    /// The main document's path, e.g. `standards-board.yaml`.
    public var mainFile: String
    /// Every file's text by relative path, the main document included.
    public var files: [String: String]

    public init(mainFile: String, files: [String: String]) {
        self.mainFile = mainFile
        self.files = files
    }

    /// The main document's text.
    public var document: String { files[mainFile] ?? "" }
}

/// Why a policy could not be loaded: every problem found, each with its file and line.
public struct PolicyError: Error, Sendable, CustomStringConvertible {
    public struct Issue: Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var message: String

        public init(file: String, line: Int?, message: String) {
            self.file = file
            self.line = line
            self.message = message
        }

        public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
    }

    public var issues: [Issue]

    public init(_ issues: [Issue]) { self.issues = issues }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
