import Formwork
import FormworkTemplate
import Foundation
import Testing

@Suite("Task-management blueprint, synthesized")
struct BlueprintSynthTests {
    @Test("every environment synthesizes without errors", arguments: Environment.standard)
    func noErrors(env: Environment) {
        let result = synth(env)
        #expect(!result.hasErrors, "\(result.diagnostics)")
        #expect(result.template.transform == "AWS::Serverless-2016-10-31")
    }

    @Test("GIVEN prod WHEN synthesized THEN the tasks table keeps data and has its indexes")
    func prodTasksTable() throws {
        let table = try #require(synth(.prod).template.resource("TasksTable"))
        #expect(table.type == "AWS::DynamoDB::Table")
        #expect(table.deletionPolicy == "Retain")
        #expect(table.updateReplacePolicy == "Retain")
        #expect(table.value(at: "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled") == .bool(true))
        #expect(table.property("DeletionProtectionEnabled") == .bool(true))
        #expect(table.property("BillingMode") == "PAY_PER_REQUEST")
        #expect(table.value(at: "SSESpecification", "SSEType") == "KMS")
        let indexes = table.property("GlobalSecondaryIndexes")?.items.compactMap { $0["IndexName"]?.text }
        #expect(indexes == ["ByAssignee", "ByStatus", "ByDeadline"])
        let byAssignee = table.property("GlobalSecondaryIndexes")?.items.first
        #expect(byAssignee?["KeySchema"]?.items.compactMap { $0["AttributeName"]?.text } == ["assigneeId", "deadline"])
    }

    @Test("GIVEN dev WHEN synthesized THEN tables are cheap and deletable")
    func devTables() throws {
        let template = synth(.dev).template
        for name in ["UsersTable", "TasksTable", "NotificationsTable"] {
            let table = try #require(template.resource(name))
            #expect(table.deletionPolicy == "Delete")
            #expect(table.value(at: "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled") == .bool(false))
            #expect(table.property("DeletionProtectionEnabled") == .bool(false))
        }
        let notifications = try #require(template.resource("NotificationsTable"))
        #expect(notifications.value(at: "TimeToLiveSpecification", "AttributeName") == "expiresAt")
    }

    @Test("GIVEN prod WHEN synthesized THEN the web ACL guards the API stage; dev has none")
    func firewall() throws {
        let prod = synth(.prod).template
        let acl = try #require(prod.resource("ApiFirewall"))
        let statements = acl.property("Rules")?.items.compactMap { $0["Statement"] } ?? []
        #expect(statements.contains { $0["RateBasedStatement"]?["Limit"] == .int(1000) })
        #expect(statements.contains { $0["IPSetReferenceStatement"] != nil })
        #expect(statements.contains { $0["SizeConstraintStatement"] != nil })
        #expect(statements.contains { $0["ManagedRuleGroupStatement"]?["Name"] == "AWSManagedRulesCommonRuleSet" })
        let association = try #require(prod.resource("ApiWebACLAssociation"))
        #expect(association.property("WebACLArn") == .getAtt("ApiFirewall", "Arn"))
        #expect(association.property("ResourceArn") == .sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/${Api.Stage}"))
        #expect(synth(.dev).template.resources(ofType: "AWS::WAFv2::WebACL").isEmpty)
    }

