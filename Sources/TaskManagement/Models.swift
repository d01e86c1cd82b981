import Foundation

/// A user's role: an `Admin` or a `TeamMember` in the user pool.
enum Role: String, Encodable, Sendable, CaseIterable {
    case admin
    case member

    /// The Cognito group that grants the role.
    var groupName: String {
        switch self {
        case .admin: GroupNames.admin
        case .member: GroupNames.teamMember
        }
    }
}

/// Where a task stands.
enum TaskStatus: String, Encodable, Sendable, CaseIterable {
    case todo
    case inProgress = "in_progress"
    case blocked
    case done
}

/// How urgent a task is.
enum TaskPriority: String, Encodable, Sendable, CaseIterable {
    case low
    case medium
    case high
}

/// What a notification is about.
enum NotificationType: String, Codable, Sendable, CaseIterable {
    case taskAssigned = "task_assigned"
    case taskUpdated = "task_updated"
    case deadlineReminder = "deadline_reminder"
    case taskOverdue = "task_overdue"
}

/// A user as the API shows it: `{ userId, email, name, role, enabled, createdAt }`.
struct UserRecord: Encodable, Equatable, Sendable {
    var userId: String
    var email: String
    var name: String
    var role: Role
    var enabled: Bool
    var createdAt: Date
}

/// A task. The API shows every field but the schedule's marks, which record that the
/// reminder and the overdue notice went out.
struct TaskRecord: Encodable, Equatable, Sendable {
    var taskId: String
    var title: String
    var description: String
    var assigneeId: String
    var createdBy: String
    var status: TaskStatus
    var priority: TaskPriority
    var deadline: Date
    var createdAt: Date
    var updatedAt: Date
    var version: Int
    /// When the `deadline_reminder` was sent; not part of the API.
    var reminderSentAt: Date?
    /// When the `task_overdue` notices were sent; not part of the API.
    var overdueSentAt: Date?

    private enum CodingKeys: String, CodingKey {
        case taskId, title, description, assigneeId, createdBy, status, priority
        case deadline, createdAt, updatedAt, version
    }
}

/// A notification as the API shows it.
struct NotificationRecord: Codable, Equatable, Sendable {
    var notificationId: String
    var userId: String
    var type: NotificationType
    var taskId: String
    var message: String
    var createdAt: Date
    var read: Bool
}

/// The body of a list answer: `{ items, nextToken? }`.
struct ItemList<Item: Encodable & Sendable>: Encodable, Sendable {
    var items: [Item]
    var nextToken: String?
}
