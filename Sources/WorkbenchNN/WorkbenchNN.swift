// WorkbenchNN: modules, initialisers, optimizers and state dicts on top of WorkbenchCore.
@_exported import WorkbenchCore