    @Test("GIVEN the API WHEN synthesized THEN routes carry the authorizer, public routes opt out, bodies are validated")
    func routes() throws {
        let template = synth(.prod).template
        let api = try #require(template.resource("Api"))
        #expect(api.value(at: "Auth", "DefaultAuthorizer") == "CognitoAuthorizer")
        #expect(api.value(at: "Auth", "Authorizers", "CognitoAuthorizer", "UserPoolArn") == .getAtt("UserPool", "Arn"))
        #expect(api.property("CacheClusterEnabled") == .bool(true))
        #expect(api.property("TracingEnabled") == .bool(true))
        let models = api.property("Models")
        #expect(models?["CreateTask"]?["required"]?.strings == ["title", "assigneeId", "deadline"])
        let dashboard = try #require(template.resource("AdminDashboardFunction"))
        #expect(dashboard.value(at: "Events", "GetHealth", "Properties", "Auth", "Authorizer") == "NONE")
        let tasks = try #require(template.resource("TaskManagementFunction"))
        #expect(tasks.value(at: "Events", "PostTasks", "Properties", "RequestModel", "Model") == "CreateTask")
        #expect(tasks.value(at: "Events", "PostTasks", "Properties", "RequestModel", "ValidateBody") == .bool(true))
        #expect(tasks.value(at: "Events", "GetTasksTaskId", "Properties", "Path") == "/tasks/{taskId}")
        let greedy = try #require(dashboard.value(at: "Events", "GetAdminReportsProxy", "Properties"))
        #expect(greedy["Path"] == "/admin/reports/{proxy+}")
        #expect(greedy["Method"] == "get")
        let cacheKeys = tasks.value(at: "Events", "GetTasks", "Properties", "RequestParameters")?.items.compactMap {
            if case .map(let entries) = $0 { return entries.first?.key }
            return nil
        }
        #expect(
            cacheKeys == [
                "method.request.header.Authorization", "method.request.querystring.status",
                "method.request.querystring.assigneeId", "method.request.querystring.limit",
                "method.request.querystring.nextToken",
            ])
        let devAPI = try #require(synth(.dev).template.resource("Api"))
        #expect(devAPI.property("CacheClusterEnabled") == nil)
    }

    @Test("GIVEN functions WHEN synthesized THEN environment references resolve to names and ARNs")
    func functionEnvironment() throws {
        let function = try #require(synth(.staging).template.resource("TaskManagementFunction"))
        let variables = try #require(function.value(at: "Environment", "Variables"))
        #expect(variables["TASKS_TABLE"] == .ref("TasksTable"))
        #expect(variables["NOTIFICATIONS_TOPIC_ARN"] == .ref("NotificationsTopic"))
        #expect(variables["SENDER_EMAIL"] == "notifications@taskmgmt.example.com")
        #expect(function.property("Tracing") == "Active")
        #expect(function.property("Role") == .getAtt("TaskManagementFunctionRole", "Arn"))
        // Only API routes invoke it, synchronously: no dead-letter queue, and checkov told why.
        #expect(function.property("DeadLetterQueue") == nil && synth(.staging).template.resource("TaskManagementFunctionDeadLetterQueue") == nil)
        #expect(function.metadata.first { $0.key == "checkov" }?.value.compactJSON.contains("CKV_AWS_116") == true)
        let notifier = try #require(synth(.staging).template.resource("NotificationFunction"))
        #expect(notifier.value(at: "DeadLetterQueue", "TargetArn") == .getAtt("NotificationFunctionDeadLetterQueue", "Arn"))
        #expect(function.property("ReservedConcurrentExecutions") == nil)
        let prod = try #require(synth(.prod).template.resource("TaskManagementFunction"))
        #expect(prod.property("ReservedConcurrentExecutions") == .int(50))
    }

    @Test("GIVEN the schedule WHEN synthesized THEN EventBridge invokes the notification function")
    func schedule() throws {
        let template = synth(.dev).template
        let rule = try #require(template.resource("DeadlineReminders"))
        #expect(rule.property("ScheduleExpression") == "rate(1 hour)")
        #expect(rule.property("Targets")?.items.first?["Arn"] == .getAtt("NotificationFunction", "Arn"))
        let permission = try #require(template.resource("DeadlineRemindersPermission"))
        #expect(permission.property("Principal") == "events.amazonaws.com")
    }

    @Test("GIVEN the site WHEN synthesized THEN CloudFront reads the bucket through OAC with security headers")
    func site() throws {
        let template = synth(.prod).template
        let distribution = try #require(template.resource("SiteDistribution"))
        let config = try #require(distribution.property("DistributionConfig"))
        #expect(config["DefaultRootObject"] == "index.html")
        #expect(config["DefaultCacheBehavior"]?["ViewerProtocolPolicy"] == "redirect-to-https")
        #expect(config["CustomErrorResponses"]?.items.map { $0["ResponseCode"] } == [.int(200), .int(200)])
        #expect(config["PriceClass"] == "PriceClass_All")
        let headers = try #require(template.resource("SiteDistributionHeadersPolicy"))
        let security = headers.value(at: "ResponseHeadersPolicyConfig", "SecurityHeadersConfig")
        #expect(security?["FrameOptions"]?["FrameOption"] == "DENY")
        #expect(security?["StrictTransportSecurity"] != nil)
        let policy = try #require(template.resource("SiteBucketPolicy"))
        let sids = policy.value(at: "PolicyDocument", "Statement")?.items.compactMap { $0["Sid"]?.text }
        #expect(sids == ["DenyInsecureTransport", "CloudFrontReadsSite"])
        #expect(synth(.dev).template.resource("SiteDistribution")?.value(at: "DistributionConfig", "PriceClass") == "PriceClass_100")
    }

    @Test("every taggable resource carries Project, Environment, Owner and CostCenter", arguments: Environment.standard)
    func tags(env: Environment) {
        let template = synth(env).template
        var tagged = 0
        for resource in template.resources {
            guard let tags = resource.property("Tags") ?? resource.property("UserPoolTags") ?? resource.property("IdentityPoolTags") else { continue }
            tagged += 1
            let keys: [String] =
                switch tags {
                case .map(let entries): entries.map(\.key)
                default: tags.items.compactMap { $0["Key"]?.text }
                }
            #expect(Set(keys) == ["Project", "Environment", "Owner", "CostCenter"], "\(resource.logicalID)")
        }
        #expect(tagged > 20)
        let taggableTypes: Set = [
            "AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::Serverless::Function", "AWS::SNS::Topic",
            "AWS::KMS::Key", "AWS::IAM::Role", "AWS::Logs::LogGroup", "AWS::SQS::Queue", "AWS::Cognito::UserPool",
        ]
        for resource in template.resources where taggableTypes.contains(resource.type) {
            #expect(resource.property("Tags") != nil || resource.property("UserPoolTags") != nil, "\(resource.logicalID) has no tags")
        }
    }

    @Test("outputs name the API, site, pool, client, tables and topic")
    func outputs() {
        let names = synth(.prod).template.outputs.map(\.key)
        for expected in [
            "ApiUrl", "SiteUrl", "UserPoolId", "UserPoolClientId", "UsersTableName", "TasksTableName",
            "NotificationsTableName", "NotificationsTopicArn",
        ] {
            #expect(names.contains(expected), "missing output \(expected)")
        }
    }
}

