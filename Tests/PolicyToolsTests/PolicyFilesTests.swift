import Foundation
import PolicyTools
import StandardsPolicy
import Testing

@Suite
struct PolicyFilesTests {
    @Test func theDefaultPolicyMatchesTheDeployFolderByteForByte() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/policy")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files == PolicyBundle.standardsBoard.files.keys.sorted())
        for (name, text) in PolicyBundle.standardsBoard.files {
            #expect(try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) == text, "\(name) differs")
        }
        let fromDisk = try PolicyBundle.read(contentsOf: folder.appendingPathComponent("standards-board.yaml").path)
        #expect(fromDisk == PolicyBundle.standardsBoard)
    }
}
