import Formwork
import FormworkRuntime
import Foundation

/// The Cognito Identity Provider JSON 1.1 protocol over the identity service:
/// `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`, bodies and errors as
/// Cognito sends them.
struct CognitoProtocol: JSONProtocolService {
    static let targetPrefix = "AWSCognitoIdentityProviderService."
    var targetPrefix: String { Self.targetPrefix }
    var contentType: String { "application/x-amz-json-1.1" }

    let identity: IdentityService

    /// Operations that need no AWS credentials: the ones a signed-out app calls.
    static let publicOperations: Set<String> = [
        "SignUp", "ConfirmSignUp", "InitiateAuth", "RespondToAuthChallenge", "GetUser", "ChangePassword", "ForgotPassword",
        "ConfirmForgotPassword", "GlobalSignOut", "ResendConfirmationCode", "RevokeToken",
    ]

    func handle(operation: String, body: Data, signed: Bool) async -> WireAnswer {
        guard let input = (try? JSONSerialization.jsonObject(with: body.isEmpty ? Data("{}".utf8) : body)) as? [String: Any] else {
            return .error(type: "SerializationException", message: "Unable to parse the request body as JSON.")
        }
        if !signed && !Self.publicOperations.contains(operation) {
            return .error(type: "MissingAuthenticationTokenException", message: "Missing Authentication Token")
        }
        do {
            for pool in identity.pools { _ = try pool.signingKey() }
            return WireAnswer(status: 200, body: JSONBody.data(try perform(operation, Request(input))))
        } catch let error as DirectoryError {
            return .error(type: error.awsErrorCode, message: error.message)
        } catch {
            return .error(status: 500, type: "InternalErrorException", message: "\(error)")
        }
    }

