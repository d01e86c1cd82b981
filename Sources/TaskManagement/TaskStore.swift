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
enum TaskMark: String, Sendable {
    case reminderSent = "reminderSentAt"
    case overdueSent = "overdueSentAt"
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

    /// Sets `mark` on the task unless it is already set or the deadline has changed since
    /// the task was read; `true` when this call set it. Setting the mark before sending
    /// makes each notice go out at most once, however many runs overlap.
    func claim(_ mark: TaskMark, on task: TaskRecord, at time: Date) async throws -> Bool {
        var update = UpdateBuilder()
        update.set(mark.rawValue, .string(StoredTime.text(time)))
        let condition = ConditionExpression(
            "attribute_exists(#taskId) AND attribute_not_exists(#\(mark.rawValue)) AND #deadline = :deadline",
            names: ["#taskId": "taskId", "#\(mark.rawValue)": mark.rawValue, "#deadline": "deadline"],
            values: [":deadline": .string(StoredTime.text(task.deadline))])
        do {
            try await tables.updateItem(
                table: table, key: key(task.taskId), update: update.expression, condition: condition,
                returnValues: .none)
            return true
        } catch TableError.conditionalCheckFailed {
            return false
        }
    }

    // MARK: - Pages

    /// Up to `limit` tasks of `listing` in deadline order, starting after `startKey`.
    func page(_ listing: TaskListing, limit: Int, after startKey: TableItem?) async throws -> TaskPage {
        switch listing {
        case .all:
            return try await pageOfAll(limit: limit, after: startKey)
        case .assignee(let assigneeId, let status):
            var request = QueryRequest(
                keyConditionExpression: "#assigneeId = :assigneeId", indexName: IndexNames.byAssignee,
                expressionAttributeNames: ["#assigneeId": "assigneeId"],
                expressionAttributeValues: [":assigneeId": .string(assigneeId)],
                limit: limit, exclusiveStartKey: startKey)
            if let status {
                request.filterExpression = "#status = :status"
                request.expressionAttributeNames["#status"] = "status"
                request.expressionAttributeValues[":status"] = .string(status.rawValue)
            }
            let result = try await tables.query(table: table, request)
            return TaskPage(tasks: try result.items.map(record), lastKey: result.lastEvaluatedKey)
        case .status(let status):
            let result = try await tables.query(
                table: table,
                QueryRequest(
                    keyConditionExpression: "#status = :status", indexName: IndexNames.byStatus,
                    expressionAttributeNames: ["#status": "status"],
                    expressionAttributeValues: [":status": .string(status.rawValue)],
                    limit: limit, exclusiveStartKey: startKey))
            return TaskPage(tasks: try result.items.map(record), lastKey: result.lastEvaluatedKey)
        }
    }

    /// Whether `key` is a start key a page of `listing` can have returned: the right key
    /// attributes, as non-empty strings, in the same partition.
    func isValidStartKey(_ key: TableItem, for listing: TaskListing) -> Bool {
        let expected: [String: String?]
        switch listing {
        case .all: expected = ["taskId": nil, "deadline": nil]
        case .assignee(let assigneeId, _): expected = ["taskId": nil, "deadline": nil, "assigneeId": assigneeId]
        case .status(let status): expected = ["taskId": nil, "deadline": nil, "status": status.rawValue]
        }
        guard Set(key.keys) == Set(expected.keys) else { return false }
        for (name, required) in expected {
            guard let text = key[name]?.stringValue, !text.isEmpty, text.utf8.count <= 1024 else { return false }
            if let required, text != required { return false }
        }
        if case .all = listing, key["deadline"]?.stringValue.flatMap(StoredTime.date) == nil { return false }
        return true
    }

    /// A page of every task. A scan has no order, so the tasks are read whole and sorted
    /// by deadline (then id); the start key is the last task shown.
    private func pageOfAll(limit: Int, after startKey: TableItem?) async throws -> TaskPage {
        let sorted = try await all().sorted(by: Self.deadlineOrder)
        var remaining = sorted[...]
        if let startKey, let taskId = startKey["taskId"]?.stringValue,
            let deadline = startKey["deadline"]?.stringValue.flatMap(StoredTime.date)
        {
            remaining = sorted.drop(while: { !Self.isAfter($0, deadline: deadline, taskId: taskId) })
        }
        let tasks = Array(remaining.prefix(limit))
        guard remaining.count > limit, let last = tasks.last else { return TaskPage(tasks: tasks, lastKey: nil) }
        return TaskPage(
            tasks: tasks,
            lastKey: ["taskId": .string(last.taskId), "deadline": .string(StoredTime.text(last.deadline))])
    }

    private static func deadlineOrder(_ a: TaskRecord, _ b: TaskRecord) -> Bool {
        a.deadline != b.deadline ? a.deadline < b.deadline : a.taskId < b.taskId
    }

    private static func isAfter(_ task: TaskRecord, deadline: Date, taskId: String) -> Bool {
        task.deadline != deadline ? task.deadline > deadline : task.taskId > taskId
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
