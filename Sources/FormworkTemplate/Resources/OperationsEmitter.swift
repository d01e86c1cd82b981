import Formwork

extension EmitContext {
    mutating func emitTopic(_ topic: Topic) {
        let name = topic.name
        add(
            TemplateResource(
                name, type: "AWS::SNS::Topic",
                properties: MapBuilder.entries([
                    "TopicName": topic.topicName.map(TemplateValue.string),
                    "DisplayName": topic.displayName.map(TemplateValue.string),
                    "KmsMasterKeyId": keyArn(topic.encryption) ?? .string("alias/aws/sns"),
                    "Tags": tagList,
                ])))
        for subscription in topic.subscriptions {
            let (endpoint, suffix): (TemplateValue, String) =
                switch subscription.endpoint {
                case .email(let address): (.string(address), address)
                case .sms(let number): (.string(number), number)
                case .https(let url): (.string(url), url)
                case .function(let id, _, _): (.getAtt(id.name, "Arn"), id.name)
                }
            let logicalID = "\(name)\(Self.identifier(subscription.protocolName))Subscription\(StableHash.hex(suffix))"
            var properties = [
                TemplateEntry("TopicArn", .ref(name)),
                TemplateEntry("Protocol", .string(subscription.protocolName)),
                TemplateEntry("Endpoint", endpoint),
            ]
            if let policy = subscription.filterPolicy {
                properties.append(TemplateEntry("FilterPolicyScope", "MessageAttributes"))
                properties.append(TemplateEntry("FilterPolicy", Self.filterPolicy(policy)))
            }
            add(TemplateResource(logicalID, type: "AWS::SNS::Subscription", properties: properties))
            if case .function(let id, _, _) = subscription.endpoint {
                add(
                    TemplateResource(
                        "\(logicalID)Permission", type: "AWS::Lambda::Permission",
                        properties: [
                            TemplateEntry("Action", "lambda:InvokeFunction"),
                            TemplateEntry("FunctionName", .ref(id.name)),
                            TemplateEntry("Principal", "sns.amazonaws.com"),
                            TemplateEntry("SourceArn", .ref(name)),
                        ]))
            }
        }
        output("\(name)Arn", .ref(name), "ARN of the \(name) topic")
    }

    /// A filter policy as SNS reads it: `{"name": ["value", {"prefix": "..."}, ...]}`.
    static func filterPolicy(_ policy: FilterPolicy) -> TemplateValue {
        let number = TemplateValue.double
        return .map(
            policy.conditions.map { name, accepted in
                TemplateEntry(
                    name,
                    .list(
                        accepted.map { condition -> TemplateValue in
                            switch condition {
                            case .equals(let value): .string(value)
                            case .number(let value): number(value)
                            case .prefix(let value): .map(["prefix": .string(value)])
                            case .anythingBut(let values): .map(["anything-but": .strings(values)])
                            case .exists(let on): .map(["exists": .bool(on)])
                            case .numeric(let lower, let upper):
                                .map([
                                    "numeric": .list(
                                        (lower.map { [">=", number($0)] } ?? []) + (upper.map { ["<=", number($0)] } ?? []))
                                ])
                            }
                        }))
            })
    }

    mutating func emitEmailIdentity(_ identity: EmailIdentity) {
        add(
            TemplateResource(
                identity.name, type: "AWS::SES::EmailIdentity",
                properties: [
                    TemplateEntry("EmailIdentity", .string(identity.identity)),
                    TemplateEntry("Tags", tagList),
                ]))
    }

    mutating func emitSchedule(_ schedule: Schedule) {
        if schedule.runsOnScheduler {
            emitSchedulerSchedule(schedule)
            return
        }
        add(
            TemplateResource(
                schedule.name, type: "AWS::Events::Rule",
                properties: [
                    TemplateEntry("Description", .string(scheduleSummary(schedule))),
                    TemplateEntry("ScheduleExpression", .string(schedule.expression.description)),
                    TemplateEntry("State", schedule.enabled ? "ENABLED" : "DISABLED"),
                    TemplateEntry("Targets", [.map(["Id": .string(schedule.target.name), "Arn": .getAtt(schedule.target.name, "Arn")])]),
                    TemplateEntry("Tags", tagList),
                ]))
        add(
            TemplateResource(
                "\(schedule.name)Permission", type: "AWS::Lambda::Permission",
                properties: [
                    TemplateEntry("Action", "lambda:InvokeFunction"),
                    TemplateEntry("FunctionName", .ref(schedule.target.name)),
                    TemplateEntry("Principal", "events.amazonaws.com"),
                    TemplateEntry("SourceArn", .getAtt(schedule.name, "Arn")),
                ]))
    }

