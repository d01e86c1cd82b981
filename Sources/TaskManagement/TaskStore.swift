import FormworkRuntime
import Foundation

/// Which tasks a list asks for, and so which index answers it.
enum TaskListing: Equatable, Sendable {
    /// One assignee's tasks (index `ByAssignee`), optionally of one status.
    case assignee(String, status: TaskStatus?)
    /// The tasks of one status (index `ByStatus`).
    case status(TaskStatus)
    /// Every task.
    case all
}

/// One page of tasks, in deadline order, and where the next page starts.
struct TaskPage: Sendable {
    var tasks: [TaskRecord]
    var lastKey: TableItem?
}

/// The mark the schedule sets on a task once a notice has gone out.
enum TaskMark: String, Sendable, CaseIterable {
    case reminderSent = "reminderSentAt"
    case overdueSent = "overdueSentAt"

    /// The attribute a run sets while it sends the notice (its claim), removed when the notice
    /// is confirmed sent or the send failed.
    var claimAttribute: String {
        switch self {
        case .reminderSent: "reminderClaimedAt"
        case .overdueSent: "overdueClaimedAt"
        }
    }

    /// The attributes a task's marks live in: what a new deadline or assignee clears.
    static var allAttributes: [String] { allCases.flatMap { [$0.rawValue, $0.claimAttribute] } }
}

/// A run's claim on sending one notice of one task: its time is the claim's token.
struct TaskClaim: Sendable {
    var mark: TaskMark
    var taskId: String
    var claimedAt: Date
}

/// The Tasks table: one item per task, keyed by `taskId`, with a `version` for optimistic
/// concurrency.
struct TaskStore: Sendable {
    let tables: any TableClient
    let table: String

    private static let openStatuses: [TaskStatus] = TaskStatus.allCases.filter { $0 != .done }

    /// The task `taskId`, or `nil`.
    func get(_ taskId: String) async throws -> TaskRecord? {
        try await tables.getItem(table: table, key: key(taskId), consistentRead: true, projection: nil).map(record)
    }

    /// Stores a new task.
    func create(_ task: TaskRecord) async throws {
        try await tables.putItem(table: table, item: item(task), condition: .attributeNotExists("taskId"))
    }

    /// Applies `update` to the task if it is still at `expectedVersion`, and returns it as
    /// it is now.
    ///
    /// - Throws: ``TableError/conditionalCheckFailed`` when the version moved on or the
    ///   task is gone.
    func update(_ taskId: String, _ update: UpdateBuilder, expectedVersion: Int) async throws -> TaskRecord? {
        let condition = ConditionExpression(
            "#version = :expectedVersion", names: ["#version": "version"],
            values: [":expectedVersion": .integer(expectedVersion)])
        let updated = try await tables.updateItem(
            table: table, key: key(taskId), update: update.expression, condition: condition, returnValues: .allNew)
        return try updated.map(record)
    }

    /// Deletes the task; `false` when there was none.
    func delete(_ taskId: String) async throws -> Bool {
        do {
            try await tables.deleteItem(
                table: table, key: key(taskId), condition: .attributeExists("taskId"), returnValues: .none)
            return true
        } catch TableError.conditionalCheckFailed {
            return false
        }
    }

    /// Every task.
    func all() async throws -> [TaskRecord] {
        try await tables.scanAll(table: table).map(record)
    }

    /// The tasks not done whose deadline is at or before `until`, through `ByStatus`.
    func openTasks(dueBy until: Date) async throws -> [TaskRecord] {
        var tasks: [TaskRecord] = []
        for status in Self.openStatuses {
            let items = try await tables.queryAll(
                table: table,
                QueryRequest(
                    keyConditionExpression: "#status = :status AND #deadline <= :until",
                    indexName: IndexNames.byStatus,
                    expressionAttributeNames: ["#status": "status", "#deadline": "deadline"],
                    expressionAttributeValues: [
                        ":status": .string(status.rawValue), ":until": .string(StoredTime.text(until)),
                    ]))
            tasks += try items.map(record)
        }
        return tasks
    }

    /// How long a claim keeps other runs away: longer than a run may last, so a run that died
    /// mid-send leaves a claim the next run after this may take over.
    static let claimLease: TimeInterval = 15 * 60

