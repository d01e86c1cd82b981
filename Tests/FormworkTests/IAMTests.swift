import Blueprints
import Formwork
import FormworkTemplate
import Testing

@Suite("Least-privilege IAM from grants")
struct IAMTests {
    /// Every (action, resource) pair of a role's inline policy.
    func statements(of role: TemplateResource) -> [TemplateValue] {
        role.property("Policies")?.items.first?["PolicyDocument"]?["Statement"]?.items ?? []
    }

    @Test(
        "each function's policy has exactly the actions its grants imply, plus logs, traces and DLQ",
        arguments: ["UserManagementFunction", "TaskManagementFunction", "NotificationFunction", "AdminDashboardFunction"])
    func exactActions(functionName: String) throws {
        let architecture = TaskManagementBlueprint().architecture(for: .prod)
        let function = try #require(architecture.resolve(ResourceID(functionName, kind: .function), as: Function.self))
        let role = try #require(synth(.prod).template.resource("\(functionName)Role"))
        let actual = Set(statements(of: role).flatMap { $0["Action"]?.strings ?? [] })

        var expected: Set<String> = ["logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
        // A dead-letter queue (encrypted with the key) only where something invokes the function asynchronously.
        #expect(architecture.hasDeadLetterQueue(function) == (functionName == "NotificationFunction"))
        if architecture.hasDeadLetterQueue(function) { expected.formUnion(["sqs:SendMessage", "kms:Decrypt", "kms:GenerateDataKey"]) }
        for grant in function.grants {
            expected.formUnion(grant.actions)
            expected.formUnion(grant.indexActions)
            let encrypted: Bool =
                switch grant.target.kind {
                case .table: architecture.resolve(grant.target, as: Table.self)?.encryption.keyID != nil
                case .topic: architecture.resolve(grant.target, as: Topic.self)?.encryption.keyID != nil
                default: false
                }
            if encrypted { expected.formUnion(grant.keyActions) }
        }
        #expect(actual == expected)
        #expect(!actual.contains { $0.contains("*") }, "wildcard action in \(actual)")
    }

    @Test(
        "'*' resources appear only for actions without resource-level permissions: X-Ray, and listing log groups",
        arguments: Environment.standard)
    func wildcardResources(env: Environment) {
        let allowed: [String: Set<String>] = [
            "WriteTracesXRayRequiresAllResources": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
            "ListLogGroups": ["logs:DescribeLogGroups"],
        ]
        for role in synth(env).template.resources(ofType: "AWS::IAM::Role") {
            for statement in statements(of: role) where statement["Resource"] == "*" {
                let sid = statement["Sid"]?.text ?? ""
                #expect(allowed[sid] != nil, "\(role.logicalID): \(statement)")
                let actions = Set(statement["Action"]?.strings ?? statement["Action"]?.text.map { [$0] } ?? [])
                #expect(actions == allowed[sid], "\(role.logicalID): \(statement)")
            }
        }
    }

    @Test("a read grant on a table reaches each of its indexes by ARN, and no other table")
    func indexScoping() throws {
        let role = try #require(synth(.dev).template.resource("AdminDashboardFunctionRole"))
        let statements = statements(of: role)
        let indexStatement = try #require(statements.first { $0["Sid"] == "ReadTasksTableIndexes" })
        #expect(
            indexStatement["Resource"]?.items == [
                .sub("${TasksTable.Arn}/index/ByAssignee"), .sub("${TasksTable.Arn}/index/ByStatus"), .sub("${TasksTable.Arn}/index/ByDeadline"),
            ])
        #expect(Set(indexStatement["Action"]?.strings ?? []) == ["dynamodb:Query", "dynamodb:Scan"])
        let tableStatement = try #require(statements.first { $0["Sid"] == "ReadTasksTable" })
        #expect(tableStatement["Resource"] == .getAtt("TasksTable", "Arn"))
        let tableActions = tableStatement["Action"]?.strings ?? []
        #expect(tableActions.contains("dynamodb:GetItem"))
        #expect(tableActions.contains("dynamodb:PutItem") == false)
        #expect(!statements.contains { $0["Resource"] == .getAtt("NotificationsTable", "Arn") })
    }

    @Test("the grant is the simulator's permission check too")
    func grantAllows() {
        let tasks = Table("Tasks", partitionKey: .string("taskId")).index("ByAssignee", partitionKey: .string("assigneeId"))
        let other = Table("Other", partitionKey: .string("id"))
        let read = Grant.read(tasks)
        #expect(read.allows("dynamodb:GetItem", on: tasks.id))
        #expect(!read.allows("dynamodb:PutItem", on: tasks.id))
        #expect(!read.allows("dynamodb:GetItem", on: other.id))
        #expect(read.allows("dynamodb:Query", on: tasks.id, index: "ByAssignee"))
        #expect(!read.allows("dynamodb:GetItem", on: tasks.id, index: "ByAssignee"))
        #expect(Grant.readWrite(tasks).allows("dynamodb:PutItem", on: tasks.id))
    }
}