    private func scheduleSummary(_ schedule: Schedule) -> String {
        schedule.summary.isEmpty ? "Invokes \(schedule.target.name) on \(schedule.expression)" : schedule.summary
    }

    /// The event Scheduler sends: EventBridge's scheduled event, filled from Scheduler's
    /// context attributes, so one handler serves rules and schedules.
    static let schedulerEventInput =
        #"{"version":"0","id":"<aws.scheduler.execution-id>","detail-type":"Scheduled Event","source":"aws.scheduler","#
        + #""account":"${AWS::AccountId}","time":"<aws.scheduler.scheduled-time>","region":"${AWS::Region}","#
        + #""resources":["<aws.scheduler.schedule-arn>"],"detail":{}}"#

    /// An EventBridge Scheduler schedule (time zones, one-time schedules) and the role it
    /// invokes its function with.
    private mutating func emitSchedulerSchedule(_ schedule: Schedule) {
        let role = "\(schedule.name)Role"
        add(
            TemplateResource(
                role, type: "AWS::IAM::Role",
                properties: [
                    TemplateEntry("AssumeRolePolicyDocument", Self.assumeRolePolicy(service: "scheduler.amazonaws.com")),
                    TemplateEntry(
                        "Policies",
                        [
                            .map([
                                "PolicyName": "InvokeTarget",
                                "PolicyDocument": .policyDocument([
                                    .map([
                                        "Sid": "InvokeScheduledFunction", "Effect": "Allow", "Action": "lambda:InvokeFunction",
                                        "Resource": .getAtt(schedule.target.name, "Arn"),
                                    ])
                                ]),
                            ])
                        ]),
                    TemplateEntry("Tags", tagList),
                ]))
        add(
            TemplateResource(
                schedule.name, type: "AWS::Scheduler::Schedule",
                properties: MapBuilder.entries([
                    "Description": .string(scheduleSummary(schedule)),
                    "ScheduleExpression": .string(schedule.expression.description),
                    "ScheduleExpressionTimezone": schedule.timeZone.map(TemplateValue.string),
                    "FlexibleTimeWindow": .map(["Mode": "OFF"]),
                    "State": schedule.enabled ? "ENABLED" : "DISABLED",
                    "Target": .map([
                        "Arn": .getAtt(schedule.target.name, "Arn"), "RoleArn": .getAtt(role, "Arn"),
                        "Input": .sub(Self.schedulerEventInput),
                    ]),
                ])))
    }

    mutating func emitIPSet(_ set: IPSet) {
        add(
            TemplateResource(
                set.name, type: "AWS::WAFv2::IPSet",
                properties: [
                    TemplateEntry("Name", .sub("${AWS::StackName}-\(set.name)")),
                    TemplateEntry("Scope", "REGIONAL"),
                    TemplateEntry("IPAddressVersion", "IPV4"),
                    TemplateEntry("Addresses", .strings(set.addresses)),
                    TemplateEntry("Tags", tagList),
                ]))
    }

