import Foundation
import FormworkRuntime
import FormworkSimulator
import FormworkTestSupport
import Testing

/// Random items, random key conditions and filters, random page sizes: Query and Scan return
/// exactly what a naive in-memory evaluation of the same request returns, in the same order.
@Suite("Property: Query and Scan against a naive reference")
struct QueryReferenceTests {
    /// A random decimal of up to six significant digits, possibly negative or fractional.
    static func number(_ random: inout SeededGenerator) -> Decimal {
        let mantissa = Int.random(in: -99_999...99_999, using: &random)
        let scale = Int.random(in: 0...3, using: &random)
        return Decimal(sign: mantissa < 0 ? .minus : .plus, exponent: -scale, significand: Decimal(abs(mantissa)))
    }

    struct Row {
        var player: String
        var score: Decimal
        var x: Int?
        var s: String?

        var item: TableItem {
            var item: TableItem = ["player": .string(player), "score": .number("\(score)")]
            if let x { item["x"] = .number(String(x)) }
            if let s { item["s"] = .string(s) }
            return item
        }
    }

    enum Sort: CaseIterable { case none, equal, less, lessOrEqual, greater, greaterOrEqual, between }
    enum Filter: CaseIterable { case none, xGreater, sExists, sBeginsWith, notXEqual }

    @Test("random queries and scans", arguments: 0..<6)
    func random(seed: Int) async throws {
        var random = SeededGenerator(state: UInt64(1_000 + seed))
        let tables = try TableService(schemas: [scoreSchema], store: try .inMemory())
        var rows: [String: Row] = [:]
        for _ in 0..<150 {
            let row = Row(player: ["a", "b", "c"].randomElement(using: &random) ?? "a", score: Self.number(&random),
                          x: Bool.random(using: &random) ? Int.random(in: -50...50, using: &random) : nil,
                          s: Bool.random(using: &random) ? ["ab", "abc", "b", "ä", "Ab", ""].randomElement(using: &random) : nil)
            rows["\(row.player)|\(row.score)"] = row
            try await tables.putItem(table: "scores", item: row.item)
        }
        for _ in 0..<60 {
            let player = ["a", "b", "c"].randomElement(using: &random) ?? "a"
            let (low, high) = [Self.number(&random), Self.number(&random)].sorted().pairs
            let sort = Sort.allCases.randomElement(using: &random) ?? .none
            let filter = Filter.allCases.randomElement(using: &random) ?? .none
            let n = Int.random(in: -50...50, using: &random)
            let forward = Bool.random(using: &random)
            let limit = Int.random(in: 1...40, using: &random)

            var key = "player = :p"
            var values: [String: AttributeValue] = [":p": .string(player)]
            switch sort {
            case .none: break
            case .equal: key += " AND score = :lo"
            case .less: key += " AND score < :lo"
            case .lessOrEqual: key += " AND score <= :lo"
            case .greater: key += " AND score > :lo"
            case .greaterOrEqual: key += " AND score >= :lo"
            case .between: key += " AND score BETWEEN :lo AND :hi"; values[":hi"] = .number("\(high)")
            }
            if sort != .none { values[":lo"] = .number("\(low)") }
            var filterText: String?
            switch filter {
            case .none: break
            case .xGreater: filterText = "x > :n"; values[":n"] = .number(String(n))
            case .sExists: filterText = "attribute_exists(s)"
            case .sBeginsWith: filterText = "begins_with(s, :pre)"; values[":pre"] = "a"
            case .notXEqual: filterText = "NOT x = :n"; values[":n"] = .number(String(n))
            }

            func keyMatches(_ row: Row) -> Bool {
                guard row.player == player else { return false }
                switch sort {
                case .none: return true
                case .equal: return row.score == low
                case .less: return row.score < low
                case .lessOrEqual: return row.score <= low
                case .greater: return row.score > low
                case .greaterOrEqual: return row.score >= low
                case .between: return row.score >= low && row.score <= high
                }
            }
            func filterMatches(_ row: Row) -> Bool {
                switch filter {
                case .none: return true
                case .xGreater: return row.x.map { $0 > n } ?? false
                case .sExists: return row.s != nil
                case .sBeginsWith: return row.s?.hasPrefix("a") ?? false
                case .notXEqual: return row.x != n
                }
            }
            var expected = rows.values.filter { keyMatches($0) && filterMatches($0) }.map(\.score).sorted()
            if !forward { expected.reverse() }

            var request = QueryRequest(keyConditionExpression: key, filterExpression: filterText, expressionAttributeValues: values,
                                       limit: limit, scanIndexForward: forward)
            var got: [Decimal] = []
            var pages = 0
            repeat {
                let page = try await tables.query(table: "scores", request)
                #expect(page.scannedCount <= limit)
                got += page.items.compactMap { $0["score"]?.numberValue.flatMap { Decimal(string: $0) } }
                request.exclusiveStartKey = page.lastEvaluatedKey
                pages += 1
            } while request.exclusiveStartKey != nil && pages < 500
            #expect(got == expected, "\(key) [\(filterText ?? "")] forward=\(forward) limit=\(limit)")

            var scanRequest = ScanRequest(filterExpression: filterText, expressionAttributeValues: values.filter { $0.key == ":n" || $0.key == ":pre" },
                                          limit: limit)
            var scanned: [String] = []
            repeat {
                let page = try await tables.scan(table: "scores", scanRequest)
                scanned += page.items.map { "\($0["player"]?.stringValue ?? "")|\($0["score"]?.numberValue ?? "")" }
                scanRequest.exclusiveStartKey = page.lastEvaluatedKey
            } while scanRequest.exclusiveStartKey != nil
            let expectedScan = rows.filter { filterMatches($0.value) }.map(\.key)
            #expect(Set(scanned) == Set(expectedScan) && scanned.count == expectedScan.count, "scan [\(filterText ?? "")]")
        }
    }
}

extension Array where Element == Decimal {
    var pairs: (Decimal, Decimal) { (self[0], self[1]) }
}
