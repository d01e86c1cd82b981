import Formwork
import FormworkRuntime

extension EmitContext {
    mutating func emitFunction(_ function: Function) {
        let name = function.name
        let logGroup = "\(name)LogGroup", role = function.roleLogicalID, queue = function.deadLetterQueueLogicalID
        let physicalName = function.functionName
        let hasDeadLetterQueue = architecture.hasDeadLetterQueue(function)
        var logGroupResource = TemplateResource(
            logGroup, type: "AWS::Logs::LogGroup",
            properties: MapBuilder.entries([
                "LogGroupName": physicalName.map { .string("/aws/lambda/\($0)") },
                "RetentionInDays": .int(function.logRetention.days),
                "KmsKeyId": keyArn(function.encryption),
                "Tags": tagList,
            ]))
        applyRetention(&logGroupResource, retain: environment.isProduction)
        add(logGroupResource)
        if hasDeadLetterQueue {
            var deadLetters = TemplateResource(
                queue, type: "AWS::SQS::Queue",
                properties: MapBuilder.entries([
                    "MessageRetentionPeriod": .int(TimeSpan.days(14).seconds),
                    "KmsMasterKeyId": keyArn(function.encryption),
                    "SqsManagedSseEnabled": function.encryption.keyID == nil ? true : nil,
                    "Tags": tagList,
                ]))
            applyRetention(&deadLetters, retain: false)
            add(deadLetters)
        }
        add(functionRole(function, logGroup: logGroup, queue: hasDeadLetterQueue ? queue : nil))

        var variables: [TemplateEntry] = []
        for variable in function.environment {
            switch variable.value {
            case .literal(let text): variables.append(TemplateEntry(variable.key, .string(text)))
            case .attribute(let id, let attribute, _): variables.append(TemplateEntry(variable.key, attributeValue(id, attribute)))
            }
        }
        if let origin = architecture.corsOrigin(of: function.id) {
            variables.append(TemplateEntry(APIGatewayResponse.allowOriginVariable, originValue(origin, quoted: false)))
        }
        var events: [TemplateEntry] = []
        for api in architecture.resources(of: RestAPI.self) {
            for route in api.routes where route.function == function.id {
                events.append(TemplateEntry(Self.eventName(route), routeEvent(route, api: api)))
            }
        }
        var resource = TemplateResource(
            name, type: "AWS::Serverless::Function",
            properties: MapBuilder.entries([
                "FunctionName": physicalName.map(TemplateValue.string),
                "Description": .string("Runs \(function.handlerName)"),
                "CodeUri": .string(function.codePath.hasPrefix("/") ? function.codePath : "\(codeRoot)/\(function.codePath)"),
                // The bootstrap reads it as `_HANDLER` to pick the handler type.
                "Handler": .string(function.handlerName),
                "Architectures": [.string(function.architecture.rawValue)],
                "MemorySize": .int(function.memory),
                "Timeout": .int(function.timeout.seconds),
                "Role": .getAtt(role, "Arn"),
                "ReservedConcurrentExecutions": function.reservedConcurrency.map(TemplateValue.int),
                "Tracing": function.tracing ? "Active" : "PassThrough",
                "LoggingConfig": .map(["LogGroup": .ref(logGroup), "LogFormat": "JSON"]),
                "DeadLetterQueue": hasDeadLetterQueue ? .map(["Type": "SQS", "TargetArn": .getAtt(queue, "Arn")]) : nil,
                "Environment": variables.isEmpty ? nil : .map(["Variables": .map(variables)]),
                "KmsKeyArn": variables.isEmpty ? nil : keyArn(function.encryption),
                "EventInvokeConfig": function.asyncRetries == .lambdaDefault
                    ? nil
                    : .map([
                        "MaximumRetryAttempts": .int(function.asyncRetries.retries),
                        "MaximumEventAgeInSeconds": .int(function.asyncRetries.maxEventAge.seconds),
                    ]),
                "Events": events.isEmpty ? nil : .map(events),
                "Tags": tagMap,
                "PropagateTags": true,
            ]))
        resource.skipCheck(
            "CKV_AWS_117",
            because:
                "The function reaches only AWS service endpoints over TLS with IAM authentication; a VPC would add NAT cost and cold-start latency without narrowing what it can reach."
        )
        if !hasDeadLetterQueue {
            resource.skipCheck(
                "CKV_AWS_116",
                because: architecture.isInvokedAsynchronously(function)
                    ? "The blueprint turns the dead-letter queue off (.deadLetterQueue(false)) for this function."
                    : "Only API Gateway invokes this function, synchronously, and the caller gets its errors; Lambda sends only failed asynchronous invocations to a dead-letter queue, so one would never receive anything."
            )
        }
        add(resource)
        if template.globals.isEmpty {
            template.globals = [TemplateEntry("Function", .map(["Runtime": .string(Function.runtime)]))]
        }
    }

