import FormworkRuntime
import Foundation

extension TaskManagementHandler {
    /// `PATCH /tasks/{taskId}`: administrators change any field, the assignee only the
    /// status. The change applies only if `version` is still the task's (else `409`) and
    /// moves the version on by one. A member's status change notifies the task's creator; a
    /// reassignment notifies the new assignee.
    func updateTask(_ request: RouteRequest) async throws -> APIGatewayResponse {
        let caller = try request.caller()
        let taskId = try request.pathParameter("taskId")
        let body = try BodyValidation.validate(request.event, against: RequestSchemas.updateTask)
        let tasks = try services.taskStore()
        let notifier = try services.notifier(logger: request.logger)
        let task = try await visibleTask(taskId, to: caller)

        let changed = body.fields.keys.filter { $0 != "version" }
        guard !changed.isEmpty else { throw APIError.invalid("body", "must change at least one field besides version") }
        guard caller.isAdmin || changed.allSatisfy({ $0 == "status" }) else {
            throw APIError.forbidden("Assignees may change only the status of a task.")
        }
        guard let version = body.int("version"), version == task.version else { throw APIError.versionConflict }

        var update = UpdateBuilder()
        var clearsMarks = false
        if let assigneeId = body.string("assigneeId"), assigneeId != task.assigneeId {
            if let problem = try await assigneeProblem(assigneeId) { throw APIError.invalid("assigneeId", problem) }
            // The new assignee gets its own reminder and, if missed, its own overdue notice.
            clearsMarks = true
        }
        for field in ["title", "description", "assigneeId"] {
            if let text = body.string(field) { update.set(field, .string(text)) }
        }
        if let status = body.string("status").flatMap(TaskStatus.init(rawValue:)) {
            update.set("status", .string(status.rawValue))
        }
        if let priority = body.string("priority").flatMap(TaskPriority.init(rawValue:)) {
            update.set("priority", .string(priority.rawValue))
        }
        if let deadline = body.date("deadline") {
            update.set("deadline", .string(StoredTime.text(deadline)))
            // A new deadline earns a new reminder and, if missed, a new overdue notice.
            if deadline != task.deadline { clearsMarks = true }
        }
        if clearsMarks {
            for attribute in TaskMark.allAttributes { update.remove(attribute) }
        }
        update.set("updatedAt", .string(StoredTime.text(services.now())))
        update.set("version", .integer(version + 1))

        let updated: TaskRecord
        do {
            guard let stored = try await tasks.update(taskId, update, expectedVersion: version) else {
                throw APIError.notFound("No such task.")
            }
            updated = stored
        } catch TableError.conditionalCheckFailed {
            guard try await tasks.get(taskId) != nil else { throw APIError.notFound("No such task.") }
            throw APIError.versionConflict
        }

        if !caller.isAdmin, updated.status != task.status, task.createdBy != caller.userId {
            await notifier.notifyAfterCommit(task.createdBy, .taskUpdated, about: updated)
        }
        if updated.assigneeId != task.assigneeId {
            await notifier.notifyAfterCommit(updated.assigneeId, .taskAssigned, about: updated)
        }
        return try .json(updated)
    }
}
