import Foundation
import PostgresTestSupport
import Testing
import Yams

/// The systemd units, Kubernetes manifests and compose file in deploy/: accepted by their tools or parsed, with the
/// parts operators rely on.
@Suite("Deployment files")
struct DeployFilesTests {
    static let deploy = TestPostgres.repositoryRoot.appendingPathComponent("deploy")

    /// `systemd-analyze verify` on the units, with ExecStart pointing at the built commentd (it checks executables).
    /// Warnings count as failures: systemd only warns about an invalid value.
    @Test func systemdAcceptsTheUnits() async throws {
        let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let analyze else {
            Issue.record("systemd-analyze is missing (deploy/local/test.sh installs systemd)")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-units-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = WorkerProcess.productsDirectory.appendingPathComponent("commentd").path
        var names: [String] = []
        for (source, target) in [
            ("commentd-api.service", "commentd-api.service"), ("commentd-worker@.service", "commentd-worker@1.service"),
            ("commentd-report.service", "commentd-report.service"), ("commentd-report.timer", "commentd-report.timer"),
        ] {
            let text = try String(contentsOf: Self.deploy.appendingPathComponent("systemd/\(source)"), encoding: .utf8)
            #expect(text.contains("NoNewPrivileges=yes") || source.hasSuffix(".timer"), "\(source) is hardened")
            #expect(text.contains("ProtectSystem=strict") || source.hasSuffix(".timer"), "\(source) is hardened")
            #expect(text.contains("User=commentdesk") || source.hasSuffix(".timer"), "\(source) runs as its own user")
            try text.replacingOccurrences(of: "/usr/local/bin/commentd", with: binary)
                .write(to: folder.appendingPathComponent(target), atomically: true, encoding: .utf8)
            names.append(target)
        }
        let log = folder.appendingPathComponent("verify.log").path
        let child = try ChildProcess(analyze, ["verify"] + names.map { folder.appendingPathComponent($0).path }, logPath: log)
        let code = await child.exitCode()
        #expect(code == 0, "\(child.output)")
        #expect(child.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "no warnings: \(child.output)")
        let timer = try String(contentsOf: Self.deploy.appendingPathComponent("systemd/commentd-report.timer"), encoding: .utf8)
        #expect(timer.contains("OnCalendar=*-*-* 00:15:00 Asia/Seoul"))
    }

    /// Every Kubernetes document parses, the kinds the operators need are there, probes and resources are set, and
    /// secrets are referenced, never inlined.
    @Test func kubernetesManifestsHaveTheKindsAndReferenceSecrets() throws {
        let folder = Self.deploy.appendingPathComponent("kubernetes")
        var documents: [[String: Any]] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".yaml") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for document in try Yams.load_all(yaml: text) {
                documents.append(try #require(document as? [String: Any], "\(file) holds a mapping"))
            }
        }
        func kind(_ name: String) -> [[String: Any]] { documents.filter { $0["kind"] as? String == name } }
        #expect(kind("Deployment").count == 2)
        #expect(kind("Service").count == 1)
        #expect(kind("CronJob").count == 1)
        #expect(kind("Job").count == 1)
        #expect(kind("PodDisruptionBudget").count == 2)
        #expect(kind("Secret").isEmpty, "secrets are created by operators, not stored in the repository")
        for deployment in kind("Deployment") {
            let spec = deployment["spec"] as? [String: Any]
            let pod = (spec?["template"] as? [String: Any])?["spec"] as? [String: Any]
            let containers = pod?["containers"] as? [[String: Any]] ?? []
            #expect(!containers.isEmpty)
            for container in containers {
                #expect(container["readinessProbe"] != nil && container["livenessProbe"] != nil, "\(container["name"] ?? "")")
                #expect((container["resources"] as? [String: Any])?["requests"] != nil)
            }
        }
        let cron = try #require(kind("CronJob").first?["spec"] as? [String: Any])
        #expect(cron["schedule"] as? String == "15 0 * * *")
        #expect(cron["timeZone"] as? String == "Asia/Seoul")
        let everything = try FileManager.default.contentsOfDirectory(atPath: folder.path).map {
            try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
        }.joined()
        #expect(everything.contains("secretKeyRef"))
        #expect(!everything.lowercased().contains("password:"), "no inlined passwords")
    }

    @Test func composeHasTheDatabaseMigrationsAPITwoWorkersAndTheReport() throws {
        let text = try String(contentsOf: Self.deploy.appendingPathComponent("container/compose.yaml"), encoding: .utf8)
        let compose = try #require(try Yams.load(yaml: text) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        #expect(Set(services.keys) == ["db", "migrate", "api", "worker", "report"])
        let worker = services["worker"] as? [String: Any]
        #expect((worker?["deploy"] as? [String: Any])?["replicas"] as? Int == 2)
        #expect(!text.contains("POSTGRES_PASSWORD:"), "the password comes from a secret file")
        let dockerfile = try String(contentsOf: Self.deploy.appendingPathComponent("container/Dockerfile"), encoding: .utf8)
        // Two stages: the toolchain builds, and only the binaries go into a slim runtime image.
        let stages = dockerfile.split(separator: "\n").filter { $0.hasPrefix("FROM ") }
        #expect(stages.count == 2, "\(stages)")
        #expect(stages.first?.hasSuffix(" AS build") == true && stages.last?.hasPrefix("FROM debian:") == true, "\(stages)")
        #expect(dockerfile.contains("COPY --from=build "), "the runtime stage takes the build stage's binaries")
        #expect(dockerfile.contains("libpq5") && dockerfile.contains("USER 10001"))
        // The report's volume starts with the image's folder's owner: the unprivileged user must own /reports.
        let report = services["report"] as? [String: Any]
        #expect((report?["volumes"] as? [String])?.contains { $0.hasSuffix(":/reports") } == true)
        #expect(dockerfile.contains("chown 10001:10001 /reports"))
        // How to make the secrets (owners and modes included) and register an article is in the file itself.
        #expect(text.contains("chown 10001 secrets/pgpass") && text.contains("register_article("))
        for (name, file) in Set(services.keys).intersection(["api", "worker", "migrate", "report"]).map({ ($0, services[$0] as? [String: Any]) }) {
            let secrets = file?["secrets"] as? [String] ?? []
            #expect(secrets.contains("pgpass"), "\(name) reads the database password from the pgpass secret")
        }
    }

    /// Nobody pulls an image we never published: every image name of ours says it is a placeholder.
    @Test func ourImageNamesArePlaceholders() throws {
        let files = [
            "container/compose.yaml", "kubernetes/api.yaml", "kubernetes/worker.yaml", "kubernetes/migrate-job.yaml",
            "kubernetes/report-cronjob.yaml",
        ]
        for file in files {
            let text = try String(contentsOf: Self.deploy.appendingPathComponent(file), encoding: .utf8)
            let images = text.split(separator: "\n").filter { $0.contains("image:") && $0.contains("commentdesk") }
            #expect(!images.isEmpty, "\(file)")
            #expect(images.allSatisfy { $0.contains("registry.example.com/") }, "\(file): \(images)")
        }
    }
}
