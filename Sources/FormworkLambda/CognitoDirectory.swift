import FormworkRuntime
import Foundation

/// ``UserDirectoryClient`` over the Cognito Identity Provider JSON 1.1 protocol.
public struct CognitoDirectory: UserDirectoryClient {
    let transport: AWSTransport

    /// A client that sends through `transport`.
    public init(transport: AWSTransport) {
        self.transport = transport
    }

    public func adminCreateUser(
        userPoolId: String, username: String, attributes: [String: String], temporaryPassword: String?, suppressInvitation: Bool
    ) async throws -> DirectoryUser {
        var input: [String: Any] = ["UserPoolId": userPoolId, "Username": username, "UserAttributes": Self.attributeList(attributes)]
        input["TemporaryPassword"] = temporaryPassword
        if suppressInvitation { input["MessageAction"] = "SUPPRESS" } else { input["DesiredDeliveryMediums"] = ["EMAIL"] }
        let output = try await call("AdminCreateUser", input)
        return try Self.user(output["User"] as? [String: Any] ?? [:], username: username)
    }

    public func adminGetUser(userPoolId: String, username: String) async throws -> DirectoryUser {
        var output = try await call("AdminGetUser", ["UserPoolId": userPoolId, "Username": username])
        output["Attributes"] = output["UserAttributes"]
        return try Self.user(output, username: username)
    }

    public func adminUpdateUserAttributes(userPoolId: String, username: String, attributes: [String: String]) async throws {
        _ = try await call("AdminUpdateUserAttributes", ["UserPoolId": userPoolId, "Username": username, "UserAttributes": Self.attributeList(attributes)])
    }

    public func adminAddUserToGroup(userPoolId: String, username: String, groupName: String) async throws {
        _ = try await call("AdminAddUserToGroup", ["UserPoolId": userPoolId, "Username": username, "GroupName": groupName])
    }

    public func adminRemoveUserFromGroup(userPoolId: String, username: String, groupName: String) async throws {
        _ = try await call("AdminRemoveUserFromGroup", ["UserPoolId": userPoolId, "Username": username, "GroupName": groupName])
    }

    public func adminListGroupsForUser(userPoolId: String, username: String) async throws -> [String] {
        var groups: [String] = []
        var token: String?
        repeat {
            var input: [String: Any] = ["UserPoolId": userPoolId, "Username": username, "Limit": 60]
            input["NextToken"] = token
            let output = try await call("AdminListGroupsForUser", input)
            groups += (output["Groups"] as? [[String: Any]] ?? []).compactMap { $0["GroupName"] as? String }
            token = output["NextToken"] as? String
        } while token != nil
        return groups
    }

    public func adminDisableUser(userPoolId: String, username: String) async throws {
        _ = try await call("AdminDisableUser", ["UserPoolId": userPoolId, "Username": username])
    }

    public func adminEnableUser(userPoolId: String, username: String) async throws {
        _ = try await call("AdminEnableUser", ["UserPoolId": userPoolId, "Username": username])
    }

    public func listUsers(userPoolId: String, filter: String?, limit: Int?, paginationToken: String?) async throws -> UserPage {
        var input: [String: Any] = ["UserPoolId": userPoolId]
        input["Filter"] = filter
        input["Limit"] = limit
        input["PaginationToken"] = paginationToken
        let output = try await call("ListUsers", input)
        let users = try (output["Users"] as? [[String: Any]] ?? []).map { try Self.user($0, username: nil) }
        return UserPage(users: users, paginationToken: output["PaginationToken"] as? String)
    }

    // MARK: - Wire

    private func call(_ operation: String, _ input: [String: Any]) async throws -> [String: Any] {
        do {
            let answer = try await transport.send(
                .cognitoIdentityProvider,
                headers: [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "AWSCognitoIdentityProviderService.\(operation)")],
                body: WireJSON.data(input), errorCode: { $0.jsonError })
            return WireJSON.object(answer.body)
        } catch let error as AWSErrorAnswer {
            throw DirectoryError(awsErrorCode: error.code, message: error.message)
        }
    }

    static func attributeList(_ attributes: [String: String]) -> [[String: String]] {
        attributes.keys.sorted().map { ["Name": $0, "Value": attributes[$0] ?? ""] }
    }

    /// A user of `AdminCreateUser`, `AdminGetUser` (attributes renamed) or `ListUsers`.
    static func user(_ object: [String: Any], username: String?) throws -> DirectoryUser {
        var attributes: [String: String] = [:]
        for attribute in object["Attributes"] as? [[String: Any]] ?? [] {
            if let name = attribute["Name"] as? String { attributes[name] = attribute["Value"] as? String ?? "" }
        }
        guard let name = (object["Username"] as? String) ?? username else {
            throw DirectoryError.other(code: "InvalidResponse", message: "Cognito answered a user without a Username.")
        }
        let statusText = object["UserStatus"] as? String ?? ""
        guard let status = UserStatus(rawValue: statusText) else {
            throw DirectoryError.other(code: "InvalidResponse", message: "Cognito answered the unknown user status '\(statusText)'.")
        }
        func date(_ key: String) -> Date? { (object[key] as? Double).map(Date.init(timeIntervalSince1970:)) }
        return DirectoryUser(
            username: name, sub: attributes["sub"] ?? "", attributes: attributes, enabled: object["Enabled"] as? Bool ?? true, status: status,
            createdAt: date("UserCreateDate") ?? Date(timeIntervalSince1970: 0), lastModifiedAt: date("UserLastModifiedDate"))
    }
}
