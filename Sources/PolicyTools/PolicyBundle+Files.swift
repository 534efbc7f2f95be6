import Foundation
public import StandardsPolicy

extension PolicyBundle {
    /// Reads `path` and the term files it references from disk. Throws ``PolicyError`` when a file is missing.
    public static func read(contentsOf path: String) throws -> PolicyBundle {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        let mainFile = url.lastPathComponent
        var files: [String: String] = [:]
        do {
            files[mainFile] = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw PolicyError([.init(file: path, line: nil, message: "cannot read the policy file")])
        }
        // Collect referenced files by reading the document once with a reader that loads them from disk.
        var bundle = PolicyBundle(mainFile: mainFile, files: files)
        for reference in PolicyLoader.fileReferences(in: bundle.document) {
            guard let relative = PolicyLoader.safeRelativePath(reference) else { continue }
            if let text = try? String(contentsOf: folder.appendingPathComponent(relative), encoding: .utf8) {
                bundle.files[relative] = text
            }
        }
        return bundle
    }
}

extension CompiledPolicy {
    /// Reads, validates and compiles the policy file at `path` and the term files beside it.
    public convenience init(contentsOf path: String) throws {
        try self.init(bundle: PolicyBundle.read(contentsOf: path))
    }
}
