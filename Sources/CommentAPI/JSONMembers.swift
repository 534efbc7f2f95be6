import Foundation

/// Reads the member names of a JSON text's top-level object, for checks the decoder does not make.
enum JSONMembers {
    /// Whether the top-level object names a member twice (after unescaping, so `"body"` and `"b\u006fdy"` are the same).
    /// Call only on text that already decoded as JSON.
    static func hasDuplicateTopLevelKey(_ data: Data) -> Bool {
        let bytes = [UInt8](data)
        var depth = 0
        var index = 0
        var seen = Set<String>()
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: "\""):
                let start = index
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard depth == 1, isFollowedByColon(bytes, after: index) else { break }
                guard let name = try? JSONDecoder().decode(String.self, from: Data(bytes[start...min(index, bytes.count - 1)])) else { return false }
                if !seen.insert(name).inserted { return true }
            default:
                break
            }
            index += 1
        }
        return false
    }

    private static func isFollowedByColon(_ bytes: [UInt8], after index: Int) -> Bool {
        var next = index + 1
        while next < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[next]) { next += 1 }
        return next < bytes.count && bytes[next] == UInt8(ascii: ":")
    }
}
