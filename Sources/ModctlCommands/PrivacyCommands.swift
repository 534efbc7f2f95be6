import ArgumentParser
import CommentStore
import Foundation

/// `modctl account export|erase PROVIDER:SUBJECT`: a reader's rights under PIPA and the GDPR (PRIVACY.md).
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Export or erase what is stored about a reader (PRIVACY.md).",
        subcommands: [ExportAccount.self, EraseAccount.self]
    )
}

struct ExportAccount: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print everything stored about a reader as JSON: account, comments with their decisions, sanctions, flags."
    )

    @Argument(help: "The account as provider:subject (e.g. twitter:12345).")
    var account: String

    func validate() throws {
        guard AccountRef(account) != nil else { throw ValidationError("the account must look like twitter:12345") }
    }

    func run() async throws {
        let ref = AccountRef(account)!
        guard let json = try await withDatabase({ try await Accounts().export(ref, on: $0) }) else {
            printError("no account \(ref): nothing is stored about it")
            throw notFoundOrConflict
        }
        print(json)
    }
}

struct EraseAccount: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a reader's data now: comment texts, login and name; statuses and counts stay for the reports.",
        discussion: "Cannot be undone. A reader's own request (POST /v1/me/erasure) waits for the policy's grace period; this does not."
    )

    @Argument(help: "The account as provider:subject (e.g. twitter:12345).")
    var account: String

    @Flag(help: "Confirm: the erasure cannot be undone.")
    var yes = false

    @OptionGroup var moderator: ModeratorOption

    func validate() throws {
        guard AccountRef(account) != nil else { throw ValidationError("the account must look like twitter:12345") }
        guard yes else { throw ValidationError("erasure cannot be undone: add --yes to confirm") }
    }

    func run() async throws {
        let ref = AccountRef(account)!
        guard let comments = try await withDatabase({ try await Accounts().erase(ref, by: moderator.name, on: $0) }) else {
            printError("no account \(ref): nothing is stored about it")
            throw notFoundOrConflict
        }
        print("\(ref): erased (the texts of \(comments) comments, the login and the name); the account is now pseudonymous")
    }
}
