import Blueprints
import FormworkCLI
import Foundation

exit(await FormworkCLI.run(blueprints: [TaskManagementBlueprint()]))
