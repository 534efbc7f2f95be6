extension PolicyBundle {
    /// The default Standards Board Policy from `deploy/policy/`, embedded in the binary at build time, so an
    /// installed `commentd` or `modctl` needs no checkout. A test checks it matches the folder byte for byte.
    public static let standardsBoard = PolicyBundle(
        mainFile: "standards-board.yaml",
        files: [
            "standards-board.yaml": PackageResources.standards_board_yaml,
            "abuse-ko.json": PackageResources.abuse_ko_json,
            "allow.txt": PackageResources.allow_txt,
            "hate.txt": PackageResources.hate_txt,
            "insults.txt": PackageResources.insults_txt,
            "messengers.txt": PackageResources.messengers_txt,
            "profanity-en.txt": PackageResources.profanity_en_txt,
            "profanity-ko.txt": PackageResources.profanity_ko_txt,
            "sexual.txt": PackageResources.sexual_txt,
            "spam.txt": PackageResources.spam_txt,
            "threats.txt": PackageResources.threats_txt,
        ].mapValues { String(decoding: $0, as: UTF8.self) }
    )
}

extension CompiledPolicy {
    /// The default policy, compiled. Throws only if the embedded files are invalid, which the tests rule out.
    public static func standardsBoard() throws -> CompiledPolicy {
        try CompiledPolicy(bundle: .standardsBoard)
    }
}
