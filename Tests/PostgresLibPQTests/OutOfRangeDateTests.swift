import Foundation
import Testing

@testable import PostgresLibPQ

/// A date PostgreSQL cannot store is refused before the query is sent, never a trap that ends the process.
@Suite("Out-of-range dates", .timeLimit(.minutes(5)))
struct OutOfRangeDateTests {
    @Test(arguments: [1e13, -1e13, Double.infinity, -Double.infinity, Double.nan])
    func aDateOutsidePostgreSQLsRangeThrows(_ seconds: Double) async throws {
        let date = Date(timeIntervalSince1970: seconds)
        let query: SQLQuery = "SELECT \(date)::timestamptz"
        #expect(throws: PostgresError.self) { try query.validate() }
        let optional: Date? = date
        let array = [Date(), date]
        let viaOptional: SQLQuery = "SELECT \(optional)::timestamptz"
        let viaArray: SQLQuery = "SELECT \(array)::timestamptz[]"
        #expect(throws: PostgresError.self) { try viaOptional.validate() }
        #expect(throws: PostgresError.self) { try viaArray.validate() }
    }

    @Test func theEdgesOfTheRangeAreSent() throws {
        for seconds in [PostgresTimestamp.encodableSeconds.lowerBound, 0, 1.8e9, PostgresTimestamp.encodableSeconds.upperBound] {
            let query: SQLQuery = "SELECT \(Date(timeIntervalSince1970: seconds))::timestamptz"
            try query.validate()
        }
    }
}
