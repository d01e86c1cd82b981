import Blueprints
import Formwork
import FormworkRuntime
import FormworkTemplate
import Testing

/// Minimal handler types for broken blueprints.
struct RequestOnly: APIHandler {
    init(services: Services) {}
    func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse { .noContent() }
}
struct ScheduleOnly: ScheduledHandler {
    init(services: Services) {}
    func handle(_ event: ScheduledEvent, context: HandlerContext) async throws {}
}
struct NotAHandler {}

/// Synthesizes an architecture and returns its diagnostics.
func diagnostics(_ architecture: Architecture) -> [Diagnostic] {
    Synthesizer(architecture: architecture, environment: .dev).synthesize().diagnostics
}

/// Expects exactly one error containing `text`, at `line` of this file.
func expectError(_ architecture: Architecture, _ text: String, line: Int, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let found = diagnostics(architecture).filter { $0.severity == .error }
    let matching = found.filter { $0.message.contains(text) }
    #expect(matching.count == 1, "expected one error containing '\(text)', got: \(found.map(\.description))", sourceLocation: sourceLocation)
    #expect(matching.first?.location?.line == line, "wrong line: \(matching.map(\.description))", sourceLocation: sourceLocation)
    #expect(matching.first?.location?.fileID.hasSuffix("ValidationTests.swift") == true, sourceLocation: sourceLocation)
}

@Suite("Validation: one broken blueprint per rule")
struct ValidationTests {
    let function = Function("Api", handler: RequestOnly.self)

    @Test func duplicateLogicalID() {
        let line = #line + 3
        let architecture = Architecture("Dup") {
            Table("Orders", partitionKey: .string("id"))
            Topic("Orders")
        }
        expectError(architecture, "duplicate logical ID 'Orders'", line: line)
    }

    @Test func danglingReference() {
        let table = Table("Tasks", partitionKey: .string("taskId"))
        let line = #line + 1
        let reader = Function("Reader", handler: RequestOnly.self).grants(.read(table))
        expectError(Architecture("Dangling") { reader }, "refers to table 'Tasks' (grant read), which is not part of architecture", line: line)
    }

    @Test func danglingReferenceFromADeclarationInsideTheBuilder() {
        let line = #line + 3
        let architecture = Architecture("LetInBuilder") {
            let tasks = Table("Tasks", partitionKey: .string("taskId"))
            Function("Reader", handler: RequestOnly.self).environment("TASKS", tasks)
        }
        expectError(architecture, "which is not part of architecture", line: line)
    }

    @Test func invalidBucketName() {
        let line = #line + 1
        let bucket = Bucket("Site").named("My_Bucket")
        expectError(Architecture("B") { bucket }, "bucket name 'My_Bucket' may contain only lowercase letters", line: line)
    }

    @Test func invalidTableName() {
        let line = #line + 1
        let table = Table("T", partitionKey: .string("id")).named("a b")
        expectError(Architecture("T") { table }, "table name 'a b'", line: line)
    }

    @Test func invalidFunctionName() {
        let line = #line + 1
        let fn = Function("F", handler: RequestOnly.self).named(String(repeating: "x", count: 65))
        expectError(Architecture("F") { fn }, "must be 1 to 64 characters", line: line)
    }

    @Test func invalidLogicalID() {
        let line = #line + 1
        let table = Table("tasks-table", partitionKey: .string("id"))
        expectError(Architecture("L") { table }, "logical ID 'tasks-table'", line: line)
    }

    @Test func invalidCron() {
        let line = #line + 1
        let schedule = Schedule("Nightly", .cron("0 3 * * *"), invoke: Function("Job", handler: ScheduleOnly.self))
        expectError(
            Architecture("C") {
                Function("Job", handler: ScheduleOnly.self); schedule
            }, "has 5 fields; AWS cron needs 6", line: line)
    }

    @Test func cronNeedsOneQuestionMark() {
        let job = Function("Job", handler: ScheduleOnly.self)
        let line = #line + 1
        let schedule = Schedule("Nightly", .cron("0 3 * * MON *"), invoke: job)
        expectError(
            Architecture("C") {
                job; schedule
            }, "exactly one of day-of-month and day-of-week must be '?'", line: line)
    }

    @Test func invalidRate() {
        let job = Function("Job", handler: ScheduleOnly.self)
        let line = #line + 1
        let schedule = Schedule("Often", .expression("rate(1 minutes)"), invoke: job)
        expectError(
            Architecture("R") {
                job; schedule
            }, "a value of 1 takes a singular unit", line: line)
    }

