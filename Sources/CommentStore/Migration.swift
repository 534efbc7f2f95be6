/// One numbered SQL file from `sql/`, embedded in the binary at build time.
public struct Migration: Sendable, Hashable {
    /// The number that orders migrations, e.g. `0001`.
    public let version: String
    /// The file name, e.g. `0001_schema.sql`.
    public let fileName: String
    /// The file's text, run as one script inside one transaction.
    public let sql: String

    init(fileName: String, bytes: [UInt8]) {
        self.fileName = fileName
        version = String(fileName.prefix { $0.isNumber })
        sql = String(decoding: bytes, as: UTF8.self)
    }
}

extension Migration {
    /// Every migration, in order. Adding a file to `sql/` means adding it here too; a test checks that this list
    /// and the folder agree byte for byte.
    public static let all: [Migration] = [
        Migration(fileName: "0001_schema.sql", bytes: PackageResources._001_schema_sql),
        Migration(fileName: "0002_producer_contract.sql", bytes: PackageResources._002_producer_contract_sql),
        Migration(fileName: "0003_reader_posts.sql", bytes: PackageResources._003_reader_posts_sql),
        Migration(fileName: "0004_comment_reasons.sql", bytes: PackageResources._004_comment_reasons_sql),
        Migration(fileName: "0005_definer_functions.sql", bytes: PackageResources._005_definer_functions_sql),
        Migration(fileName: "0006_least_privilege.sql", bytes: PackageResources._006_least_privilege_sql),
        Migration(fileName: "0007_reader_logins.sql", bytes: PackageResources._007_reader_logins_sql),
        Migration(fileName: "0008_reader_flags.sql", bytes: PackageResources._008_reader_flags_sql),
        Migration(fileName: "0009_replies.sql", bytes: PackageResources._009_replies_sql),
        Migration(fileName: "0010_own_comments.sql", bytes: PackageResources._010_own_comments_sql),
        Migration(fileName: "0011_privacy.sql", bytes: PackageResources._011_privacy_sql),
        Migration(fileName: "0012_webhooks.sql", bytes: PackageResources._012_webhooks_sql),
        Migration(fileName: "0013_quiet_queue.sql", bytes: PackageResources._013_quiet_queue_sql),
        Migration(fileName: "0014_refused_posts.sql", bytes: PackageResources._014_refused_posts_sql),
        Migration(fileName: "0015_published_version.sql", bytes: PackageResources._015_published_version_sql),
        Migration(fileName: "0016_partitioned_history.sql", bytes: PackageResources._016_partitioned_history_sql),
        Migration(fileName: "0017_planned_once.sql", bytes: PackageResources._017_planned_once_sql),
        Migration(fileName: "0018_ordered_article_bumps.sql", bytes: PackageResources._018_ordered_article_bumps_sql),
        Migration(fileName: "0019_account_approvals.sql", bytes: PackageResources._019_account_approvals_sql),
        Migration(fileName: "0020_edits_take_post_turns.sql", bytes: PackageResources._020_edits_take_post_turns_sql),
    ]
}
