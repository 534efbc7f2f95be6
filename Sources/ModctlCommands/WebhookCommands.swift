import ArgumentParser
import CommentStore
import Foundation

/// `modctl webhooks add|list|remove`: where decision events are sent (sql/0012_webhooks.sql).
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Send decision events to the site or a newsroom chat: signed POSTs, retried until delivered.",
        subcommands: [AddWebhook.self, ListWebhooks.self, RemoveWebhook.self]
    )
}

struct AddWebhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add an endpoint; prints its signing secret once.",
        discussion: """
            Each event is a JSON POST with CommentDesk-Event-Id (de-duplicate on it: delivery is at least once) and \
            CommentDesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>.
            """
    )

    @Argument(help: "The endpoint's URL (http:// or https://).")
    var url: String

    @Option(parsing: .upToNextOption, help: "Only these event types (default: all): \(Webhooks.eventTypes.joined(separator: ", ")).")
    var events: [String] = []

    @OptionGroup var moderator: ModeratorOption

    func validate() throws {
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil, url.utf8.count <= 2048,
            !url.contains(where: \.isWhitespace)
        else { throw ValidationError("the URL must be http:// or https:// with a host") }
        for event in events where !Webhooks.eventTypes.contains(event) {
            throw ValidationError("unknown event type '\(event)'; known: \(Webhooks.eventTypes.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let added = try await withDatabase { try await Webhooks().add(url: url, events: events, by: moderator.name, on: $0) }
        print("webhook \(added.id): \(url) (\(events.isEmpty ? "all events" : events.joined(separator: ", ")))")
        print("signing secret (shown once; keep it in the receiver's secret store): \(added.secret)")
    }
}

struct ListWebhooks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List endpoints with their deliveries.")

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() async throws {
        let endpoints = try await withDatabase { try await Webhooks().list(on: $0) }
        if json { return try printJSON(endpoints) }
        guard !endpoints.isEmpty else { return print("no webhooks") }
        printTable(
            ["ID", "URL", "EVENTS", "PENDING", "DELIVERED", "FAILED", "LAST ERROR"],
            endpoints.map {
                [
                    String($0.id), $0.url, $0.events.isEmpty ? "all" : $0.events.joined(separator: ","), String($0.pending), String($0.delivered),
                    String($0.failed), $0.lastError ?? "",
                ]
            }
        )
    }
}

struct RemoveWebhook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Stop sending to an endpoint (pending events are dropped).")

    @Argument(help: "The endpoint's id (modctl webhooks list).")
    var id: Int64

    func run() async throws {
        guard try await withDatabase({ try await Webhooks().remove(id, on: $0) }) else {
            printError("no webhook \(id) in use")
            throw notFoundOrConflict
        }
        print("webhook \(id) removed")
    }
}