    mutating func emitWebACL(_ acl: WebACL) {
        func visibility(_ metric: String) -> TemplateValue {
            .map(["SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": .string(metric)])
        }
        let textFields: [TemplateValue] = [.map(["QueryString": .map([:])]), .map(["Body": .map(["OversizeHandling": "MATCH"])])]
        let rules: [TemplateValue] = acl.rules.enumerated().map { index, rule in
            let block: TemplateEntry = TemplateEntry("Action", .map(["Block": .map([:])]))
            var entries = [TemplateEntry("Name", .string(rule.name)), TemplateEntry("Priority", .int(index))]
            switch rule.statement {
            case .rateLimit(let limit, let window):
                entries += [
                    TemplateEntry(
                        "Statement",
                        .map([
                            "RateBasedStatement": .map([
                                "Limit": .int(limit), "AggregateKeyType": "IP", "EvaluationWindowSec": .int(window.seconds),
                            ])
                        ])), block,
                ]
            case .blockAddresses(let id, _):
                entries += [TemplateEntry("Statement", .map(["IPSetReferenceStatement": .map(["Arn": .getAtt(id.name, "Arn")])])), block]
            case .maxBodySize(let bytes):
                entries += [
                    TemplateEntry(
                        "Statement",
                        .map([
                            "SizeConstraintStatement": .map([
                                "FieldToMatch": .map(["Body": .map(["OversizeHandling": "MATCH"])]),
                                "ComparisonOperator": "GT", "Size": .int(bytes),
                                "TextTransformations": [.map(["Priority": 0, "Type": "NONE"])],
                            ])
                        ])), block,
                ]
            case .sqlInjection, .crossSiteScripting:
                let kind = rule.statement == .sqlInjection ? "SqliMatchStatement" : "XssMatchStatement"
                entries += [
                    TemplateEntry(
                        "Statement",
                        .map([
                            "OrStatement": .map([
                                "Statements": .list(
                                    textFields.map { field in
                                        .map([
                                            TemplateEntry(
                                                kind,
                                                .map([
                                                    "FieldToMatch": field,
                                                    "TextTransformations": [
                                                        .map(["Priority": 0, "Type": "URL_DECODE"]), .map(["Priority": 1, "Type": "HTML_ENTITY_DECODE"]),
                                                    ],
                                                ]))
                                        ])
                                    })
                            ])
                        ])), block,
                ]
            case .managed(let vendor, let group, let countOnly):
                entries += [
                    TemplateEntry(
                        "Statement",
                        .map([
                            "ManagedRuleGroupStatement": .map([
                                "VendorName": .string(vendor), "Name": .string(group),
                                "RuleActionOverrides": countOnly.isEmpty
                                    ? nil
                                    : .list(
                                        countOnly.map { rule in
                                            .map(["Name": .string(rule), "ActionToUse": .map(["Count": .map([:])])])
                                        }),
                            ])
                        ])),
                    TemplateEntry("OverrideAction", .map(["None": .map([:])])),
                ]
            }
            entries.append(TemplateEntry("VisibilityConfig", visibility(rule.name)))
            return .map(entries)
        }
        add(
            TemplateResource(
                acl.name, type: "AWS::WAFv2::WebACL",
                properties: [
                    TemplateEntry("Name", .sub("${AWS::StackName}-\(acl.name)")),
                    TemplateEntry("Scope", "REGIONAL"),
                    TemplateEntry("DefaultAction", acl.defaultAllow ? .map(["Allow": .map([:])]) : .map(["Block": .map([:])])),
                    TemplateEntry("Rules", .list(rules)),
                    TemplateEntry("VisibilityConfig", visibility(acl.name)),
                    TemplateEntry("Tags", tagList),
                ]))
        var logs = TemplateResource(
            "\(acl.name)Logs", type: "AWS::Logs::LogGroup",
            properties: [
                TemplateEntry("LogGroupName", .sub("aws-waf-logs-${AWS::StackName}-\(acl.name)")),
                TemplateEntry("RetentionInDays", .int(environment.isProduction ? 365 : 30)),
            ] + MapBuilder.entries(["KmsKeyId": keyArn(acl.logEncryption)]) + [
                TemplateEntry("Tags", tagList)
            ])
        applyRetention(&logs, retain: environment.isProduction)
        add(logs)
        add(
            TemplateResource(
                "\(acl.name)Logging", type: "AWS::WAFv2::LoggingConfiguration",
                properties: [
                    TemplateEntry("ResourceArn", .getAtt(acl.name, "Arn")),
                    TemplateEntry("LogDestinationConfigs", [.getAtt("\(acl.name)Logs", "Arn")]),
                ]))
    }

    mutating func emitAlarm(_ alarm: Alarm) {
        let metric = alarm.metric
        let dimensions: [TemplateValue] =
            switch metric.resource.kind {
            case .function: [.map(["Name": "FunctionName", "Value": .ref(metric.resource.name)])]
            default:
                [
                    .map(["Name": "ApiName", "Value": .sub("${AWS::StackName}-\(metric.resource.name)")]),
                    .map(["Name": "Stage", "Value": .string(resolve(metric.resource, as: RestAPI.self)?.stage ?? "")]),
                ]
            }
        let percentile = metric.statistic.hasPrefix("p")
        add(
            TemplateResource(
                alarm.name, type: "AWS::CloudWatch::Alarm",
                properties: MapBuilder.entries([
                    "AlarmDescription": .string(
                        "\(metric.metricName) of \(metric.resource.name) at or above \(TemplateValue.double(alarm.threshold).plainText)"),
                    "Namespace": .string(metric.namespace),
                    "MetricName": .string(metric.metricName),
                    "Dimensions": .list(dimensions),
                    "Statistic": percentile ? nil : .string(metric.statistic),
                    "ExtendedStatistic": percentile ? .string(metric.statistic) : nil,
                    "Period": .int(alarm.period.seconds),
                    "EvaluationPeriods": .int(alarm.evaluationPeriods),
                    "Threshold": .double(alarm.threshold),
                    "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                    "TreatMissingData": "notBreaching",
                    "AlarmActions": [.ref(alarm.topic.name)],
                    "OKActions": [.ref(alarm.topic.name)],
                    "Tags": tagList,
                ])))
    }

