import Formwork
import FormworkRuntime
import FormworkSimulator
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// In-process table figures: PutItem and GetItem throughput, and GSI query latency on a large
/// table kept in a SQLite file, with the process's resident memory.
enum TableBenchmark {
    static let schema = TableSchema(
        Table("bench-tasks", partitionKey: .string("taskId"))
            .index("ByAssignee", partitionKey: .string("assigneeId"), sortKey: .string("deadline")))

    static func item(_ index: Int) -> TableItem {
        let day = 1 + (index * 7919) % 28, hour = (index * 31) % 24
        return [
            "taskId": .string("task-\(index)"),
            "assigneeId": .string("user-\(index % 1000)"),
            "deadline": .string(String(format: "2026-12-%02dT%02d:00:00.000Z", day, hour)),
            "status": .string(["todo", "in_progress", "blocked", "done"][index % 4]),
            "title": .string("Task number \(index) of the benchmark"),
            "version": .number(String(index % 7 + 1)),
        ]
    }

    static func run(items count: Int, queries: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("formwork-table-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tables = try TableService(schemas: [schema], store: try .file(directory.appendingPathComponent("state.sqlite").path))

        let operations = 5000
        var clock = ContinuousClock.now
        for index in 0..<operations { try await tables.putItem(table: schema.name, item: item(index)) }
        let putRate = Double(operations) / seconds(since: clock)
        clock = ContinuousClock.now
        for index in 0..<operations { _ = try await tables.getItem(table: schema.name, key: ["taskId": .string("task-\(index)")]) }
        let getRate = Double(operations) / seconds(since: clock)
        print(String(format: "in-process PutItem: %.0f ops/s, GetItem: %.0f ops/s (file store, WAL)", putRate, getRate))

        clock = ContinuousClock.now
        var next = operations
        while next < count {
            let batch = (next..<min(next + 25, count)).map { WriteRequest.put(item: item($0)) }
            _ = try await tables.batchWrite([schema.name: batch])
            next += batch.count
        }
        let loaded = try await tables.count(table: schema.name)
        print(String(format: "loaded %d items in %.1f s (BatchWriteItem of 25)", loaded, seconds(since: clock)))

        var latencies: [Double] = []
        var random = SystemRandomNumberGenerator()
        for _ in 0..<queries {
            let user = Int.random(in: 0..<1000, using: &random), day = Int.random(in: 1...20, using: &random)
            let values: [String: AttributeValue] = [
                ":a": .string("user-\(user)"), ":from": .string(String(format: "2026-12-%02d", day)),
                ":to": .string(String(format: "2026-12-%02d", day + 7)),
            ]
            let request = QueryRequest(
                keyConditionExpression: "assigneeId = :a AND deadline BETWEEN :from AND :to", indexName: "ByAssignee",
                expressionAttributeValues: values, limit: 25)
            let start = ContinuousClock.now
            _ = try await tables.query(table: schema.name, request)
            latencies.append(seconds(since: start) * 1000)
        }
        latencies.sort()
        let p50 = latencies[latencies.count / 2], p99 = latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
        print(
            String(
                format: "GSI query (ByAssignee, BETWEEN on deadline, Limit 25) over %d items: p50 %.3f ms, p99 %.3f ms (goal p99 ≤ 2 ms) %@",
                loaded, p50, p99, p99 <= 2 ? "ok" : "OVER GOAL"))
        let rss = residentMegabytes()
        print(String(format: "resident memory with the table loaded: %.0f MB (goal ≤ 300 MB) %@", rss, rss <= 300 ? "ok" : "OVER GOAL"))
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Current resident set size, from /proc/self/statm.
    static func residentMegabytes() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}
