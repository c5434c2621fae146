// Test helpers of WorkbenchDataTests: the shared temporary directory and DataError capture.
import Foundation
import WorkbenchData
import WorkbenchTesting

/// The shared per-test temporary directory of WorkbenchTesting under this target's old name.
typealias TempDirectory = TemporaryDirectory

/// The error `body` throws, as a `DataError`; nil (and a failed expectation upstream) otherwise.
func dataError(_ body: () throws -> Void) -> DataError? {
    do {
        try body()
        return nil
    } catch let e as DataError {
        return e
    } catch {
        return DataError(path: "", "unexpected error type: \(error)")
    }
}
