import Formwork
import FormworkRuntime
import FormworkSimulator
import Foundation
import Testing

@Suite("Identity: a Cognito user pool per UserPool, wire-compatible")
struct IdentityServiceTests {
    @Test("admin-created user: invitation in the outbox, new-password challenge, tokens with Cognito's claims")
    func invitationAndChallenge() async throws {
        try await withHost { host in
            let username = try await host.invite("ann@example.com", groups: ["Admin", "TeamMember"])
            #expect(UUID(uuidString: username) != nil, "with e-mail as username, Cognito's Username is a UUID")
            let mail = try host.mail(to: "ann@example.com")
            #expect(mail.count == 1)
            #expect(mail.first?.subject == "You are invited to Task Management")
            #expect(mail.first?.body.contains("Sign in as ann@example.com with the temporary password Temporary-Pass1!") == true)

            let first = try await host.signIn("ANN@example.com", "Temporary-Pass1!")
            #expect(first.json["ChallengeName"] as? String == "NEW_PASSWORD_REQUIRED")
            let parameters = first.json["ChallengeParameters"] as? [String: String]
            #expect(parameters?["USER_ID_FOR_SRP"] == username)

            let weak = try await host.call(
                "RespondToAuthChallenge",
                [
                    "ClientId": host.clientId, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": first.json["Session"] as? String ?? "",
                    "ChallengeResponses": ["USERNAME": "ann@example.com", "NEW_PASSWORD": "short"],
                ])
            #expect(weak.errorType == "InvalidPasswordException")

            let tokens = try await host.signedIn("bob@example.com", groups: ["TeamMember"])
            let jwks = try await host.get("/\(host.poolId)/.well-known/jwks.json").json
            let id = try #require(try verifiedClaims(tokens["IdToken"] as? String ?? "", jwks: jwks))
            let access = try #require(try verifiedClaims(tokens["AccessToken"] as? String ?? "", jwks: jwks))
            let issuer = "\(host.simulator.endpoint)/\(host.poolId)"
            #expect(id["iss"] as? String == issuer && access["iss"] as? String == issuer)
            #expect(id["aud"] as? String == host.clientId && access["client_id"] as? String == host.clientId)
            #expect(id["token_use"] as? String == "id" && access["token_use"] as? String == "access")
            #expect(id["email"] as? String == "bob@example.com")
            #expect(id["email_verified"] as? Bool == false)
            #expect(id["cognito:groups"] as? [String] == ["TeamMember"])
            #expect(id["cognito:username"] as? String == id["sub"] as? String)
            #expect(id["iat"] as? Int == Int(simulatorStart.timeIntervalSince1970))
            #expect(id["exp"] as? Int == Int(simulatorStart.timeIntervalSince1970) + 3600)
            #expect(id["auth_time"] as? Int == id["iat"] as? Int)
            #expect(access["scope"] as? String == "aws.cognito.signin.user.admin")
            #expect(id["origin_jti"] as? String == access["origin_jti"] as? String)
            #expect(id["jti"] as? String != access["jti"] as? String)
            #expect(tokens["ExpiresIn"] as? Int == 3600 && tokens["TokenType"] as? String == "Bearer")
            let forged = withForgedSignature(tokens["IdToken"] as? String ?? "")
            #expect(try verifiedClaims(forged, jwks: jwks) == nil, "a signature with one byte changed does not verify")
        }
    }