@Suite("API details")
struct APIDetailTests {
    @Test("a cached route with path parameters keys its cache on them too; two APIs get their own URL outputs")
    func cacheKeysAndOutputs() throws {
        let fn = Function("Items", handler: RequestOnly.self)
        let architecture = Architecture("Shop") {
            fn
            RestAPI("Public", stage: "prod", authorizer: nil) {
                Route(.get, "/items/{itemId}", to: fn, access: .public).cache(ttl: .seconds(60), varyingBy: ["lang"])
            }
            .cache(.cluster(size: "0.5"))
            RestAPI("Internal", stage: "prod", authorizer: nil) {
                Route(.get, "/health", to: fn, access: .public)
            }
        }
        let result = Synthesizer(architecture: architecture, environment: .prod).synthesize()
        #expect(!result.hasErrors, "\(result.diagnostics)")
        let function = try #require(result.template.resource("Items"))
        let keys = function.value(at: "Events", "GetItemsItemId", "Properties", "RequestParameters")?.items.compactMap { item -> String? in
            if case .map(let entries) = item { return entries.first?.key }
            return nil
        }
        #expect(keys == ["method.request.path.itemId", "method.request.querystring.lang"])
        #expect(result.template.outputs.map(\.key).filter { $0.hasSuffix("Url") } == ["PublicUrl", "InternalUrl"])
    }
}

@Suite("CORS on AWS, where a proxy integration adds no header")
struct CORSOnAWSTests {
    @Test("functions behind the API know the site's origin; the gateway's own 4xx and 5xx answers carry it")
    func originEverywhere() throws {
        let template = synth(.dev).template
        let task = try #require(template.resource("TaskManagementFunction"))
        let origin = try #require(task.value(at: "Environment", "Variables", "CORS_ALLOW_ORIGIN"))
        #expect("\(origin)".contains("SiteDistribution.DomainName"), "\(origin)")
        let api = try #require(template.resource("Api"))
        for response in ["DEFAULT_4XX", "DEFAULT_5XX"] {
            let header = try #require(api.value(at: "GatewayResponses", response, "ResponseParameters", "Headers", "Access-Control-Allow-Origin"))
            #expect("\(header)".contains("SiteDistribution.DomainName"), "\(header)")
        }
        let notifier = try #require(template.resource("NotificationFunction"))
        #expect(notifier.value(at: "Environment", "Variables", "CORS_ALLOW_ORIGIN") == nil, "no API routes to the notification function")
    }
}
