import FormworkRuntime

extension Blueprint {
    /// The handler type of the blueprint's functions whose handler is named `handlerName`
    /// (`TaskManagement.TaskManagementHandler`, the template's `Handler`), in any environment.
    /// A deployed function's executable uses it to find its handler.
    public func functionHandler(named handlerName: String) -> (any FunctionHandler.Type)? {
        for environment in environments {
            let functions = architecture(for: environment).resources(of: Function.self)
            if let handler = functions.first(where: { $0.handlerName == handlerName })?.handler { return handler }
        }
        return nil
    }
}
