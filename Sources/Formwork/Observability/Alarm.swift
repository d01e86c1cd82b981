/// A CloudWatch alarm on a function's or an API's metric, notifying a topic.
///
/// ```swift
/// Alarm("TaskErrors", .errors(of: taskFunction), atLeast: 1, notify: alarms)
/// ```
public struct Alarm: Resource, Taggable {
    public static let kind = ResourceKind.alarm
    public let name: String
    public let location: SourceLocation
    /// What is watched.
    public let metric: AlarmMetric
    /// The threshold (the alarm fires at or above it).
    public let threshold: Double
    /// The evaluation period.
    public let period: TimeSpan
    /// How many periods in a row must breach.
    public let evaluationPeriods: Int
    /// The topic notified on alarm and on recovery.
    public let topic: ResourceID
    let topicDeclaredAt: SourceLocation

    /// Declares an alarm that fires when `metric` is at least `threshold` for `evaluationPeriods` periods.
    public init(
        _ name: String, _ metric: AlarmMetric, atLeast threshold: Double, period: TimeSpan = .minutes(5),
        evaluationPeriods: Int = 1, notify topic: Topic,
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.metric = metric
        self.threshold = threshold
        self.period = period
        self.evaluationPeriods = evaluationPeriods
        self.topic = topic.id
        self.topicDeclaredAt = topic.location
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    public var references: [Reference] {
        [
            Reference(target: metric.resource, targetLocation: metric.declaredAt, purpose: "alarm metric", location: location),
            Reference(target: topic, targetLocation: topicDeclaredAt, purpose: "alarm action", location: location),
        ]
    }

    public func validate() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if period.seconds < 10 || (period.seconds > 30 && period.seconds % 60 != 0) {
            problems.append(.error("alarm '\(name)': the period must be 10, 20, 30 seconds or a multiple of 60", at: location))
        }
        if evaluationPeriods < 1 || TimeSpan.saturating(period.seconds, evaluationPeriods) > 86_400 {
            problems.append(.error("alarm '\(name)': evaluation periods × period must be 1 to 86400 seconds", at: location))
        }
        return problems
    }
}

/// A metric an alarm watches.
public struct AlarmMetric: Sendable, Hashable {
    /// The CloudWatch namespace.
    public var namespace: String
    /// The metric name.
    public var metricName: String
    /// The statistic (`Sum`, `Average`, `p99`, ...).
    public var statistic: String
    /// The resource whose metric this is.
    public var resource: ResourceID
    let declaredAt: SourceLocation

    /// Function errors (Sum).
    public static func errors(of function: Function) -> AlarmMetric {
        AlarmMetric(namespace: "AWS/Lambda", metricName: "Errors", statistic: "Sum", resource: function.id, declaredAt: function.location)
    }
    /// Function throttles (Sum).
    public static func throttles(of function: Function) -> AlarmMetric {
        AlarmMetric(namespace: "AWS/Lambda", metricName: "Throttles", statistic: "Sum", resource: function.id, declaredAt: function.location)
    }
    /// API 5xx responses (Sum).
    public static func serverErrors(of api: RestAPI) -> AlarmMetric {
        AlarmMetric(namespace: "AWS/ApiGateway", metricName: "5XXError", statistic: "Sum", resource: api.id, declaredAt: api.location)
    }
    /// API latency in milliseconds at a percentile (`p99` by default).
    public static func latency(of api: RestAPI, percentile: String = "p99") -> AlarmMetric {
        AlarmMetric(namespace: "AWS/ApiGateway", metricName: "Latency", statistic: percentile, resource: api.id, declaredAt: api.location)
    }
}

/// A CloudWatch dashboard showing the architecture's functions and APIs.
public struct Dashboard: Resource {
    public static let kind = ResourceKind.dashboard
    public let name: String
    public let location: SourceLocation
    /// The physical dashboard name.
    public let dashboardName: String
    /// Resources whose standard metrics the dashboard graphs, in order.
    public let resources: [(id: ResourceID, declaredAt: SourceLocation)]

    /// Declares a dashboard graphing the standard metrics of `functions` and `apis`.
    public init(
        _ name: String, dashboardName: String, functions: [Function], apis: [RestAPI],
        fileID: String = #fileID, filePath: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.name = name
        self.dashboardName = dashboardName
        self.resources = functions.map { ($0.id, $0.location) } + apis.map { ($0.id, $0.location) }
        self.location = SourceLocation(fileID: fileID, filePath: filePath, line: line, column: column)
    }

    public var references: [Reference] {
        resources.map { Reference(target: $0.id, targetLocation: $0.declaredAt, purpose: "dashboard widget", location: location) }
    }

    public func validate() -> [Diagnostic] {
        NameRules.simpleNameProblem(dashboardName, limit: 255, extra: "-_").map {
            [.error("dashboard name '\(dashboardName)' \($0)", at: location)]
        } ?? []
    }
}