    @Test func cronAndRateRules() {
        #expect(ScheduleExpression.cron("0 8 ? * MON-FRI *").problem == nil)
        #expect(ScheduleExpression.cron("0/15 * * * ? *").problem == nil)
        #expect(ScheduleExpression.cron("0 10 ? * 6L 2027-2030").problem == nil)
        #expect(ScheduleExpression.cron("0 10 ? * MON#2 *").problem == nil)
        #expect(ScheduleExpression.cron("0 10 L * ? *").problem == nil)
        #expect(ScheduleExpression.cron("61 10 * * ? *").problem?.contains("outside minutes") == true)
        #expect(ScheduleExpression.cron("0 10 * 13 ? *").problem?.contains("outside month") == true)
        #expect(ScheduleExpression.cron("0 10 * FOO ? *").problem?.contains("not a valid month") == true)
        #expect(ScheduleExpression.rate(.seconds(30)).problem != nil)
        #expect(ScheduleExpression.rate(.hours(1)).description == "rate(1 hour)")
        #expect(ScheduleExpression.rate(.minutes(5)).description == "rate(5 minutes)")
        #expect(ScheduleExpression.expression("every hour").problem != nil)
    }

    @Test func duplicateRoute() {
        let line = #line + 4
        let fn = function
        let api = RestAPI("Http", stage: "dev", authorizer: nil) {
            Route(.get, "/tasks", to: fn, access: .public)
            Route(.get, "/tasks", to: fn, access: .public)
        }
        expectError(
            Architecture("D") {
                fn; api
            }, "conflicts with route GET /tasks", line: line)
    }

    @Test func conflictingParameterNames() {
        let line = #line + 4
        let fn = function
        let api = RestAPI("Http", stage: "dev", authorizer: nil) {
            Route(.get, "/tasks/{taskId}", to: fn, access: .public)
            Route(.delete, "/tasks/{id}", to: fn, access: .public)
        }
        expectError(
            Architecture("P") {
                fn; api
            }, "has the variable segment '{id}' at position 2", line: line)
    }

    @Test func routeWithoutAuthorizerNotMarkedPublic() {
        let line = #line + 3
        let fn = function
        let api = RestAPI("Http", stage: "dev", authorizer: nil) {
            Route(.get, "/tasks", to: fn)
        }
        expectError(
            Architecture("A") {
                fn; api
            }, "has no authorizer", line: line)
    }

    @Test func routeToANonAPIHandler() {
        let job = Function("Job", handler: ScheduleOnly.self)
        let line = #line + 2
        let api = RestAPI("Http", stage: "dev", authorizer: nil) {
            Route(.get, "/run", to: job, access: .public)
        }
        expectError(
            Architecture("H") {
                job; api
            }, "whose handler is not an APIHandler", line: line)
    }

    @Test func handlerConformingToNothing() {
        let line = #line + 1
        let fn = Function("Nothing", handler: NotAHandler.self)
        expectError(Architecture("N") { fn }, "conforms to none of", line: line)
    }

    @Test func parameterBesideGreedySibling() {
        let line = #line + 4
        let fn = function
        let api = RestAPI("Http", stage: "dev", authorizer: nil) {
            Route(.get, "/tasks/{taskId}", to: fn, access: .public)
            Route(.get, "/tasks/{proxy+}", to: fn, access: .public)
        }
        expectError(
            Architecture("G") {
                fn; api
            }, "has the variable segment '{proxy+}' at position 2", line: line)
    }

    @Test func greedyParameterNotLast() {
        let fn = function
        let line = #line + 2
        let api = RestAPI("Http", stage: "dev", authorizer: nil) {
            Route(.get, "/files/{path+}/meta", to: fn, access: .public)
        }
        expectError(
            Architecture("G") {
                fn; api
            }, "must be the last segment", line: line)
    }

    @Test func groupNotInPool() {
        let admin = UserGroup("Admin")
        let pool = UserPool("Users")
        let fn = function
        let line = #line + 2
        let api = RestAPI("Http", stage: "dev", authorizer: pool) {
            Route(.get, "/admin", to: fn, groups: [admin])
        }
        expectError(
            Architecture("G") {
                pool; fn; api
            }, "requires group 'Admin'", line: line)
    }

    @Test func resourceQuota() {
        let tables = (0..<501).map { Table("T\($0)", partitionKey: .string("id")) }
        let line = #line + 1
        let architecture = Architecture("Huge") { tables.map { $0 as any Resource } }
        expectError(architecture, "CloudFormation allows 500 per stack", line: line)
    }

    @Test("the resource quota counts what SAM adds: permissions per route, deployment and stage per API")
    func resourceQuotaAfterTransform() {
        let fn = function
        let tables = (0..<450).map { Table("T\($0)", partitionKey: .string("id")) as any Resource }
        let line = #line + 1
        let architecture = Architecture("Expanding") {
            tables
            fn
            RestAPI("Http", stage: "dev", authorizer: nil) {
                for index in 0..<45 { Route(.get, "/r\(index)", to: fn, access: .public) }
            }
        }
        expectError(architecture, "once SAM expands it", line: line)
    }

    @Test func outputQuota() {
        let tables = (0..<201).map { Table("T\($0)", partitionKey: .string("id")) }
        let line = #line + 1
        let architecture = Architecture("Outputs") { tables.map { $0 as any Resource } }
        expectError(architecture, "CloudFormation allows 200", line: line)
    }