    mutating func emitDashboard(_ dashboard: Dashboard) {
        var widgets: [String] = []
        for (index, item) in dashboard.resources.enumerated() {
            let (x, y) = ((index % 2) * 12, (index / 2) * 6)
            let metrics: String
            let title: String
            if item.id.kind == .function {
                title = "\(item.id.name) invocations, errors, throttles"
                metrics = ["Invocations", "Errors", "Throttles"].map { "[\"AWS/Lambda\",\"\($0)\",\"FunctionName\",\"${\(item.id.name)}\"]" }.joined(
                    separator: ",")
            } else {
                let stage = resolve(item.id, as: RestAPI.self)?.stage ?? ""
                title = "\(item.id.name) requests and errors"
                metrics = ["Count", "4XXError", "5XXError"].map {
                    "[\"AWS/ApiGateway\",\"\($0)\",\"ApiName\",\"${AWS::StackName}-\(item.id.name)\",\"Stage\",\"\(stage)\"]"
                }.joined(separator: ",")
            }
            widgets.append(
                "{\"type\":\"metric\",\"x\":\(x),\"y\":\(y),\"width\":12,\"height\":6,\"properties\":{\"title\":\"\(title)\",\"region\":\"${AWS::Region}\",\"stat\":\"Sum\",\"period\":300,\"metrics\":[\(metrics)]}}"
            )
        }
        add(
            TemplateResource(
                dashboard.name, type: "AWS::CloudWatch::Dashboard",
                properties: [
                    TemplateEntry("DashboardName", .string(dashboard.dashboardName)),
                    TemplateEntry("DashboardBody", .sub("{\"widgets\":[\(widgets.joined(separator: ","))]}")),
                ]))
    }

    mutating func emitParameter(_ parameter: Parameter) {
        add(
            TemplateResource(
                parameter.name, type: "AWS::SSM::Parameter",
                properties: MapBuilder.entries([
                    "Name": .string(parameter.path),
                    "Type": "String",
                    "Value": .string(parameter.value),
                    "Description": parameter.summary.isEmpty ? nil : .string(parameter.summary),
                    "Tags": tagMap,
                ])))
    }

    mutating func emitTrail(_ trail: Trail) {
        var resource = TemplateResource(
            trail.name, type: "AWS::CloudTrail::Trail",
            properties: MapBuilder.entries([
                "TrailName": .string(trail.trailName),
                "S3BucketName": .ref(trail.bucket.name),
                "IsLogging": true,
                "IsMultiRegionTrail": .bool(trail.multiRegion),
                "IncludeGlobalServiceEvents": true,
                "EnableLogFileValidation": true,
                "KMSKeyId": keyArn(trail.encryption),
                "Tags": tagList,
            ]))
        resource.dependsOn = ["\(trail.bucket.name)Policy"]
        add(resource)
    }

    mutating func emitBudget(_ budget: Budget) {
        add(
            TemplateResource(
                budget.name, type: "AWS::Budgets::Budget",
                properties: [
                    TemplateEntry(
                        "Budget",
                        .map([
                            "BudgetName": .string(budget.budgetName),
                            "BudgetType": "COST", "TimeUnit": "MONTHLY",
                            "BudgetLimit": .map(["Amount": .int(budget.monthlyLimitUSD), "Unit": "USD"]),
                            "CostFilters": .map(["TagKeyValue": [.string("user:Environment$\(environment.name)")]]),
                        ])),
                    TemplateEntry(
                        "NotificationsWithSubscribers",
                        [
                            .map([
                                "Notification": .map([
                                    "NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN",
                                    "Threshold": .int(budget.alertPercent), "ThresholdType": "PERCENTAGE",
                                ]),
                                "Subscribers": [.map(["SubscriptionType": "EMAIL", "Address": .string(budget.alertEmail)])],
                            ])
                        ]),
                    TemplateEntry("ResourceTags", tagList),
                ]))
    }
}

extension TemplateValue {
    /// A scalar's text (numbers and strings), for descriptions.
    var plainText: String {
        switch self {
        case .string(let t), .number(let t): t
        case .bool(let b): b ? "true" : "false"
        default: ""
        }
    }
}

/// A short, stable hash for logical IDs that must not depend on order.
enum StableHash {
    /// Eight hex digits of FNV-1a over the UTF-8 bytes.
    static func hex(_ text: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let digits = String(hash, radix: 16, uppercase: true)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
