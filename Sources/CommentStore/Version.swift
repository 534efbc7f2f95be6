import StandardsPolicy

/// What a binary of this checkout works with, for `--version`: the database schema it migrates to (the last migration)
/// and the Standards Board Policy it seeds when none is active.
public enum CommentDeskVersion {
    public static var description: String {
        let schema = Migration.all.last.map { "\($0.version)" } ?? "none"
        let policy = PolicyLoader.declaredVersion(in: PolicyBundle.standardsBoard.document) ?? "unknown"
        return "CommentDesk: database schema \(schema), default policy \(policy)"
    }
}