    /// Claims sending `mark`'s notice for the task, unless it was sent, another run's claim
    /// is younger than ``claimLease``, or the deadline or the assignee changed since the task
    /// was read; nil when the claim was not taken. Claim, send, then ``confirm(_:at:)``: a
    /// failed send ``release(_:)``s the claim so the next run sends again, and two overlapping
    /// runs never both hold it.
    func claim(_ mark: TaskMark, on task: TaskRecord, at time: Date) async throws -> TaskClaim? {
        var update = UpdateBuilder()
        update.set(mark.claimAttribute, .string(StoredTime.text(time)))
        let condition = ConditionExpression(
            "attribute_exists(#taskId) AND attribute_not_exists(#sent) AND #deadline = :deadline AND #assigneeId = :assigneeId"
                + " AND (attribute_not_exists(#claim) OR #claim < :expired)",
            names: [
                "#taskId": "taskId", "#sent": mark.rawValue, "#claim": mark.claimAttribute, "#deadline": "deadline",
                "#assigneeId": "assigneeId",
            ],
            values: [
                ":deadline": .string(StoredTime.text(task.deadline)), ":assigneeId": .string(task.assigneeId),
                ":expired": .string(StoredTime.text(time.addingTimeInterval(-Self.claimLease))),
            ])
        do {
            try await tables.updateItem(
                table: table, key: key(task.taskId), update: update.expression, condition: condition, returnValues: .none)
            return TaskClaim(mark: mark, taskId: task.taskId, claimedAt: time)
        } catch TableError.conditionalCheckFailed {
            return nil
        }
    }

    /// Marks the claimed notice sent; false when the claim was lost meanwhile (another run
    /// took it over after the lease, or the task changed), in which case nothing changes.
    @discardableResult
    func confirm(_ claim: TaskClaim, at time: Date) async throws -> Bool {
        var update = UpdateBuilder()
        update.set(claim.mark.rawValue, .string(StoredTime.text(time)))
        update.remove(claim.mark.claimAttribute)
        return try await updateIfClaimed(claim, update)
    }

    /// Gives the claim up after a failed send, so the next run sends the notice.
    @discardableResult
    func release(_ claim: TaskClaim) async throws -> Bool {
        var update = UpdateBuilder()
        update.remove(claim.mark.claimAttribute)
        return try await updateIfClaimed(claim, update)
    }

    private func updateIfClaimed(_ claim: TaskClaim, _ update: UpdateBuilder) async throws -> Bool {
        let condition = ConditionExpression(
            "#claim = :claimedAt", names: ["#claim": claim.mark.claimAttribute],
            values: [":claimedAt": .string(StoredTime.text(claim.claimedAt))])
        do {
            try await tables.updateItem(
                table: table, key: key(claim.taskId), update: update.expression, condition: condition, returnValues: .none)
            return true
        } catch TableError.conditionalCheckFailed {
            return false
        }
    }

    // MARK: - Pages

    /// The value of every task's `kind`, the partition of the `ByDeadline` index that lists
    /// all tasks in deadline order.
    static let kind = "task"

    /// Up to `limit` tasks of `listing` in deadline order, starting after `startKey`, read
    /// from the listing's index. Pages are full: the index is read until `limit + 1` tasks
    /// pass the status filter (or it ends), and the start key of the next page is the last
    /// task shown, so a page carries a token only when another task follows.
    func page(_ listing: TaskListing, limit: Int, after startKey: TableItem?) async throws -> TaskPage {
        var request: QueryRequest
        switch listing {
        case .all:
            request = QueryRequest(
                keyConditionExpression: "#kind = :kind", indexName: IndexNames.byDeadline, expressionAttributeNames: ["#kind": "kind"],
                expressionAttributeValues: [":kind": .string(Self.kind)])
        case .assignee(let assigneeId, let status):
            request = QueryRequest(
                keyConditionExpression: "#assigneeId = :assigneeId", indexName: IndexNames.byAssignee,
                expressionAttributeNames: ["#assigneeId": "assigneeId"], expressionAttributeValues: [":assigneeId": .string(assigneeId)])
            if let status {
                request.filterExpression = "#status = :status"
                request.expressionAttributeNames["#status"] = "status"
                request.expressionAttributeValues[":status"] = .string(status.rawValue)
            }
        case .status(let status):
            request = QueryRequest(
                keyConditionExpression: "#status = :status", indexName: IndexNames.byStatus,
                expressionAttributeNames: ["#status": "status"], expressionAttributeValues: [":status": .string(status.rawValue)])
        }
        request.exclusiveStartKey = startKey
        var tasks: [TaskRecord] = []
        repeat {
            // The limit counts items read before the filter; never read past the page's need.
            request.limit = limit + 1 - tasks.count
            let result = try await tables.query(table: table, request)
            tasks += try result.items.map(record)
            request.exclusiveStartKey = result.lastEvaluatedKey
        } while tasks.count <= limit && request.exclusiveStartKey != nil
        guard tasks.count > limit, let last = tasks.prefix(limit).last else { return TaskPage(tasks: tasks, lastKey: nil) }
        return TaskPage(tasks: Array(tasks.prefix(limit)), lastKey: Self.startKey(after: last, for: listing))
    }

