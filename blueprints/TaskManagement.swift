import Formwork
import TaskManagement

/// The task-management system: admins create tasks and assign them to team members, members
/// update status, everyone gets notifications, deadline reminders run on a schedule, and an
/// admin dashboard summarises the work.
public struct TaskManagementBlueprint: Blueprint {
    public init() {}

    public var name: String { "TaskManagement" }

    /// Every push to main is built and tested, then deployed to dev, staging and prod in turn;
    /// prod waits for the diff gate and a person.
    public var delivery: Delivery? {
        Delivery("TaskManagementDelivery", source: .gitHub(repository: "example-org/task-management", branch: "main"))
            .deploys(.dev, .staging, .prod)
            .diffGate(before: .prod, stopsOn: .dataLoss)
            .approval(before: .prod)
            .notify(email: "platform-team@taskmgmt.example.com")
    }

    public func architecture(for env: Environment) -> Architecture {
        let prod = env.isProduction
        let prefix = "taskmgmt-\(env.name)"
        let retention: TimeSpan = prod ? .days(365) : env.name == "staging" ? .days(30) : .days(7)

        // Encryption and storage
        let key = EncryptionKey("DataKey", summary: "Encrypts the task-management tables, topics, queues, logs and trail")
            .alias("\(prefix)-data")
        let logs = Bucket("LogBucket")
            .receivesLogs()
            .versioned()
            .lifecycle(.expireNoncurrentVersions(after: .days(7)))
            .lifecycle(.expireObjects(after: prod ? .days(365) : .days(30)))
            .lifecycle(.abortIncompleteUploads(after: .days(7)))
            .retainOnDelete(prod)
        let site = Bucket("SiteBucket")
            .content(from: "blueprints/site")
            .versioned()
            .lifecycle(.expireNoncurrentVersions(after: .days(30)))
            .lifecycle(.abortIncompleteUploads(after: .days(7)))
            .accessLogs(to: logs, prefix: "site-access/")
        let cdn = Distribution("SiteDistribution", origin: site)
            .defaultRootObject("index.html")
            .singlePageApp()
            .priceClass(prod ? .all : .class100)
            .cache(CacheSettings(defaultTTL: .hours(1), maximumTTL: .days(1)))
            .securityHeaders(
                SecurityHeaders(
                    contentSecurityPolicy:
                        "default-src 'self'; connect-src 'self' https://*.amazonaws.com; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'"
                )
            )
            .logs(to: logs, prefix: "cdn/")

        // Identity
        let admin = UserGroup("Admin", summary: "Manage users and tasks; see the dashboard", precedence: 1)
        let member = UserGroup("TeamMember", summary: "Work on assigned tasks", precedence: 10)
        let users = UserPool("UserPool")
            .named("\(prefix)-users")
            .groups(admin, member)
            .adminCreateOnly()
            .passwordPolicy(PasswordPolicy(minimumLength: 12, temporaryPasswordValidity: .days(7)))
            .invitation(
                Invitation(
                    subject: "You are invited to Task Management",
                    message:
                        "Hello, an administrator created your Task Management account. Sign in as {username} with the temporary password {####} and choose a new password."
                )
            )
            .mfa(prod ? .optional : .off)
            .client(AppClient(idTokenValidity: .hours(1), accessTokenValidity: .hours(1), refreshTokenValidity: .days(30)))
            .deletionProtection(prod)
            .retainOnDelete(prod)
        let identities = IdentityPool("IdentityPool", userPool: users)

        // Tables
        let usersTable = Table("UsersTable", partitionKey: .string("userId"))
            .named("\(prefix)-users")
            .index(IndexNames.byEmail, partitionKey: .string("email"))
            .encryption(.with(key))
            .pointInTimeRecovery(prod)
            .deletionProtection(prod)
            .retainOnDelete(prod)
        let tasksTable = Table("TasksTable", partitionKey: .string("taskId"))
            .named("\(prefix)-tasks")
            .index(IndexNames.byAssignee, partitionKey: .string("assigneeId"), sortKey: .string("deadline"))
            .index(IndexNames.byStatus, partitionKey: .string("status"), sortKey: .string("deadline"))
            .index(IndexNames.byDeadline, partitionKey: .string("kind"), sortKey: .string("deadline"))
            .encryption(.with(key))
            .pointInTimeRecovery(prod)
            .deletionProtection(prod)
            .retainOnDelete(prod)
        let notificationsTable = Table("NotificationsTable", partitionKey: .string("notificationId"))
            .named("\(prefix)-notifications")
            .index(IndexNames.byUser, partitionKey: .string("userId"), sortKey: .string("createdAt"))
            .timeToLive("expiresAt")
            .encryption(.with(key))
            .pointInTimeRecovery(prod)
            .deletionProtection(prod)
            .retainOnDelete(prod)

        // Messaging
        let sender = EmailIdentity("SenderIdentity", identity: "notifications@taskmgmt.example.com")
        let alarmsTopic = Topic("AlarmsTopic")
            .named("\(prefix)-alarms")
            .encryption(.with(key))
            .subscribe(.email("oncall@taskmgmt.example.com"))
        let reminderWindow = Parameter(
            "ReminderWindowParameter", path: "/taskmgmt/\(env.name)/reminder-window-hours",
            value: "24", summary: "Hours before a deadline when reminders go out")

        // Functions
        func configured(_ function: Function, memory: Int, concurrency: Int) -> Function {
            function
                .memory(memory)
                .timeout(.seconds(10))
                .architecture(.arm64)
                .reservedConcurrency(prod ? concurrency : nil)
                .logRetention(retention)
                .encryption(.with(key))
        }
        let notifier = Function("NotificationFunction", handler: NotificationHandler.self)
        let topic = Topic("NotificationsTopic")
            .named("\(prefix)-notifications")
            .displayName("Task Management")
            .encryption(.with(key))
            .subscribe(.function(notifier))
        let userFunction = configured(Function("UserManagementFunction", handler: UserManagementHandler.self), memory: 256, concurrency: 10)
            .named("\(prefix)-user-management")
            .environment(ConfigurationKeys.usersTable, usersTable)
            .environment(ConfigurationKeys.userPoolId, users)
            .grants(.readWrite(usersTable), .adminUsers(users))
        let taskFunction = configured(Function("TaskManagementFunction", handler: TaskManagementHandler.self), memory: 512, concurrency: 50)
            .named("\(prefix)-task-management")
            .environment(ConfigurationKeys.tasksTable, tasksTable)
            .environment(ConfigurationKeys.usersTable, usersTable)
            .environment(ConfigurationKeys.notificationsTable, notificationsTable)
            .environment(ConfigurationKeys.notificationsTopicArn, topic)
            .environment(ConfigurationKeys.senderEmail, sender)
            .grants(
                .readWrite(tasksTable), .read(usersTable), .readWrite(notificationsTable),
                .publish(topic), .sendEmail(from: sender))
        let notificationFunction = configured(notifier, memory: 256, concurrency: 5)
            .named("\(prefix)-notification")
            .timeout(.seconds(60))
            .environment(ConfigurationKeys.tasksTable, tasksTable)
            .environment(ConfigurationKeys.usersTable, usersTable)
            .environment(ConfigurationKeys.notificationsTable, notificationsTable)
            .environment(ConfigurationKeys.notificationsTopicArn, topic)
            .environment(ConfigurationKeys.senderEmail, sender)
            .environment(ConfigurationKeys.reminderWindowParameter, reminderWindow)
            .grants(
                .readWrite(tasksTable), .read(usersTable), .readWrite(notificationsTable),
                .publish(topic), .sendEmail(from: sender), .readParameter(reminderWindow))
        let dashboardFunction = configured(Function("AdminDashboardFunction", handler: AdminDashboardHandler.self), memory: 512, concurrency: 5)
            .named("\(prefix)-admin-dashboard")
            .environment(ConfigurationKeys.tasksTable, tasksTable)
            .environment(ConfigurationKeys.usersTable, usersTable)
            .grants(.read(tasksTable), .read(usersTable))

        // Edge protection
        let blocked = IPSet("BlockedAddresses", addresses: ["192.0.2.0/24"])
        let firewall = WebACL("ApiFirewall") {
            FirewallRule.rateLimit("RateLimitPerAddress", requests: 1000, per: .minutes(5))
            FirewallRule.blockAddresses("BlockListedAddresses", blocked)
            FirewallRule.maxBodySize("MaxBodySize", bytes: 16_384)
            FirewallRule.blockSQLInjection("BlockSQLInjection")
            FirewallRule.blockCrossSiteScripting("BlockCrossSiteScripting")
            // The common rule set blocks bodies over 8 KB; task descriptions may be longer, and
            // MaxBodySize above already limits bodies to 16 KB.
            FirewallRule.managed("AWSCommonRules", group: "AWSManagedRulesCommonRuleSet", countOnly: ["SizeRestrictions_BODY"])
            FirewallRule.managed("AWSKnownBadInputs", group: "AWSManagedRulesKnownBadInputsRuleSet")
        }
        .logEncryption(.with(key))

        // API
        let api = RestAPI("Api", stage: env.name, authorizer: users) {
            Route(.get, "/health", to: dashboardFunction, access: .public, summary: "Liveness check")
            Route(.get, "/me", to: userFunction, summary: "The caller's own user")
            Route(.post, "/users", to: userFunction, groups: [admin], body: RequestSchemas.createUser, summary: "Invite a user")
            Route(.get, "/users", to: userFunction, groups: [admin], summary: "List users")
            Route(.get, "/users/{userId}", to: userFunction, summary: "A user (admins, or the user itself)")
            Route(.patch, "/users/{userId}", to: userFunction, groups: [admin], body: RequestSchemas.updateUser, summary: "Change a user")
            Route(.post, "/tasks", to: taskFunction, groups: [admin], body: RequestSchemas.createTask, summary: "Create and assign a task")
            Route(.get, "/tasks", to: taskFunction, summary: "Tasks visible to the caller")
                .cache(ttl: prod ? .seconds(30) : nil, varyingBy: ["status", "assigneeId", "limit", "nextToken"])
            Route(.get, "/tasks/{taskId}", to: taskFunction, summary: "A task (admins, or its assignee)")
            Route(.patch, "/tasks/{taskId}", to: taskFunction, body: RequestSchemas.updateTask, summary: "Update a task")
            Route(.delete, "/tasks/{taskId}", to: taskFunction, groups: [admin], summary: "Delete a task")
            Route(.get, "/notifications", to: taskFunction, summary: "The caller's notifications, newest first")
            Route(.post, "/notifications/{notificationId}/read", to: taskFunction, summary: "Mark a notification read")
            Route(.get, "/admin/dashboard", to: dashboardFunction, groups: [admin], summary: "Summary of all work")
                .cache(ttl: prod ? .seconds(60) : nil)
            Route(.get, "/admin/reports/{proxy+}", to: dashboardFunction, groups: [admin], summary: "Admin reports")
        }
        .cors(.site(cdn))
        .throttling(rate: prod ? 200 : 50, burst: prod ? 400 : 100)
        .cache(prod ? .cluster(size: "0.5") : nil)
        .accessLogRetention(retention)
        .logEncryption(.with(key))
        .denySourceRanges(["198.51.100.0/24"])
        .firewall(prod ? firewall : nil)

        // Operations
        let trailBucket = Bucket("TrailBucket")
            .encryption(.with(key))
            .versioned()
            .lifecycle(.expireNoncurrentVersions(after: .days(30)))
            .lifecycle(.expireObjects(after: prod ? .days(731) : .days(90)))
            .accessLogs(to: logs, prefix: "trail-access/")
            .retainOnDelete(prod)
        let trail = Trail("AuditTrail", trailName: "\(prefix)-audit", bucket: trailBucket)
            .encryption(.with(key))
        let functions = [userFunction, taskFunction, notificationFunction, dashboardFunction]

        return Architecture("TaskManagement", summary: "Task management: tasks, assignments, notifications and reminders") {
            key
            logs
            site
            cdn
            users
            identities
            usersTable
            tasksTable
            notificationsTable
            sender
            topic
            alarmsTopic
            reminderWindow
            userFunction
            taskFunction
            notificationFunction
            dashboardFunction
            Schedule("DeadlineReminders", .rate(.hours(1)), invoke: notificationFunction)
                .summary("Sends deadline reminders and overdue notices")
            api
            if prod {
                blocked
                firewall
            }
            if prod || env.name == "staging" {
                for function in functions {
                    Alarm("\(function.name)Errors", .errors(of: function), atLeast: 1, notify: alarmsTopic)
                    Alarm("\(function.name)Throttles", .throttles(of: function), atLeast: 1, notify: alarmsTopic)
                }
                Alarm("ApiServerErrors", .serverErrors(of: api), atLeast: 5, notify: alarmsTopic)
                Alarm("ApiLatency", .latency(of: api, percentile: "p99"), atLeast: 2000, evaluationPeriods: 3, notify: alarmsTopic)
            }
            Dashboard("OperationsDashboard", dashboardName: "\(prefix)-operations", functions: functions, apis: [api])
            trailBucket
            trail
            Budget(
                "MonthlyBudget", budgetName: "\(prefix)-monthly", monthlyLimitUSD: prod ? 500 : 50, alertAtPercent: 80,
                email: "finance@taskmgmt.example.com")
        }
        .tags(["Project": "TaskManagement", "Owner": "platform-team", "CostCenter": "CC-1042"])
    }
}