    private func perform(_ operation: String, _ request: Request) throws -> [String: Any] {
        switch operation {
        case "ListUserPools":
            _ = try request.int("MaxResults", required: true)
            return ["UserPools": identity.pools.map { ["Id": $0.poolId, "Name": $0.pool.poolName ?? $0.pool.name, "CreationDate": 0, "LastModifiedDate": 0] }]
        case "DescribeUserPool":
            return ["UserPool": describe(try pool(request))]
        case "ListUserPoolClients":
            let pool = try pool(request)
            return ["UserPoolClients": [["ClientId": pool.clientId, "UserPoolId": pool.poolId, "ClientName": "\(pool.pool.name)Client"]]]
        case "DescribeUserPoolClient":
            let pool = try pool(request)
            try pool.checkClient(try request.string("ClientId"))
            return ["UserPoolClient": describeClient(pool)]
        case "ListGroups":
            let pool = try pool(request)
            return ["Groups": pool.pool.groups.map { group(pool, $0) }]
        case "SignUp":
            let pool = try identity.pool(forClient: try request.string("ClientId"))
            return try pool.signUp(
                clientId: pool.clientId, username: try request.string("Username"), password: try request.string("Password"),
                attributes: try request.attributes("UserAttributes"))
        case "ConfirmSignUp":
            let pool = try identity.pool(forClient: try request.string("ClientId"))
            try pool.confirmSignUp(clientId: pool.clientId, username: try request.string("Username"), code: try request.string("ConfirmationCode"))
            return [:]
        case "InitiateAuth", "AdminInitiateAuth":
            let admin = operation == "AdminInitiateAuth"
            let pool = admin ? try self.pool(request) : try identity.pool(forClient: try request.string("ClientId"))
            let outcome = try pool.initiateAuth(
                clientId: try request.string("ClientId"), flow: try request.string("AuthFlow"), parameters: request.strings("AuthParameters"),
                admin: admin)
            return Self.answer(outcome)
        case "RespondToAuthChallenge", "AdminRespondToAuthChallenge":
            let admin = operation == "AdminRespondToAuthChallenge"
            let pool = admin ? try self.pool(request) : try identity.pool(forClient: try request.string("ClientId"))
            let result = try pool.respondToChallenge(
                clientId: try request.string("ClientId"), name: try request.string("ChallengeName"), session: request.optionalString("Session"),
                responses: request.strings("ChallengeResponses"))
            return ["AuthenticationResult": result, "ChallengeParameters": [String: String]()]
        case "GetUser":
            let token = try request.string("AccessToken")
            let user = try identity.pool(forAccessToken: token).getUser(accessToken: token)
            return ["Username": user.username, "UserAttributes": Self.attributes(user)]
        case "ChangePassword":
            let token = try request.string("AccessToken")
            try identity.pool(forAccessToken: token).changePassword(
                accessToken: token, previous: try request.string("PreviousPassword"), proposed: try request.string("ProposedPassword"))
            return [:]
        case "GlobalSignOut":
            let token = try request.string("AccessToken")
            try identity.pool(forAccessToken: token).globalSignOut(accessToken: token)
            return [:]
        case "ForgotPassword":
            let pool = try identity.pool(forClient: try request.string("ClientId"))
            return ["CodeDeliveryDetails": try pool.forgotPassword(clientId: pool.clientId, username: try request.string("Username"))]
        case "ConfirmForgotPassword":
            let pool = try identity.pool(forClient: try request.string("ClientId"))
            try pool.confirmForgotPassword(
                clientId: pool.clientId, username: try request.string("Username"), code: try request.string("ConfirmationCode"),
                password: try request.string("Password"))
            return [:]
        case "AdminCreateUser":
            let pool = try pool(request)
            if let delivery = request.input["DesiredDeliveryMediums"] as? [String], delivery.contains("SMS") {
                throw DirectoryError.invalidParameter("SMS delivery is not configured for this user pool.")
            }
            let user = try pool.adminCreateUser(
                username: try request.string("Username"), attributes: try request.attributes("UserAttributes"),
                temporaryPassword: request.optionalString("TemporaryPassword"), messageAction: request.optionalString("MessageAction"))
            return ["User": Self.userType(user, attributesKey: "Attributes")]
        case "AdminSetUserPassword":
            try pool(request).adminSetUserPassword(
                username: try request.string("Username"), password: try request.string("Password"),
                permanent: request.input["Permanent"] as? Bool ?? false)
            return [:]
        case "AdminGetUser":
            var answer = Self.userType(try pool(request).user(try request.string("Username")), attributesKey: "UserAttributes")
            answer["MFAOptions"] = nil
            return answer
        case "AdminUpdateUserAttributes":
            try pool(request).adminUpdateUserAttributes(username: try request.string("Username"), attributes: try request.attributes("UserAttributes"))
            return [:]
        case "AdminDeleteUserAttributes":
            try pool(request).adminDeleteUserAttributes(
                username: try request.string("Username"), names: request.input["UserAttributeNames"] as? [String] ?? [])
            return [:]
        case "AdminAddUserToGroup", "AdminRemoveUserFromGroup":
            try pool(request).adminSetMembership(
                username: try request.string("Username"), group: try request.string("GroupName"), member: operation == "AdminAddUserToGroup")
            return [:]
        case "AdminListGroupsForUser":
            let pool = try pool(request)
            let user = try pool.user(try request.string("Username"))
            return ["Groups": try user.groups.map { group(pool, try pool.group($0)) }]
        case "AdminDisableUser", "AdminEnableUser":
            try pool(request).adminSetEnabled(username: try request.string("Username"), enabled: operation == "AdminEnableUser")
            return [:]
        case "AdminDeleteUser":
            try pool(request).adminDeleteUser(username: try request.string("Username"))
            return [:]
        case "AdminUserGlobalSignOut":
            let pool = try pool(request)
            try pool.writer.write { db in try pool.revokeTokens(db, of: try pool.existing(db, try request.string("Username"))) }
            return [:]
        case "ListUsers":
            let page = try pool(request).listUsers(
                filter: request.optionalString("Filter"), limit: try request.int("Limit"), paginationToken: request.optionalString("PaginationToken"))
            var answer: [String: Any] = ["Users": page.users.map { Self.userType($0, attributesKey: "Attributes") }]
            answer["PaginationToken"] = page.next
            return answer
        case "ListUsersInGroup":
            let page = try pool(request).listUsersInGroup(
                group: try request.string("GroupName"), limit: try request.int("Limit"), nextToken: request.optionalString("NextToken"))
            var answer: [String: Any] = ["Users": page.users.map { Self.userType($0, attributesKey: "Attributes") }]
            answer["NextToken"] = page.next
            return answer
        default:
            throw DirectoryError.other(code: "UnknownOperationException", message: "Unknown operation \(operation)")
        }
    }

    private func pool(_ request: Request) throws -> UserPoolEngine {
        try identity.pool(id: try request.string("UserPoolId"))
    }

    private static func answer(_ outcome: UserPoolEngine.AuthOutcome) -> [String: Any] {
        switch outcome {
        case .authenticated(let result):
            return ["AuthenticationResult": result, "ChallengeParameters": [String: String]()]
        case .challenge(let name, let session, let parameters):
            return ["ChallengeName": name, "Session": session, "ChallengeParameters": parameters]
        }
    }

    static func attributes(_ user: PoolUser) -> [[String: String]] {
        user.attributes.sorted { $0.key < $1.key }.map { ["Name": $0.key, "Value": $0.value] }
    }

