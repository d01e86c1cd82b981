import FormworkRuntime

/// The environment variables the task-management functions read. The blueprint sets them;
/// a missing one is a deployment mistake and answers `500 ConfigurationError`.
public enum ConfigurationKeys {
    /// The Users table's name (partition key `userId`, index ``IndexNames/byEmail``).
    public static let usersTable = "USERS_TABLE"
    /// The Tasks table's name (partition key `taskId`, indexes ``IndexNames/byAssignee``
    /// and ``IndexNames/byStatus``).
    public static let tasksTable = "TASKS_TABLE"
    /// The Notifications table's name (partition key `notificationId`, index
    /// ``IndexNames/byUser``, TTL attribute `expiresAt`).
    public static let notificationsTable = "NOTIFICATIONS_TABLE"
    /// The ARN of the SNS topic every notification is published to.
    public static let notificationsTopicArn = "NOTIFICATIONS_TOPIC_ARN"
    /// The Cognito user pool's id.
    public static let userPoolId = "USER_POOL_ID"
    /// The SES sender address of notification e-mails.
    public static let senderEmail = "SENDER_EMAIL"
    /// Optional: the SSM parameter (its name) holding how many hours before its deadline a task
    /// gets its reminder (default 24).
    public static let reminderWindowParameter = "REMINDER_WINDOW_PARAMETER"
}

/// The global secondary indexes the handlers query. Each is expected to project all
/// attributes.
public enum IndexNames {
    /// Users by `email`.
    public static let byEmail = "ByEmail"
    /// Tasks by `assigneeId`, sorted by `deadline`.
    public static let byAssignee = "ByAssignee"
    /// Tasks by `status`, sorted by `deadline`.
    public static let byStatus = "ByStatus"
    /// Every task (partition `kind` = `task`), sorted by `deadline`.
    public static let byDeadline = "ByDeadline"
    /// Notifications by `userId`, sorted by `createdAt`.
    public static let byUser = "ByUser"
}

/// The Cognito groups of the user pool.
enum GroupNames {
    static let admin = "Admin"
    static let teamMember = "TeamMember"
}

extension Services {
    /// The Users table, named by ``ConfigurationKeys/usersTable``.
    func userStore() throws -> UserStore {
        UserStore(tables: tables, table: try requiredEnvironment(ConfigurationKeys.usersTable))
    }

    /// The Tasks table, named by ``ConfigurationKeys/tasksTable``.
    func taskStore() throws -> TaskStore {
        TaskStore(tables: tables, table: try requiredEnvironment(ConfigurationKeys.tasksTable))
    }

    /// The Notifications table, named by ``ConfigurationKeys/notificationsTable``.
    func notificationStore() throws -> NotificationStore {
        NotificationStore(tables: tables, table: try requiredEnvironment(ConfigurationKeys.notificationsTable))
    }

    /// A notifier with every setting it needs read up front, so a configuration mistake
    /// shows before anything is written.
    func notifier(logger: any HandlerLogger) throws -> Notifier {
        Notifier(
            notifications: try notificationStore(),
            users: try userStore(),
            client: notifications,
            topicArn: try requiredEnvironment(ConfigurationKeys.notificationsTopicArn),
            sender: try requiredEnvironment(ConfigurationKeys.senderEmail),
            now: now,
            logger: logger)
    }
}
