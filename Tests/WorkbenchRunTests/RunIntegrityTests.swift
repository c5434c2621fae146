// What keeps a run directory whole: one directory per run even when runs start together, one
// process per directory, no stale temporary files, a resume with the hyperparameters the run
// started with, and an honest word about the last checkpoint when training diverges.
import Foundation
import Testing
import WorkbenchNN
import WorkbenchRun
import WorkbenchTesting

@Suite struct RunIntegrityTests {
    func newRun(_ root: String, preset: String = "quick") throws -> ExperimentRun {
        try ExperimentRun(paper: "toy", preset: preset, seed: 1, epochs: nil, dataDirectory: nil, root: root)
    }

    @Test func runsStartedTogetherGetTheirOwnDirectories() throws {
        let dir = TemporaryDirectory("integrity")
        // Same paper, preset and second: the names differ by a suffix, never shared.
        let runs = try (0..<6).map { _ in try newRun(dir.path) }
        #expect(Set(runs.map(\.directory)).count == 6)
        let root = dir.file("threads")
        let threads = (0..<8).map { _ in
            Thread { _ = try? ExperimentRun(paper: "toy", preset: "quick", seed: 1, epochs: nil, dataDirectory: nil, root: root) }
        }
        threads.forEach { $0.start() }
        while threads.contains(where: { !$0.isFinished }) { usleep(1_000) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("threads")).count == 8)
    }

    @Test func aDirectoryInUseIsRefused() throws {
        let dir = TemporaryDirectory("integrity")
        let run = try newRun(dir.path)
        try run.writeConfig(["lr": .double(0.1)])
        #expect(throws: RunError.self) { try ExperimentRun(resuming: run.directory) }
        // Released when the run is over: the resume may go ahead.
        run.close()
        _ = try ExperimentRun(resuming: run.directory)
    }

    @Test func staleTemporaryFilesAreRemovedOnResume() throws {
        let dir = TemporaryDirectory("integrity")
        var path = ""
        do {
            let run = try newRun(dir.path)
            try run.writeConfig(["lr": .double(0.1)])
            path = run.directory
        }
        let stale = ["\(path)/checkpoints/.last.safetensors.tmp-123-456", "\(path)/metrics.jsonl.tmp-123-789"]
        for file in stale { FileManager.default.createFile(atPath: file, contents: Data([1, 2, 3])) }
        _ = try ExperimentRun(resuming: path)
        for file in stale { #expect(!FileManager.default.fileExists(atPath: file), "\(file)") }
    }

    @Test func editedHyperparametersAreRefusedOnResume() throws {
        let dir = TemporaryDirectory("integrity")
        var path = ""
        do {
            let run = try newRun(dir.path)
            try run.writeConfig(["lr": .double(0.1), "batch_size": .int(32), "epochs": .int(2)])
            path = run.directory
        }
        // Same values, and a longer run through `epochs`: accepted.
        try ExperimentRun(resuming: path).writeConfig(["lr": .double(0.1), "batch_size": .int(32), "epochs": .int(5)])
        // A value that differs from what the preset gives now: refused, naming the key.
        do {
            try ExperimentRun(resuming: path).writeConfig(["lr": .double(1e9), "batch_size": .int(32)])
            Issue.record("an edited learning rate was accepted")
        } catch let error as RunError {
            #expect(error.description.contains("hyperparameters.lr"))
        }
    }

    @Test func resumeWithoutACheckpointStartsAgainWithoutTheOldRecords() throws {
        let dir = TemporaryDirectory("integrity")
        var path = ""
        do {
            let run = try newRun(dir.path)
            try run.writeConfig([:])
            try run.log(step: 1, ["loss": 1])
            path = run.directory
        }
        let resumed = try ExperimentRun(resuming: path)
        #expect(try resumed.restoreCheckpoint(modules: [:], optimizers: [:]) == nil)
        #expect(resumed.records.isEmpty)
        #expect(try String(contentsOfFile: path + "/metrics.jsonl", encoding: .utf8).isEmpty)
    }

    @Test func divergenceNamesACheckpointThatHoldsNaN() throws {
        let dir = TemporaryDirectory("integrity")
        let run = try newRun(dir.path)
        var g = Generator(seed: 0)
        let model = Linear(2, 1, generator: &g)
        try run.saveCheckpoint(modules: ["model": model], optimizers: [:], generators: [:],
                               state: TrainingState(epoch: 0, step: 1), isBest: false)
        do { try run.checkFinite(Float.nan, "loss") } catch let error as RunError {
            #expect(error.description.contains("last good checkpoint"))
        }
        model.weight.data[0] = .nan
        try run.saveCheckpoint(modules: ["model": model], optimizers: [:], generators: [:],
                               state: TrainingState(epoch: 1, step: 2), isBest: false)
        #expect(throws: RunError.self) { try run.checkFinite(Float.infinity, "loss") }
        do { try run.checkFinite(Float.nan, "loss") } catch let error as RunError {
            #expect(error.description.contains("holds NaN") && !error.description.contains("good"))
        }
    }
}
