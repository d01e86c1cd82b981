import Foundation

extension APIGatewayRequest {
    /// The `requestContext` of a REST API proxy event: the API, stage and resource that
    /// took the request, who sent it, and what the authorizer found.
    public struct RequestContext: Codable, Equatable, Sendable {
        /// The AWS account that owns the API.
        public var accountId: String
        /// The API's id.
        public var apiId: String
        /// The id of the matched resource; AWS sometimes sends `null`.
        public var resourceId: String?
        /// The matched resource template, such as `/tasks/{taskId}`.
        public var resourcePath: String
        /// The HTTP method.
        public var httpMethod: String
        /// The full path including the stage, such as `/prod/tasks/42`.
        public var path: String
        /// The stage's name.
        public var stage: String
        /// The request's id.
        public var requestId: String
        /// The extended request id API Gateway also logs.
        public var extendedRequestId: String?
        /// When the request arrived, in milliseconds since 1970.
        public var requestTimeEpoch: Int64
        /// When the request arrived, as CLF text (`04/Mar/2020:19:15:17 +0000`).
        public var requestTime: String?
        /// The host the request was sent to.
        public var domainName: String?
        /// The first label of ``domainName``.
        public var domainPrefix: String?
        /// The HTTP protocol, such as `HTTP/1.1`.
        public var `protocol`: String?
        /// What is known about the caller.
        public var identity: Identity
        /// What the route's authorizer found; `nil` when the route has none.
        public var authorizer: Authorizer?

        /// Creates a request context.
        public init(
            accountId: String,
            apiId: String,
            resourceId: String? = nil,
            resourcePath: String,
            httpMethod: String,
            path: String,
            stage: String,
            requestId: String,
            extendedRequestId: String? = nil,
            requestTimeEpoch: Int64,
            requestTime: String? = nil,
            domainName: String? = nil,
            domainPrefix: String? = nil,
            protocol: String? = "HTTP/1.1",
            identity: Identity,
            authorizer: Authorizer? = nil
        ) {
            self.accountId = accountId
            self.apiId = apiId
            self.resourceId = resourceId
            self.resourcePath = resourcePath
            self.httpMethod = httpMethod
            self.path = path
            self.stage = stage
            self.requestId = requestId
            self.extendedRequestId = extendedRequestId
            self.requestTimeEpoch = requestTimeEpoch
            self.requestTime = requestTime
            self.domainName = domainName
            self.domainPrefix = domainPrefix
            self.protocol = `protocol`
            self.identity = identity
            self.authorizer = authorizer
        }
    }

    /// The `requestContext.identity` of a REST API proxy event.
    public struct Identity: Codable, Equatable, Sendable {
        /// The caller's IP address.
        public var sourceIp: String
        /// The caller's `User-Agent`.
        public var userAgent: String?
        /// The API key the caller sent, if the method requires one.
        public var apiKey: String?
        /// The id of that API key.
        public var apiKeyId: String?
        /// The access key of an IAM-signed request.
        public var accessKey: String?
        /// The account of an IAM-signed request.
        public var accountId: String?
        /// The principal of an IAM-signed request.
        public var caller: String?
        /// The IAM user of an IAM-signed request.
        public var user: String?
        /// The ARN of that IAM user.
        public var userArn: String?
        /// The Cognito identity id, for identity-pool credentials.
        public var cognitoIdentityId: String?
        /// The Cognito identity pool id.
        public var cognitoIdentityPoolId: String?
        /// `authenticated` or `unauthenticated`, for identity-pool credentials.
        public var cognitoAuthenticationType: String?
        /// The Cognito authentication provider, for identity-pool credentials.
        public var cognitoAuthenticationProvider: String?
        /// The caller's AWS organization.
        public var principalOrgId: String?

        /// Creates an identity.
        public init(
            sourceIp: String,
            userAgent: String? = nil,
            apiKey: String? = nil,
            apiKeyId: String? = nil,
            accessKey: String? = nil,
            accountId: String? = nil,
            caller: String? = nil,
            user: String? = nil,
            userArn: String? = nil,
            cognitoIdentityId: String? = nil,
            cognitoIdentityPoolId: String? = nil,
            cognitoAuthenticationType: String? = nil,
            cognitoAuthenticationProvider: String? = nil,
            principalOrgId: String? = nil
        ) {
            self.sourceIp = sourceIp
            self.userAgent = userAgent
            self.apiKey = apiKey
            self.apiKeyId = apiKeyId
            self.accessKey = accessKey
            self.accountId = accountId
            self.caller = caller
            self.user = user
            self.userArn = userArn
            self.cognitoIdentityId = cognitoIdentityId
            self.cognitoIdentityPoolId = cognitoIdentityPoolId
            self.cognitoAuthenticationType = cognitoAuthenticationType
            self.cognitoAuthenticationProvider = cognitoAuthenticationProvider
            self.principalOrgId = principalOrgId
        }
    }
}
