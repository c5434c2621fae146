import WorkbenchCore
print("workbench")