    @Test("refresh, sign-out revokes refresh and access tokens, access tokens expire on the clock")
    func refreshAndSignOut() async throws {
        try await withHost { host in
            let tokens = try await host.signedIn("cy@example.com")
            let refresh = tokens["RefreshToken"] as? String ?? ""
            let access = tokens["AccessToken"] as? String ?? ""
            let refreshed = try await host.call(
                "InitiateAuth", ["ClientId": host.clientId, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": ["REFRESH_TOKEN": refresh]])
            let result = refreshed.json["AuthenticationResult"] as? [String: Any]
            #expect(result?["IdToken"] != nil && result?["RefreshToken"] == nil)
            #expect(try await host.call("GetUser", ["AccessToken": access], signed: false).status == 200)

            try await host.simulator.advanceClock(by: 3601)
            let expired = try await host.call("GetUser", ["AccessToken": access], signed: false)
            #expect(expired.errorType == "NotAuthorizedException" && expired.message == "Access Token has expired")
            let again = try await host.call(
                "InitiateAuth", ["ClientId": host.clientId, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": ["REFRESH_TOKEN": refresh]])
            let fresh = (again.json["AuthenticationResult"] as? [String: Any])?["AccessToken"] as? String ?? ""
            #expect(try await host.call("GlobalSignOut", ["AccessToken": fresh], signed: false).status == 200)
            let revoked = try await host.call("GetUser", ["AccessToken": fresh], signed: false)
            #expect(revoked.message == "Access Token has been revoked")
            let refused = try await host.call(
                "InitiateAuth", ["ClientId": host.clientId, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": ["REFRESH_TOKEN": refresh]])
            #expect(refused.errorType == "NotAuthorizedException" && refused.message == "Refresh Token has been revoked")
            let garbage = try await host.call("GetUser", ["AccessToken": "not.a.token"], signed: false)
            #expect(garbage.errorType == "NotAuthorizedException")
        }
    }

    @Test("errors as Cognito sends them")
    func errors() async throws {
        try await withHost { host in
            try await host.signedIn("dee@example.com")
            let wrong = try await host.signIn("dee@example.com", "Wrong-Password1!")
            #expect(wrong.status == 400 && wrong.errorType == "NotAuthorizedException" && wrong.message == "Incorrect username or password.")
            let unknown = try await host.signIn("nobody@example.com", "Wrong-Password1!")
            #expect(unknown.errorType == "NotAuthorizedException", "PreventUserExistenceErrors hides unknown users")

            try await host.call("AdminDisableUser", ["UserPoolId": host.poolId, "Username": "dee@example.com"])
            let disabled = try await host.signIn("dee@example.com", "Permanent-Pass1!")
            #expect(disabled.errorType == "NotAuthorizedException" && disabled.message == "User is disabled.")
            try await host.call("AdminEnableUser", ["UserPoolId": host.poolId, "Username": "dee@example.com"])
            #expect(try await host.signIn("dee@example.com", "Permanent-Pass1!").status == 200)

            let policy: [(String, String)] = [
                ("Aa1!aaaa", "Password not long enough"), ("aaaaaaaaaaa1!", "Password must have uppercase characters"),
                ("AAAAAAAAAAA1!", "Password must have lowercase characters"), ("Aaaaaaaaaaaa!", "Password must have numeric characters"),
                ("Aaaaaaaaaaaa1", "Password must have symbol characters"),
            ]
            for (password, problem) in policy {
                let answer = try await host.call(
                    "AdminSetUserPassword", ["UserPoolId": host.poolId, "Username": "dee@example.com", "Password": password, "Permanent": true])
                #expect(answer.errorType == "InvalidPasswordException")
                #expect(answer.message == "Password did not conform with policy: \(problem)")
            }
            let signUp = try await host.call(
                "SignUp", ["ClientId": host.clientId, "Username": "eve@example.com", "Password": "Permanent-Pass1!"], signed: false)
            #expect(signUp.errorType == "NotAuthorizedException" && signUp.message == "SignUp is not permitted for this user pool")
            let duplicate = try await host.call("AdminCreateUser", ["UserPoolId": host.poolId, "Username": "DEE@example.com"])
            #expect(duplicate.errorType == "UsernameExistsException")
            let notEmail = try await host.call("AdminCreateUser", ["UserPoolId": host.poolId, "Username": "dee"])
            #expect(notEmail.errorType == "InvalidParameterException")
            let missing = try await host.call("AdminGetUser", ["UserPoolId": host.poolId, "Username": "ghost@example.com"])
            #expect(missing.errorType == "UserNotFoundException" && missing.message == "User does not exist.")
            let noPool = try await host.call("AdminGetUser", ["UserPoolId": "us-east-1_nope", "Username": "dee@example.com"])
            #expect(noPool.errorType == "ResourceNotFoundException")
            let noGroup = try await host.call(
                "AdminAddUserToGroup", ["UserPoolId": host.poolId, "Username": "dee@example.com", "GroupName": "Owners"])
            #expect(noGroup.errorType == "ResourceNotFoundException")
            let unknownAttribute = try await host.call(
                "AdminUpdateUserAttributes",
                ["UserPoolId": host.poolId, "Username": "dee@example.com", "UserAttributes": [["Name": "custom:team", "Value": "x"]]])
            #expect(unknownAttribute.errorType == "InvalidParameterException")
            let sub = try await host.call(
                "AdminUpdateUserAttributes", ["UserPoolId": host.poolId, "Username": "dee@example.com", "UserAttributes": [["Name": "sub", "Value": "x"]]])
            #expect(sub.errorType == "InvalidParameterException")
            let adminFlow = try await host.call(
                "AdminInitiateAuth",
                [
                    "UserPoolId": host.poolId, "ClientId": host.clientId, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                    "AuthParameters": ["USERNAME": "dee@example.com", "PASSWORD": "Permanent-Pass1!"],
                ])
            #expect(adminFlow.errorType == "InvalidParameterException", "the blueprint's client does not allow ADMIN_USER_PASSWORD_AUTH")
            let badClient = try await host.call(
                "InitiateAuth", ["ClientId": "nope", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": [:]], signed: false)
            #expect(badClient.errorType == "ResourceNotFoundException")
            let missingMember = try await host.call("AdminGetUser", ["UserPoolId": host.poolId])
            #expect(missingMember.errorType == "InvalidParameterException" && missingMember.message?.contains("'username'") == true)
        }
    }

    @Test("AdminInitiateAuth refreshes; AdminRespondToAuthChallenge answers the new-password challenge")
    func adminFlows() async throws {
        try await withHost { host in
            try await host.invite("gil@example.com")
            let challenge = try await host.signIn("gil@example.com", "Temporary-Pass1!")
            let answered = try await host.call(
                "AdminRespondToAuthChallenge",
                [
                    "UserPoolId": host.poolId, "ClientId": host.clientId, "ChallengeName": "NEW_PASSWORD_REQUIRED",
                    "Session": challenge.json["Session"] as? String ?? "",
                    "ChallengeResponses": ["USERNAME": "gil@example.com", "NEW_PASSWORD": "Permanent-Pass1!"],
                ])
            let refresh = (answered.json["AuthenticationResult"] as? [String: Any])?["RefreshToken"] as? String
            #expect(refresh != nil)
            let refreshed = try await host.call(
                "AdminInitiateAuth",
                [
                    "UserPoolId": host.poolId, "ClientId": host.clientId, "AuthFlow": "REFRESH_TOKEN_AUTH",
                    "AuthParameters": ["REFRESH_TOKEN": refresh ?? ""],
                ])
            #expect((refreshed.json["AuthenticationResult"] as? [String: Any])?["AccessToken"] != nil)
            let reused = try await host.call(
                "RespondToAuthChallenge",
                [
                    "ClientId": host.clientId, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": challenge.json["Session"] as? String ?? "",
                    "ChallengeResponses": ["USERNAME": "gil@example.com", "NEW_PASSWORD": "Another-Pass1!"],
                ], signed: false)
            #expect(reused.errorType == "NotAuthorizedException", "a session answers one challenge")
        }
    }

    @Test("forgotten password: code in the outbox, wrong and expired codes, change password")
    func forgottenPassword() async throws {
        try await withHost { host in
            let tokens = try await host.signedIn("fay@example.com")
            let unverified = try await host.call("ForgotPassword", ["ClientId": host.clientId, "Username": "fay@example.com"], signed: false)
            #expect(unverified.errorType == "InvalidParameterException", "recovery needs a verified e-mail")
            try await host.call(
                "AdminUpdateUserAttributes",
                ["UserPoolId": host.poolId, "Username": "fay@example.com", "UserAttributes": [["Name": "email_verified", "Value": "true"]]])
            let sent = try await host.call("ForgotPassword", ["ClientId": host.clientId, "Username": "fay@example.com"], signed: false)
            let delivery = sent.json["CodeDeliveryDetails"] as? [String: String]
            #expect(delivery?["Destination"] == "f***@e***" && delivery?["DeliveryMedium"] == "EMAIL")
            let code = try #require(try host.mail(to: "fay@example.com").last?.body.split(separator: " ").last.map { String($0.dropLast()) })
            let mismatch = try await host.call(
                "ConfirmForgotPassword",
                [
                    "ClientId": host.clientId, "Username": "fay@example.com", "ConfirmationCode": "000000" == code ? "111111" : "000000",
                    "Password": "Another-Pass1!",
                ],
                signed: false)
            #expect(mismatch.errorType == "CodeMismatchException")
            try await host.simulator.advanceClock(by: 3601)
            let expired = try await host.call(
                "ConfirmForgotPassword", ["ClientId": host.clientId, "Username": "fay@example.com", "ConfirmationCode": code, "Password": "Another-Pass1!"],
                signed: false)
            #expect(expired.errorType == "ExpiredCodeException")

            try await host.call("ForgotPassword", ["ClientId": host.clientId, "Username": "fay@example.com"], signed: false)
            let second = try #require(try host.mail(to: "fay@example.com").last?.body.split(separator: " ").last.map { String($0.dropLast()) })
            let confirmed = try await host.call(
                "ConfirmForgotPassword",
                ["ClientId": host.clientId, "Username": "fay@example.com", "ConfirmationCode": second, "Password": "Another-Pass1!"], signed: false)
            #expect(confirmed.status == 200)
            #expect(try await host.signIn("fay@example.com", "Another-Pass1!").status == 200)

            let fresh = try await host.signIn("fay@example.com", "Another-Pass1!")
            let access = (fresh.json["AuthenticationResult"] as? [String: Any])?["AccessToken"] as? String ?? ""
            let wrongPrevious = try await host.call(
                "ChangePassword", ["AccessToken": access, "PreviousPassword": "nope", "ProposedPassword": "Third-Pass1!x"], signed: false)
            #expect(wrongPrevious.errorType == "NotAuthorizedException")
            let changed = try await host.call(
                "ChangePassword", ["AccessToken": access, "PreviousPassword": "Another-Pass1!", "ProposedPassword": "Third-Pass1!x"], signed: false)
            #expect(changed.status == 200)
            #expect(try await host.signIn("fay@example.com", "Third-Pass1!x").status == 200)
            _ = tokens
        }
    }

    @Test("self sign-up and confirmation where the pool allows it")
    func signUpAndConfirm() async throws {
        try await withHost(architecture: selfSignUpArchitecture()) { host in
            let signUp = try await host.call(
                "SignUp",
                ["ClientId": host.clientId, "Username": "gus@example.com", "Password": "lowercase1", "UserAttributes": [["Name": "name", "Value": "Gus"]]],
                signed: false)
            #expect(signUp.json["UserConfirmed"] as? Bool == false)
            let early = try await host.signIn("gus@example.com", "lowercase1")
            #expect(early.errorType == "UserNotConfirmedException")
            let code = try #require(try host.mail(to: "gus@example.com").last?.body.split(separator: " ").last.map { String($0.dropLast()) })
            let confirmed = try await host.call(
                "ConfirmSignUp", ["ClientId": host.clientId, "Username": "gus@example.com", "ConfirmationCode": code], signed: false)
            #expect(confirmed.status == 200)
            let signedIn = try await host.signIn("gus@example.com", "lowercase1")
            #expect(signedIn.json["AuthenticationResult"] != nil)
            let taken = try await host.call(
                "SignUp", ["ClientId": host.clientId, "Username": "gus@example.com", "Password": "lowercase1"], signed: false)
            #expect(taken.errorType == "UsernameExistsException")
        }
    }

    @Test("listing and administration: filters, pages, groups, descriptions, deletion")
    func administration() async throws {
        try await withHost { host in
            for index in 0..<5 { try await host.invite("user\(index)@example.com", groups: index.isMultiple(of: 2) ? ["TeamMember"] : []) }
            try await host.invite("admin@example.com", groups: ["Admin", "TeamMember"])
            let filtered = try await host.call("ListUsers", ["UserPoolId": host.poolId, "Filter": "email = \"USER3@example.com\""])
            #expect((filtered.json["Users"] as? [[String: Any]])?.count == 1)
            let prefixed = try await host.call("ListUsers", ["UserPoolId": host.poolId, "Filter": "email ^= \"user\""])
            #expect((prefixed.json["Users"] as? [[String: Any]])?.count == 5)
            let unfiltered = try await host.call("ListUsers", ["UserPoolId": host.poolId, "Filter": ""])
            #expect((unfiltered.json["Users"] as? [[String: Any]])?.count == 6, "an empty filter lists every user")
            let badFilter = try await host.call("ListUsers", ["UserPoolId": host.poolId, "Filter": "email == user"])
            #expect(badFilter.errorType == "InvalidParameterException")

            var seen: [String] = []
            var token: String?
            repeat {
                var input: [String: Any] = ["UserPoolId": host.poolId, "Limit": 4]
                input["PaginationToken"] = token
                let page = try await host.call("ListUsers", input)
                seen += (page.json["Users"] as? [[String: Any]] ?? []).compactMap { $0["Username"] as? String }
                token = page.json["PaginationToken"] as? String
            } while token != nil
            #expect(seen.count == 6 && Set(seen).count == 6)

            let members = try await host.call("ListUsersInGroup", ["UserPoolId": host.poolId, "GroupName": "TeamMember"])
            #expect((members.json["Users"] as? [[String: Any]])?.count == 4)
            let groups = try await host.call("AdminListGroupsForUser", ["UserPoolId": host.poolId, "Username": "admin@example.com"])
            #expect((groups.json["Groups"] as? [[String: Any]])?.compactMap { $0["GroupName"] as? String } == ["Admin", "TeamMember"])
            try await host.call("AdminRemoveUserFromGroup", ["UserPoolId": host.poolId, "Username": "admin@example.com", "GroupName": "TeamMember"])
            let after = try await host.call("AdminListGroupsForUser", ["UserPoolId": host.poolId, "Username": "admin@example.com"])
            #expect((after.json["Groups"] as? [[String: Any]])?.count == 1)

            let allGroups = try await host.call("ListGroups", ["UserPoolId": host.poolId])
            #expect((allGroups.json["Groups"] as? [[String: Any]])?.compactMap { $0["Precedence"] as? Int } == [1, 10])
            let pools = try await host.call("ListUserPools", ["MaxResults": 10])
            #expect((pools.json["UserPools"] as? [[String: Any]])?.first?["Name"] as? String == "taskmgmt-dev-users")
            let described = try await host.call("DescribeUserPool", ["UserPoolId": host.poolId])
            let pool = described.json["UserPool"] as? [String: Any]
            #expect((pool?["AdminCreateUserConfig"] as? [String: Any])?["AllowAdminCreateUserOnly"] as? Bool == true)
            #expect(pool?["EstimatedNumberOfUsers"] as? Int == 6)
            let clients = try await host.call("ListUserPoolClients", ["UserPoolId": host.poolId])
            #expect((clients.json["UserPoolClients"] as? [[String: Any]])?.first?["ClientId"] as? String == host.clientId)
            let client = try await host.call("DescribeUserPoolClient", ["UserPoolId": host.poolId, "ClientId": host.clientId])
            #expect((client.json["UserPoolClient"] as? [String: Any])?["ExplicitAuthFlows"] as? [String] == AppClient().explicitAuthFlows)

            try await host.call(
                "AdminUpdateUserAttributes",
                ["UserPoolId": host.poolId, "Username": "user1@example.com", "UserAttributes": [["Name": "name", "Value": "User One"]]])
            let got = try await host.call("AdminGetUser", ["UserPoolId": host.poolId, "Username": "user1@example.com"])
            let attributes = (got.json["UserAttributes"] as? [[String: String]] ?? []).reduce(into: [String: String]()) { $0[$1["Name"] ?? ""] = $1["Value"] }
            #expect(attributes["name"] == "User One" && got.json["UserStatus"] as? String == "FORCE_CHANGE_PASSWORD")
            try await host.call(
                "AdminSetUserPassword", ["UserPoolId": host.poolId, "Username": "user1@example.com", "Password": "Permanent-Pass1!", "Permanent": true])
            #expect(try await host.signIn("user1@example.com", "Permanent-Pass1!").json["AuthenticationResult"] != nil)
            try await host.call("AdminDeleteUser", ["UserPoolId": host.poolId, "Username": "user1@example.com"])
            #expect(try await host.call("AdminGetUser", ["UserPoolId": host.poolId, "Username": "user1@example.com"]).errorType == "UserNotFoundException")
        }
    }

    @Test("handlers' directory client runs the same operations in process")
    func directoryClient() async throws {
        try await withHost { host in
            let directory = host.simulator.identity.directory
            let user = try await directory.adminCreateUser(userPoolId: host.poolId, username: "hal@example.com", attributes: ["name": "Hal"])
            #expect(user.status == .forceChangePassword && user.email == "hal@example.com")
            try await directory.adminAddUserToGroup(userPoolId: host.poolId, username: "hal@example.com", groupName: "Admin")
            #expect(try await directory.adminListGroupsForUser(userPoolId: host.poolId, username: "hal@example.com") == ["Admin"])
            await #expect(throws: DirectoryError.usernameExists("User account already exists")) {
                _ = try await directory.adminCreateUser(userPoolId: host.poolId, username: "hal@example.com", attributes: [:])
            }
            let page = try await directory.listUsers(userPoolId: host.poolId, filter: "name = \"Hal\"", limit: nil, paginationToken: nil)
            #expect(page.users.map(\.sub) == [user.sub])
            #expect(try host.mail(to: "hal@example.com").count == 1)
        }
    }
}