    @Test func sizeWarningAndLimit() throws {
        let line = #line + 1
        let architecture = Architecture("Large") {
            (0..<120).map { Table("Table\($0)", partitionKey: .string("id")).index("ByOwner", partitionKey: .string("owner")) as any Resource }
        }
        var result = Synthesizer(architecture: architecture, environment: .dev).synthesize()
        _ = try result.render(as: .yaml)
        let warning = result.diagnostics.first { $0.severity == .warning && $0.message.contains("must be uploaded to S3") }
        #expect(warning?.location?.line == line)
        #expect(!result.hasErrors)
    }

    @Test func derivedLogicalIDCollision() {
        let line = #line + 3
        let architecture = Architecture("Derived") {
            Function("Worker", handler: RequestOnly.self)
            Table("WorkerRole", partitionKey: .string("id"))
        }
        expectError(architecture, "logical ID 'WorkerRole'", line: line)
    }

    @Test func duplicateGrant() {
        let table = Table("Orders", partitionKey: .string("id"))
        let line = #line + 1
        let fn = Function("Reader", handler: RequestOnly.self).grants(.read(table)).grants(.read(table))
        expectError(
            Architecture("D") {
                table; fn
            }, "grants read on table 'Orders' twice", line: line)
    }

    @Test func grantOnWrongKindIsImpossibleAndOutOfRangeSettingsAreReported() {
        let line = #line + 1
        let fn = Function("Slow", handler: RequestOnly.self).timeout(.minutes(20))
        expectError(Architecture("S") { fn }, "timeout must be 1 second to 15 minutes", line: line)
    }

    @Test("all problems are reported at once, in reading order")
    func allAtOnce() {
        let first = #line + 2
        let architecture = Architecture("Many") {
            Bucket("A").named("UPPER")
            Table("B", partitionKey: .string("id")).named("x")
            Function("C", handler: RequestOnly.self).memory(64)
        }
        let errors = diagnostics(architecture).filter { $0.severity == .error }
        #expect(errors.count == 3)
        #expect(errors.map { $0.location?.line } == [first, first + 1, first + 2])
        #expect(errors[0].description.contains("ValidationTests.swift:\(first):"))
        #expect(errors[0].description.contains(": error: bucket name 'UPPER'"))
    }

    @Test("a valid architecture has no diagnostics")
    func valid() {
        let fn = function
        let architecture = Architecture("Fine") {
            fn
            RestAPI("Http", stage: "dev", authorizer: nil) {
                Route(.get, "/health", to: fn, access: .public)
            }
        }
        #expect(diagnostics(architecture).isEmpty)
    }
}

/// A handler that declares its routes: `GET /things` for members of Staff, public `GET /ping`.
struct DeclaringHandler: RoutedAPIHandler {
    static let routes = [HandlerRoute("GET", "/things", .groups(["Staff"])), HandlerRoute("GET", "/ping", .anyone)]
    init(services: Services) {}
    func handle(_ request: APIGatewayRequest, context: HandlerContext) async throws -> APIGatewayResponse { .noContent() }
}

@Suite("Validation: routes said once, by the handler and checked in the blueprint")
struct RouteAgreementTests {
    let staff = UserGroup("Staff")

    @Test("a route the handler does not answer is an error at the route's line")
    func unansweredMethod() {
        let pool = UserPool("Pool").groups(staff)
        let function = Function("Things", handler: DeclaringHandler.self)
        let line = #line + 3
        let architecture = Architecture("Routes") {
            pool
            function
            RestAPI("Api", stage: "dev", authorizer: pool) {
                Route(.any, "/things", to: function, groups: [staff])
                Route(.get, "/things", to: function, groups: [staff])
                Route(.get, "/ping", to: function, access: .public)
            }
        }
        expectError(architecture, "route ANY /things targets FormworkTests.DeclaringHandler, which does not answer it", line: line + 2)
    }

    @Test("different callers are an error; a declared route that is not routed is an error at the API")
    func callersAndUnrouted() {
        let pool = UserPool("Pool").groups(staff)
        let function = Function("Things", handler: DeclaringHandler.self)
        let line = #line + 3
        let architecture = Architecture("Routes") {
            pool
            function
            RestAPI("Api", stage: "dev", authorizer: pool) {
                Route(.get, "/things", to: function)
            }
        }
        expectError(
            architecture, "route GET /things lets any signed-in user call, but FormworkTests.DeclaringHandler lets members of Staff call it", line: line + 2)
        expectError(architecture, "answers GET /ping, but API 'Api' routes no such request to function 'Things'", line: line + 1)
    }

    @Test("the blueprint's routes agree with the task-management handlers")
    func blueprintAgrees() {
        let problems = diagnostics(TaskManagementBlueprint().architecture(for: .dev)).filter { $0.message.contains("answer") }
        #expect(problems.isEmpty, "\(problems.map(\.description))")
    }
}
