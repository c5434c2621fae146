// `workbench verify` on a FIFO reports it (it used to block forever waiting for a writer).
import Foundation
import Testing
import WorkbenchTesting
#if canImport(Glibc)
import Glibc
#endif

struct SpecialFileTests {
    @Test func fifoIsReportedNotWaitedOn() throws {
        let dir = TemporaryDirectory("fifo")
        let path = dir.path + "/pipe.safetensors"
        try #require(mkfifo(path, 0o600) == 0)
        let report = FixtureVerifier.verify(path: path)
        #expect(!report.passed && report.line.contains("not a regular file"), "\(report.line)")
    }
}