    /// The start key of the page after `task`: the table's key and the index's.
    private static func startKey(after task: TaskRecord, for listing: TaskListing) -> TableItem {
        var key: TableItem = ["taskId": .string(task.taskId), "deadline": .string(StoredTime.text(task.deadline))]
        switch listing {
        case .all: key["kind"] = .string(kind)
        case .assignee: key["assigneeId"] = .string(task.assigneeId)
        case .status: key["status"] = .string(task.status.rawValue)
        }
        return key
    }

    /// Whether `key` is a start key a page of `listing` can have returned: the right key
    /// attributes, as non-empty strings, in the same partition.
    func isValidStartKey(_ key: TableItem, for listing: TaskListing) -> Bool {
        let expected: [String: String?]
        switch listing {
        case .all: expected = ["taskId": nil, "deadline": nil, "kind": Self.kind]
        case .assignee(let assigneeId, _): expected = ["taskId": nil, "deadline": nil, "assigneeId": assigneeId]
        case .status(let status): expected = ["taskId": nil, "deadline": nil, "status": status.rawValue]
        }
        guard Set(key.keys) == Set(expected.keys) else { return false }
        for (name, required) in expected {
            guard let text = key[name]?.stringValue, !text.isEmpty, text.utf8.count <= 1024 else { return false }
            if let required, text != required { return false }
        }
        return key["deadline"]?.stringValue.flatMap(StoredTime.date) != nil
    }

    // MARK: - Items

    private func key(_ taskId: String) -> TableItem {
        ["taskId": .string(taskId)]
    }

    private func item(_ task: TaskRecord) -> TableItem {
        var item: TableItem = [
            "taskId": .string(task.taskId),
            "title": .string(task.title),
            "description": .string(task.description),
            "assigneeId": .string(task.assigneeId),
            "createdBy": .string(task.createdBy),
            "status": .string(task.status.rawValue),
            "priority": .string(task.priority.rawValue),
            "deadline": .string(StoredTime.text(task.deadline)),
            "createdAt": .string(StoredTime.text(task.createdAt)),
            "updatedAt": .string(StoredTime.text(task.updatedAt)),
            "version": .integer(task.version),
            "kind": .string(Self.kind),
        ]
        if let reminderSentAt = task.reminderSentAt {
            item[TaskMark.reminderSent.rawValue] = .string(StoredTime.text(reminderSentAt))
        }
        if let overdueSentAt = task.overdueSentAt {
            item[TaskMark.overdueSent.rawValue] = .string(StoredTime.text(overdueSentAt))
        }
        return item
    }

    private func record(_ item: TableItem) throws -> TaskRecord {
        let reader = ItemReader(item: item, table: table)
        return TaskRecord(
            taskId: try reader.string("taskId"),
            title: try reader.string("title"),
            description: reader.optionalString("description") ?? "",
            assigneeId: try reader.string("assigneeId"),
            createdBy: try reader.string("createdBy"),
            status: try reader.value("status", as: TaskStatus.self),
            priority: try reader.value("priority", as: TaskPriority.self),
            deadline: try reader.date("deadline"),
            createdAt: try reader.date("createdAt"),
            updatedAt: try reader.date("updatedAt"),
            version: try reader.int("version"),
            reminderSentAt: reader.optionalDate(TaskMark.reminderSent.rawValue),
            overdueSentAt: reader.optionalDate(TaskMark.overdueSent.rawValue))
    }
}
