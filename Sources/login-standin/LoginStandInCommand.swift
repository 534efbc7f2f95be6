import ArgumentParser
import Hummingbird
import Logging
import LoginStandIn

/// `login-standin`: X's and Facebook's login servers played on one local port, for `deploy/local/run.sh` and the browser
/// tests (the real ones cannot be reached from a test machine). Never for production: it logs anyone in.
@main
struct LoginStandInCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login-standin",
        abstract: "A local stand-in for X's and Facebook's login servers (OAuth 2.0 with PKCE; Facebook Login's code flow)."
    )

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 9090

    @Option(help: "A registered client: ID:SECRET:REDIRECT_URI (repeat the option for more).")
    var client: [String] = []

    @Option(help: "The reader who logs in: their id at the provider.")
    var personID = "1000001"

    @Option(help: "The reader's display name.")
    var personName = "Kim Reader"

    func validate() throws {
        for entry in client where entry.split(separator: ":", maxSplits: 2).count != 3 {
            throw ValidationError("--client takes ID:SECRET:REDIRECT_URI, not '\(entry)'")
        }
    }

    func run() async throws {
        let clients = client.map { entry in
            let parts = entry.split(separator: ":", maxSplits: 2).map(String.init)
            return LoginStandIn.Client(id: parts[0], secret: parts[1], redirectURIs: [parts[2]])
        }
        let standIn = LoginStandIn(clients: clients, person: .init(id: personID, name: personName, username: "reader\(personID)"))
        let router = Router()
        standIn.register(on: router)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "login-standin"),
            logger: Logger(label: "login-standin")
        )
        try await app.runService()
    }
}
