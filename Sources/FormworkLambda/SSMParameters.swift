import FormworkRuntime
import Foundation

/// ``ParameterClient`` over SSM's JSON 1.1 protocol (`GetParameter`, decrypted).
public struct SSMParameters: ParameterClient {
    let transport: AWSTransport

    /// A client that sends through `transport`.
    public init(transport: AWSTransport) {
        self.transport = transport
    }

    public func getParameter(name: String) async throws -> String {
        do {
            let answer = try await transport.send(
                .ssm, headers: [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "AmazonSSM.GetParameter")],
                body: WireJSON.data(["Name": name, "WithDecryption": true]), errorCode: { $0.jsonError })
            guard let value = (WireJSON.object(answer.body)["Parameter"] as? [String: Any])?["Value"] as? String else {
                throw ParameterError.other(code: "InvalidResponse", message: "SSM answered GetParameter without Parameter.Value.")
            }
            return value
        } catch let error as AWSErrorAnswer {
            throw ParameterError(awsErrorCode: error.code, message: error.message)
        }
    }
}
