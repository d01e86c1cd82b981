import Blueprints
import FormworkCLI
import Foundation

exit(FormworkCLI.run(blueprints: [TaskManagementBlueprint()]))
