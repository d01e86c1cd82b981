import Foundation
import FormworkRuntime
import Testing

/// A REST API proxy event as API Gateway sends it through a Cognito user pool authorizer.
private let cognitoEvent = #"""
    {
      "resource": "/tasks/{taskId}",
      "path": "/tasks/t-42",
      "httpMethod": "PATCH",
      "headers": {
        "Accept": "application/json",
        "Authorization": "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiI3ZDhjYTUyOCJ9.c2lnbmF0dXJl",
        "CloudFront-Forwarded-Proto": "https",
        "Content-Type": "application/json",
        "Host": "abcdef1234.execute-api.us-east-1.amazonaws.com",
        "User-Agent": "curl/8.4.0",
        "X-Amzn-Trace-Id": "Root=1-5e66d96f-7491f09xmpl79d18acf3d050",
        "X-Forwarded-For": "203.0.113.10",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https"
      },
      "multiValueHeaders": {
        "Accept": ["application/json"],
        "Authorization": ["eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiI3ZDhjYTUyOCJ9.c2lnbmF0dXJl"],
        "CloudFront-Forwarded-Proto": ["https"],
        "Content-Type": ["application/json"],
        "Host": ["abcdef1234.execute-api.us-east-1.amazonaws.com"],
        "User-Agent": ["curl/8.4.0"],
        "X-Amzn-Trace-Id": ["Root=1-5e66d96f-7491f09xmpl79d18acf3d050"],
        "X-Forwarded-For": ["203.0.113.10"],
        "X-Forwarded-Port": ["443"],
        "X-Forwarded-Proto": ["https"]
      },
      "queryStringParameters": {"verbose": "true", "tag": "b"},
      "multiValueQueryStringParameters": {"verbose": ["true"], "tag": ["a", "b"]},
      "pathParameters": {"taskId": "t-42"},
      "stageVariables": null,
      "requestContext": {
        "resourceId": "2gxmpl",
        "authorizer": {
          "claims": {
            "sub": "7d8ca528-4931-4254-9273-ea5ee853f271",
            "cognito:groups": "Admin,TeamMember",
            "email_verified": "true",
            "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34E",
            "cognito:username": "7d8ca528-4931-4254-9273-ea5ee853f271",
            "origin_jti": "b3d6f7a2-0c1e-4a55-9a77-2f0c6b1f9e10",
            "aud": "6kfgxmpl8a3v2b1c0d9e8f7g6h",
            "event_id": "e1c7d5a4-4b8e-4f0e-8e7f-3b1c2d4e5f60",
            "token_use": "id",
            "auth_time": "1583798630",
            "name": "Ana Lima",
            "exp": "Tue Mar 10 01:03:50 UTC 2020",
            "iat": "Tue Mar 10 00:03:50 UTC 2020",
            "jti": "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
            "email": "ana@example.com"
          }
        },
        "resourcePath": "/tasks/{taskId}",
        "httpMethod": "PATCH",
        "extendedRequestId": "JJbxmplHYosFVYQ=",
        "requestTime": "10/Mar/2020:00:03:59 +0000",
        "path": "/prod/tasks/t-42",
        "accountId": "123456789012",
        "protocol": "HTTP/1.1",
        "stage": "prod",
        "domainPrefix": "abcdef1234",
        "requestTimeEpoch": 1583798639428,
        "requestId": "77375676-xmpl-4b79-853a-f982474efe18",
        "identity": {
          "cognitoIdentityPoolId": null,
          "accountId": null,
          "cognitoIdentityId": null,
          "caller": null,
          "sourceIp": "203.0.113.10",
          "principalOrgId": null,
          "accessKey": null,
          "cognitoAuthenticationType": null,
          "cognitoAuthenticationProvider": null,
          "userArn": null,
          "userAgent": "curl/8.4.0",
          "user": null
        },
        "domainName": "abcdef1234.execute-api.us-east-1.amazonaws.com",
        "apiId": "abcdef1234"
      },
      "body": "{\"version\":3,\"status\":\"done\"}",
      "isBase64Encoded": false
    }
    """#

/// The shape of AWS's sample event without an authorizer: empty maps arrive as `null`.
private let anonymousEvent = #"""
    {
      "resource": "/health",
      "path": "/health",
      "httpMethod": "GET",
      "headers": null,
      "multiValueHeaders": null,
      "queryStringParameters": null,
      "multiValueQueryStringParameters": null,
      "pathParameters": null,
      "stageVariables": null,
      "requestContext": {
        "accountId": "123456789012",
        "apiId": "id",
        "authorizer": {"claims": null, "scopes": null},
        "domainName": "id.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "id",
        "extendedRequestId": "request-id",
        "httpMethod": "GET",
        "identity": {"sourceIp": "192.0.2.1", "userAgent": "user-agent"},
        "path": "/health",
        "protocol": "HTTP/1.1",
        "requestId": "id=",
        "requestTime": "04/Mar/2020:19:15:17 +0000",
        "requestTimeEpoch": 1583349317135,
        "resourceId": null,
        "resourcePath": "/health",
        "stage": "$default"
      },
      "body": null,
      "isBase64Encoded": false
    }
    """#

@Suite("APIGatewayRequest")
struct APIGatewayRequestTests {
    @Test("decodes a Cognito-authorized REST proxy event field by field")
    func decodesCognitoEvent() throws {
        let request = try decode(APIGatewayRequest.self, cognitoEvent)
        #expect(request.resource == "/tasks/{taskId}")
        #expect(request.path == "/tasks/t-42")
        #expect(request.httpMethod == "PATCH")
        #expect(request.headers["Host"] == "abcdef1234.execute-api.us-east-1.amazonaws.com")
        #expect(request.multiValueHeaders["Accept"] == ["application/json"])
        #expect(request.queryStringParameters == ["verbose": "true", "tag": "b"])
        #expect(request.multiValueQueryStringParameters["tag"] == ["a", "b"])
        #expect(request.pathParameters == ["taskId": "t-42"])
        #expect(request.stageVariables.isEmpty)
        #expect(request.body == #"{"version":3,"status":"done"}"#)
        #expect(request.isBase64Encoded == false)

        let context = request.requestContext
        #expect(context.accountId == "123456789012")
        #expect(context.apiId == "abcdef1234")
        #expect(context.resourceId == "2gxmpl")
        #expect(context.resourcePath == "/tasks/{taskId}")
        #expect(context.path == "/prod/tasks/t-42")
        #expect(context.stage == "prod")
        #expect(context.requestId == "77375676-xmpl-4b79-853a-f982474efe18")
        #expect(context.requestTimeEpoch == 1_583_798_639_428)
        #expect(context.domainName == "abcdef1234.execute-api.us-east-1.amazonaws.com")
        #expect(context.protocol == "HTTP/1.1")
        #expect(context.identity.sourceIp == "203.0.113.10")
        #expect(context.identity.userAgent == "curl/8.4.0")
        #expect(context.identity.cognitoIdentityId == nil)

        let authorizer = try #require(context.authorizer)
        #expect(authorizer.claims["sub"] == "7d8ca528-4931-4254-9273-ea5ee853f271")
        #expect(authorizer.claims["email"] == "ana@example.com")
        #expect(authorizer.claims["token_use"] == "id")
        #expect(authorizer.groups == ["Admin", "TeamMember"])
        #expect(request.claims["cognito:groups"] == "Admin,TeamMember")
    }

    @Test("a decoded event encodes and decodes to an equal value")
    func roundTrips() throws {
        for sample in [cognitoEvent, anonymousEvent] {
            let request = try decode(APIGatewayRequest.self, sample)
            #expect(try roundTrip(request) == request)
        }
    }

    @Test("maps AWS sends as null decode as empty and encode back as null")
    func nullMaps() throws {
        let request = try decode(APIGatewayRequest.self, anonymousEvent)
        #expect(request.headers.isEmpty)
        #expect(request.multiValueHeaders.isEmpty)
        #expect(request.queryStringParameters.isEmpty)
        #expect(request.pathParameters.isEmpty)
        #expect(request.body == nil)
        #expect(request.requestContext.resourceId == nil)
        #expect(request.requestContext.authorizer?.claims.isEmpty == true)
        #expect(request.requestContext.authorizer?.groups == [])

        let object = try encodedObject(request)
        for key in ["headers", "multiValueHeaders", "queryStringParameters", "pathParameters", "stageVariables", "body"] {
            #expect(object[key] is NSNull, "\(key) should be written as null")
        }
    }

    @Test("headers are found without regard to case")
    func headerLookup() throws {
        let request = try decode(APIGatewayRequest.self, cognitoEvent)
        #expect(request.header("content-type") == "application/json")
        #expect(request.header("AUTHORIZATION")?.hasPrefix("eyJ") == true)
        #expect(request.header("X-Missing") == nil)
    }

    private struct PatchTask: Decodable, Equatable {
        var version: Int
        var status: String
    }

    @Test("the JSON body decodes, plain or base64")
    func bodyDecoding() throws {
        var request = try decode(APIGatewayRequest.self, cognitoEvent)
        #expect(try request.decodeBody(as: PatchTask.self) == PatchTask(version: 3, status: "done"))

        request.body = Data(#"{"version":4,"status":"todo"}"#.utf8).base64EncodedString()
        request.isBase64Encoded = true
        #expect(try request.decodeBody(as: PatchTask.self) == PatchTask(version: 4, status: "todo"))

        request.body = "%%% not base64"
        #expect(throws: RequestBodyError.invalidBase64) { try request.bodyData() }
        request.body = nil
        #expect(throws: RequestBodyError.missing) { try request.decodeBody(as: PatchTask.self) }
        request.body = "{not json"
        request.isBase64Encoded = false
        #expect(throws: DecodingError.self) { try request.decodeBody(as: PatchTask.self) }
    }

    @Test("claims sent as numbers, booleans or arrays become text; an object claim is rejected")
    func lenientClaims() throws {
        let authorizer = try decode(
            APIGatewayRequest.Authorizer.self,
            #"{"claims": {"auth_time": 1583798630, "email_verified": true, "cognito:groups": ["Admin", "TeamMember"], "nickname": null}}"#
        )
        #expect(authorizer.claims == ["auth_time": "1583798630", "email_verified": "true", "cognito:groups": "Admin,TeamMember"])
        #expect(authorizer.groups == ["Admin", "TeamMember"])

        let error = #expect(throws: DecodingError.self) {
            try decode(APIGatewayRequest.Authorizer.self, #"{"claims": {"address": {"street": "x"}}}"#)
        }
        #expect(decodingMessage(error).contains("address"))
    }

    @Test("a request built in code round-trips")
    func builtRequest() throws {
        let request = APIGatewayRequest(
            resource: "/me", path: "/me", httpMethod: "GET",
            headers: ["Authorization": "token"],
            requestContext: .init(
                accountId: "123456789012", apiId: "local", resourcePath: "/me", httpMethod: "GET",
                path: "/local/me", stage: "local", requestId: "r-1", requestTimeEpoch: 1_796_144_400_000,
                identity: .init(sourceIp: "127.0.0.1"),
                authorizer: .init(claims: ["sub": "u-1", "cognito:groups": "[Admin TeamMember]"])))
        #expect(try roundTrip(request) == request)
        #expect(request.requestContext.authorizer?.groups == ["Admin", "TeamMember"])
    }
}
