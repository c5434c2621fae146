@_exported import WorkbenchCore