    static func userType(_ user: PoolUser, attributesKey: String) -> [String: Any] {
        [
            "Username": user.username, attributesKey: attributes(user), "Enabled": user.enabled, "UserStatus": user.status.rawValue,
            "UserCreateDate": user.createdAt.timeIntervalSince1970, "UserLastModifiedDate": user.modifiedAt.timeIntervalSince1970,
        ]
    }

    private func group(_ pool: UserPoolEngine, _ group: UserGroup) -> [String: Any] {
        var answer: [String: Any] = ["GroupName": group.name, "UserPoolId": pool.poolId, "CreationDate": 0, "LastModifiedDate": 0]
        if !group.summary.isEmpty { answer["Description"] = group.summary }
        if let precedence = group.precedence { answer["Precedence"] = precedence }
        return answer
    }

    private func describe(_ engine: UserPoolEngine) -> [String: Any] {
        let pool = engine.pool, policy = pool.passwordPolicy
        return [
            "Id": engine.poolId, "Name": pool.poolName ?? pool.name, "Arn": engine.arn, "Status": "Enabled",
            "Policies": [
                "PasswordPolicy": [
                    "MinimumLength": policy.minimumLength, "RequireUppercase": policy.requireUppercase,
                    "RequireLowercase": policy.requireLowercase, "RequireNumbers": policy.requireNumbers,
                    "RequireSymbols": policy.requireSymbols, "TemporaryPasswordValidityDays": policy.temporaryPasswordValidity.days,
                ]
            ],
            "UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"], "UsernameConfiguration": ["CaseSensitive": false],
            "AdminCreateUserConfig": [
                "AllowAdminCreateUserOnly": pool.adminCreateOnly,
                "InviteMessageTemplate": ["EmailSubject": pool.invitation.subject, "EmailMessage": pool.invitation.message],
            ],
            "MfaConfiguration": pool.mfa.rawValue, "DeletionProtection": pool.deletionProtection ? "ACTIVE" : "INACTIVE",
            "EstimatedNumberOfUsers": (try? engine.userCount()) ?? 0, "CreationDate": 0, "LastModifiedDate": 0,
            "SchemaAttributes": [
                ["Name": "sub", "AttributeDataType": "String", "Mutable": false, "Required": true, "DeveloperOnlyAttribute": false],
                ["Name": "email", "AttributeDataType": "String", "Mutable": true, "Required": true, "DeveloperOnlyAttribute": false],
                ["Name": "name", "AttributeDataType": "String", "Mutable": true, "Required": false, "DeveloperOnlyAttribute": false],
            ],
        ]
    }

    private func describeClient(_ engine: UserPoolEngine) -> [String: Any] {
        let client = engine.pool.client
        return [
            "ClientId": engine.clientId, "UserPoolId": engine.poolId, "ClientName": "\(engine.pool.name)Client",
            "ExplicitAuthFlows": client.explicitAuthFlows, "PreventUserExistenceErrors": "ENABLED", "EnableTokenRevocation": true,
            "IdTokenValidity": client.idTokenValidity.minutes, "AccessTokenValidity": client.accessTokenValidity.minutes,
            "RefreshTokenValidity": client.refreshTokenValidity.minutes,
            "TokenValidityUnits": ["IdToken": "minutes", "AccessToken": "minutes", "RefreshToken": "minutes"],
            "CreationDate": 0, "LastModifiedDate": 0,
        ]
    }

    /// A request body, with Cognito's validation messages for missing or mistyped members.
    struct Request {
        let input: [String: Any]

        init(_ input: [String: Any]) { self.input = input }

        private static func member(_ name: String) -> String { name.prefix(1).lowercased() + name.dropFirst() }

        func string(_ name: String) throws -> String {
            guard let value = input[name] as? String else {
                throw DirectoryError.invalidParameter(
                    "1 validation error detected: Value null at '\(Self.member(name))' failed to satisfy constraint: Member must not be null")
            }
            return value
        }

        func optionalString(_ name: String) -> String? { input[name] as? String }

        func int(_ name: String, required: Bool = false) throws -> Int? {
            if let value = input[name] as? Int { return value }
            if required {
                throw DirectoryError.invalidParameter(
                    "1 validation error detected: Value null at '\(Self.member(name))' failed to satisfy constraint: Member must not be null")
            }
            return nil
        }

        func strings(_ name: String) -> [String: String] {
            (input[name] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
        }

        /// `[{Name, Value}]` lists.
        func attributes(_ name: String) throws -> [String: String] {
            var attributes: [String: String] = [:]
            for entry in input[name] as? [[String: Any]] ?? [] {
                guard let key = entry["Name"] as? String else { throw DirectoryError.invalidParameter("Attribute name is required.") }
                attributes[key] = entry["Value"] as? String ?? ""
            }
            return attributes
        }
    }
}
