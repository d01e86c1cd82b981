import FormworkRuntime

/// The request bodies of the task-management API, as JSON Schemas. The blueprint turns them into
/// API Gateway models and request validators; the handlers check bodies against the same rules.
public enum RequestSchemas {
    /// `POST /users`.
    public static let createUser = JSONSchema.object(
        "CreateUser",
        properties: [
            .init("email", .string(minLength: 3, maxLength: 254, format: "email")),
            .init("name", .string(minLength: 1, maxLength: 100)),
            .init("role", .string(oneOf: ["admin", "member"])),
        ], required: ["email", "name", "role"])

    /// `PATCH /users/{userId}`.
    public static let updateUser = JSONSchema.object(
        "UpdateUser",
        properties: [
            .init("name", .string(minLength: 1, maxLength: 100)),
            .init("role", .string(oneOf: ["admin", "member"])),
            .init("enabled", .boolean),
        ], minProperties: 1)

    /// `POST /tasks`.
    public static let createTask = JSONSchema.object(
        "CreateTask",
        properties: [
            .init("title", .string(minLength: 1, maxLength: 200)),
            .init("description", .string(maxLength: 5000)),
            .init("assigneeId", .string(minLength: 1, maxLength: 128)),
            .init("deadline", .string(format: "date-time")),
            .init("priority", .string(oneOf: ["low", "medium", "high"])),
        ], required: ["title", "assigneeId", "deadline"])

    /// `PATCH /tasks/{taskId}`.
    public static let updateTask = JSONSchema.object(
        "UpdateTask",
        properties: [
            .init("version", .integer(minimum: 1)),
            .init("status", .string(oneOf: ["todo", "in_progress", "blocked", "done"])),
            .init("title", .string(minLength: 1, maxLength: 200)),
            .init("description", .string(maxLength: 5000)),
            .init("assigneeId", .string(minLength: 1, maxLength: 128)),
            .init("deadline", .string(format: "date-time")),
            .init("priority", .string(oneOf: ["low", "medium", "high"])),
        ], required: ["version"])
}
