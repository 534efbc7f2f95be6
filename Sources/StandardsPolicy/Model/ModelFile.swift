import Foundation

/// A model as a file: JSON, with the weights quantized to one signed byte each (`weight = byte × scale`) and written
/// in base64, so a model of 2^18 buckets is about 350 KB and travels inside a policy bundle like a term list (stored,
/// versioned, activated and replayed with its policy).
public struct ModelFile: Codable, Sendable {
    public var format: String
    public var version: Int
    public var buckets: Int
    public var bias: Float
    public var scale: Float
    public var threshold: Double
    public var weights: String
    public var provenance: [String: String]

    /// Why a model file cannot be used.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public init(_ model: AbuseModel) {
        let (compact, scale) = AbuseModel.quantize(model.weights)
        let bytes = compact.map { UInt8(bitPattern: $0) }
        format = AbuseModel.formatName
        version = AbuseModel.formatVersion
        buckets = model.buckets
        bias = model.bias
        self.scale = scale
        threshold = model.threshold
        weights = Data(bytes).base64EncodedString()
        provenance = model.provenance
    }

    /// The file's text: keys sorted, so the same model is the same bytes.
    public func text() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, numbers and a dictionary of strings always encode.
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }

    /// Reads a model file's text; a file that is not one, of another format version, or damaged is refused with the
    /// reason (the policy that names it then does not load, and the active one stays).
    public static func model(from text: String) throws -> AbuseModel {
        let file: ModelFile
        do {
            file = try JSONDecoder().decode(ModelFile.self, from: Data(text.utf8))
        } catch {
            throw Problem(description: "not a CommentDesk model file (JSON with format, version, buckets, weights)")
        }
        guard file.format == AbuseModel.formatName else { throw Problem(description: "format '\(file.format)' is not \(AbuseModel.formatName)") }
        guard file.version == AbuseModel.formatVersion else {
            throw Problem(description: "model format version \(file.version); this CommentDesk reads version \(AbuseModel.formatVersion)")
        }
        guard file.buckets > 0, file.buckets <= 1 << 20, file.buckets & (file.buckets - 1) == 0 else {
            throw Problem(description: "buckets \(file.buckets) is not a power of two up to 2^20")
        }
        guard let bytes = Data(base64Encoded: file.weights), bytes.count == file.buckets else {
            throw Problem(description: "the weights are damaged: expected \(file.buckets) base64 bytes")
        }
        guard file.scale.isFinite, file.scale > 0, file.bias.isFinite, (0...1).contains(file.threshold) else {
            throw Problem(description: "scale, bias or threshold out of range")
        }
        let weights = bytes.map { Float(Int8(bitPattern: $0)) * file.scale }
        return AbuseModel(buckets: file.buckets, weights: weights, bias: file.bias, threshold: file.threshold, provenance: file.provenance)
    }
}