    /// `GET /tasks/{taskId}` → `GetTasksTaskId`.
    static func eventName(_ route: Route) -> String {
        let method = route.method.rawValue.prefix(1) + route.method.rawValue.dropFirst().lowercased()
        let parts = route.segments.map { segment -> String in
            let text: String =
                switch segment {
                case .literal(let t): t
                case .parameter(let t): t
                case .greedy(let t): t
                }
            let words = text.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            return words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        }
        let joined = String(method) + parts.joined()
        return route.segments.isEmpty ? joined + "Root" : joined
    }

    func routeEvent(_ route: Route, api: RestAPI) -> TemplateValue {
        var properties: [TemplateEntry] = [
            TemplateEntry("RestApiId", .ref(api.name)),
            TemplateEntry("Path", .string(route.path)),
            TemplateEntry("Method", .string(route.method.rawValue.lowercased())),
        ]
        // NONE opts a route out of the API's default authorizer; SAM rejects it on an API without one.
        if route.isPublic && api.authorizer != nil {
            properties.append(TemplateEntry("Auth", .map(["Authorizer": "NONE"])))
        }
        if route.cacheTTL != nil, api.cache != nil {
            let header: [TemplateValue] = route.isPublic ? [] : [.map(["method.request.header.Authorization": .map(["Required": true, "Caching": true])])]
            // API Gateway keys its cache on what is listed here only: every path parameter too.
            let path: [TemplateValue] = route.segments.compactMap(\.parameterName).map {
                .map([TemplateEntry("method.request.path.\($0)", .map(["Required": true, "Caching": true]))])
            }
            let query: [TemplateValue] = route.cacheKeyQueryParameters.map {
                .map([TemplateEntry("method.request.querystring.\($0)", .map(["Required": false, "Caching": true]))])
            }
            properties.append(TemplateEntry("RequestParameters", .list(header + path + query)))
        }
        if let body = route.body {
            properties.append(
                TemplateEntry(
                    "RequestModel",
                    .map([
                        "Model": .string(APIModels.modelName(body, route: route)), "Required": true, "ValidateBody": true,
                    ])))
        }
        return .map(["Type": "Api", "Properties": .map(properties)])
    }

    func functionRole(_ function: Function, logGroup: String, queue: String?) -> TemplateResource {
        var statements: [TemplateValue] = [
            .map([
                "Sid": "WriteOwnLogs", "Effect": "Allow",
                "Action": .strings(GrantActions.ownLogs),
                "Resource": .getAtt(logGroup, "Arn"),
            ])
        ]
        if function.tracing {
            statements.append(
                .map([
                    // X-Ray's write actions support no resource-level permissions: AWS requires '*'.
                    "Sid": "WriteTracesXRayRequiresAllResources", "Effect": "Allow",
                    "Action": .strings(GrantActions.tracing),
                    "Resource": "*",
                ]))
        }
        if let queue {
            statements.append(
                .map([
                    "Sid": "SendFailedEventsToDeadLetterQueue", "Effect": "Allow",
                    "Action": .strings(GrantActions.deadLetterQueue), "Resource": .getAtt(queue, "Arn"),
                ]))
        }
        var keyActions: [ResourceID: Set<String>] = [:]
        if let key = function.encryption.keyID, queue != nil {
            keyActions[key, default: []].formUnion(GrantActions.deadLetterQueueKey)
        }
        for grant in function.grants {
            statements.append(contentsOf: grantStatements(grant))
            if let key = encryptionKey(of: grant.target), !grant.keyActions.isEmpty {
                keyActions[key, default: []].formUnion(grant.keyActions)
            }
        }
        for (key, actions) in keyActions.sorted(by: { $0.key < $1.key }) {
            statements.append(
                .map([
                    "Sid": .string("UseKey\(key.name)"), "Effect": "Allow",
                    "Action": .strings(actions.sorted()), "Resource": .getAtt(key.name, "Arn"),
                ]))
        }
        for (number, extra) in function.extraStatements.enumerated() {
            let resources = extra.resources.map { $0.contains("${") ? TemplateValue.sub($0) : .string($0) }
            statements.append(
                .map([
                    "Sid": .string(Self.extraStatementSid(number + 1)), "Effect": "Allow", "Action": .strings(extra.actions),
                    "Resource": resources.count == 1 ? resources[0] : .list(resources),
                ]))
        }
        var role = TemplateResource(
            function.roleLogicalID, type: "AWS::IAM::Role",
            properties: [
                TemplateEntry("Description", .string("Least-privilege role of \(function.name)")),
                TemplateEntry("AssumeRolePolicyDocument", Self.assumeRolePolicy(service: "lambda.amazonaws.com")),
                TemplateEntry(
                    "Policies",
                    [
                        .map([
                            "PolicyName": .string("\(function.name)Access"),
                            "PolicyDocument": .policyDocument(Self.numberingRepeatedSids(statements)),
                        ])
                    ]),
                TemplateEntry("Tags", tagList),
            ])
        var notes: [TemplateEntry] = []
        if function.tracing {
            notes.append(
                TemplateEntry(
                    "WildcardResources", "xray:PutTraceSegments and xray:PutTelemetryRecords accept no resource ARNs, so AWS requires Resource '*'."))
        }
        if !function.extraStatements.isEmpty {
            notes.append(
                TemplateEntry(
                    "StatementsBeyondGrants",
                    .map(
                        function.extraStatements.enumerated().map { number, extra in
                            TemplateEntry(Self.extraStatementSid(number + 1), .string(extra.justification))
                        })))
        }
        if !notes.isEmpty { role.metadata.append(TemplateEntry("Formwork", .map(notes))) }
        return role
    }

