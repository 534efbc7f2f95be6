import Configuration
import ModerationWorker
import Settings
import Testing

/// `commentd work`'s settings: options, then `COMMENTD_WORKER_*`, then defaults; out-of-range values named.
@Suite struct WorkerSettingsTests {
    @Test func optionsThenEnvironmentThenDefaults() async throws {
        let config = try await Settings.reader(
            options: ["commentd.worker.concurrency": .int(4), "commentd.worker.id": .string("worker-a")],
            environment: ["COMMENTD_WORKER_CONCURRENCY": "8", "COMMENTD_WORKER_BATCH_SIZE": "200", "COMMENTD_WORKER_POLL_INTERVAL": "0.25"]
        )
        let settings = try WorkerConfiguration(config: config)
        #expect(settings.workerID == "worker-a")
        #expect(settings.concurrency == 4, "the option beats the environment")
        #expect(settings.batchSize == 200)
        #expect(settings.pollInterval == .milliseconds(250))
        #expect(settings.leaseSeconds == 30)
        let byDefault = try WorkerConfiguration(config: try await Settings.reader(environment: [:]))
        #expect(byDefault.workerID.hasPrefix("worker-") && byDefault.concurrency == 2 && byDefault.batchSize == 500)
    }

    @Test func unusableValuesAreRefusedByName() async throws {
        func settings(_ environment: [String: String], options: [String: ConfigContent?] = [:]) async throws -> WorkerConfiguration {
            try WorkerConfiguration(config: try await Settings.reader(options: options, environment: environment))
        }
        let zero = await #expect(throws: SettingError.self) { try await settings([:], options: ["commentd.worker.concurrency": .int(0)]) }
        #expect(zero?.description == "COMMENTD_WORKER_CONCURRENCY must be between 1 and 64, not 0")
        let words = await #expect(throws: SettingError.self) { try await settings(["COMMENTD_WORKER_LEASE_SECONDS": "long"]) }
        #expect(words?.description == "COMMENTD_WORKER_LEASE_SECONDS must be a number")
        let empty = await #expect(throws: SettingError.self) { try await settings([:], options: ["commentd.worker.id": .string("")]) }
        #expect(empty?.description.contains("1 to 200 characters") == true)
    }
}