    /// The statements with every Sid unique, as IAM requires: a Sid seen before (two grants on
    /// one bucket with different prefixes) gets a number, `ReadObjectsImages2`.
    static func numberingRepeatedSids(_ statements: [TemplateValue]) -> [TemplateValue] {
        var seen: [String: Int] = [:]
        return statements.map { statement in
            guard case .map(var entries) = statement, let index = entries.firstIndex(where: { $0.key == "Sid" }),
                case .string(let sid) = entries[index].value
            else { return statement }
            seen[sid, default: 0] += 1
            if let count = seen[sid], count > 1 { entries[index].value = .string("\(sid)\(count)") }
            return .map(entries)
        }
    }

    /// The Sid of a function's `number`th statement beyond its grants, from 1: `BeyondGrants1`.
    static func extraStatementSid(_ number: Int) -> String { "BeyondGrants\(number)" }

    /// A trust policy letting one AWS service of this account assume the role.
    static func assumeRolePolicy(service: String) -> TemplateValue {
        .policyDocument([
            .map([
                "Effect": "Allow", "Principal": .map(["Service": .string(service)]), "Action": "sts:AssumeRole",
                "Condition": .map(["StringEquals": .map(["aws:SourceAccount": .ref("AWS::AccountId")])]),
            ])
        ])
    }

    func encryptionKey(of id: ResourceID) -> ResourceID? {
        switch id.kind {
        case .table: resolve(id, as: Table.self)?.encryption.keyID
        case .topic: resolve(id, as: Topic.self)?.encryption.keyID
        case .bucket: resolve(id, as: Bucket.self)?.encryption.keyID
        default: nil
        }
    }

    /// The policy statements of one grant: its actions on the target, and on each index (one
    /// for ``Grant/query(_:)``); for a bucket, on its objects (under the prefix) and on listing them.
    func grantStatements(_ grant: Grant) -> [TemplateValue] {
        let target = grant.target.name
        let sid = grant.access.rawValue.prefix(1).uppercased() + grant.access.rawValue.dropFirst() + target
        if grant.target.kind == .bucket {
            let prefix = grant.keyPrefix ?? ""
            var statements: [TemplateValue] = [
                .map([
                    "Sid": .string(sid), "Effect": "Allow", "Action": .strings(grant.actions), "Resource": .sub("${\(target).Arn}/\(prefix)*"),
                ])
            ]
            if !grant.bucketActions.isEmpty {
                var list: [TemplateEntry] = [
                    TemplateEntry("Sid", .string("\(sid)Keys")), TemplateEntry("Effect", "Allow"), TemplateEntry("Action", .strings(grant.bucketActions)),
                    TemplateEntry("Resource", .getAtt(target, "Arn")),
                ]
                if !prefix.isEmpty { list.append(TemplateEntry("Condition", .map(["StringLike": .map(["s3:prefix": .strings(["\(prefix)*"])])]))) }
                statements.append(.map(list))
            }
            return statements
        }
        if let index = grant.index {
            return [
                .map([
                    "Sid": .string(sid + index.name.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }), "Effect": "Allow",
                    "Action": .strings(grant.indexActions),
                    "Resource": .sub("${\(target).Arn}/index/\(index.name)"),
                ])
            ]
        }
        let resource: TemplateValue =
            switch grant.target.kind {
            case .table, .userPool: .getAtt(target, "Arn")
            case .topic: .ref(target)
            case .emailIdentity: .sub("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${\(target)}")
            case .parameter: .sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${\(target)}")
            default: .getAtt(target, "Arn")
            }
        var statements: [TemplateValue] = [
            .map(["Sid": .string(sid), "Effect": "Allow", "Action": .strings(grant.actions), "Resource": resource])
        ]
        if let table = resolve(grant.target, as: Table.self), !table.indexes.isEmpty, !grant.indexActions.isEmpty {
            statements.append(
                .map([
                    "Sid": .string("\(sid)Indexes"), "Effect": "Allow", "Action": .strings(grant.indexActions),
                    "Resource": .list(table.indexes.map { .sub("${\(target).Arn}/index/\($0.name)") }),
                ]))
        }
        return statements
    }
}
