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
        for file in stale { _ = FileManager.default.createFile(atPath: file, contents: Data([1, 2, 3])) }
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

    @Test func aCheckpointOfAnotherPaperIsNamedAsSuch() throws {
        let dir = TemporaryDirectory("integrity")
        let run = try newRun(dir.path)
        var g = Generator(seed: 0)
        try run.saveCheckpoint(modules: ["model": Linear(2, 1, generator: &g)], optimizers: [:], generators: [:],
                               state: TrainingState(epoch: 0, step: 1), isBest: true)
        #expect(try RunCheckpoint(run.directory, paper: "toy").path == run.bestCheckpointPath)
        do {
            _ = try RunCheckpoint(run.directory, paper: "dqn")
            Issue.record("a toy checkpoint was accepted as a dqn one")
        } catch let error as RunError {
            #expect(error.description.contains("belongs to paper toy, not to dqn"), "\(error)")
        }
        #expect(throws: RunError.self) { try RunCheckpoint(dir.file("missing")) }
    }

    @Test func aRelativeDataDirectoryIsRecordedAbsolute() throws {
        let dir = TemporaryDirectory("integrity")
        let run = try ExperimentRun(paper: "toy", preset: "quick", seed: 1, epochs: nil, dataDirectory: "some/data", root: dir.path)
        try run.writeConfig([:])
        let recorded = try RunReport.config(of: run.directory)["run"]?["data_dir"]
        #expect(recorded == .string(FileManager.default.currentDirectoryPath + "/some/data"))
    }

    @Test func anOutputRootThatIsAFileIsNamed() throws {
        let dir = TemporaryDirectory("integrity")
        let file = dir.write("runs", [1])
        do {
            _ = try ExperimentRun(paper: "toy", preset: "quick", seed: 1, epochs: nil, dataDirectory: nil, root: file)
            Issue.record("a run directory was made under a file")
        } catch let error as RunError {
            #expect(error.description == "--out \(file) is a file, not a directory: give a directory for the run directories")
        }
    }

    @Test func compareOfRunsWithoutASharedMetricFails() throws {
        let dir = TemporaryDirectory("integrity")
        let a = try newRun(dir.path), b = try newRun(dir.path)
        try a.writeConfig([:])
        try b.writeConfig([:])
        try a.log(step: 1, ["loss": 1])
        try b.log(step: 1, ["reward": 2])
        let r = try #require(try runBuiltExecutable("workbench", ["report", "--compare", a.directory, b.directory,
                                                                  "--out", dir.file("compare")]))
        #expect(r.status != 0 && r.stderr.contains("share no logged metric"), "\(r.status) \(r.stderr)")
    }

    /// Four `workbench run`s started together with one --out give four intact directories (each
    /// config, checkpoint and summary of its own seed), and a resume of a directory in use is refused.
    @Test func simultaneousRunsOfTheExecutable() throws {
        let dir = TemporaryDirectory("integrity-processes")
        try writeSyntheticFashionMNIST(to: dir.file("data"), train: 256, test: 40)
        let results = try (1...4).map { seed in
            // Started back to back: all four pick their directory name within the same second.
            try startBuiltExecutable("workbench", ["run", "lenet", "--preset", "quick", "--epochs", "1", "--seed", "\(seed)",
                                                          "--out", dir.file("race"), "--data-dir", dir.file("data")])
        }.map { $0.wait() }
        for r in results { #expect(r.status == 0 && !r.crashed, "\(r.status) \(r.stderr)") }
        let runs = try FileManager.default.contentsOfDirectory(atPath: dir.file("race")).map { dir.file("race/" + $0) }
        #expect(runs.count == 4)
        var seeds: [Int] = []
        for run in runs {
            let seed = try #require(try RunReport.config(of: run)["run"]?["seed"]?.intValue)
            seeds.append(seed)
            let epochRecords = RunReport.records(of: run).filter { $0["epoch"] != nil }
            #expect(epochRecords.count == 1, "\(run)")
            let metadata = try SafeTensorsFile(contentsOf: run + "/checkpoints/last.safetensors").metadata
            #expect(metadata["paper"] == "lenet" && RunReport.summary(of: run)["epochs"] == 1)
        }
        #expect(seeds.sorted() == [1, 2, 3, 4])

        let held = try ExperimentRun(resuming: runs[0])
        let r = try #require(try runBuiltExecutable("workbench", ["resume", runs[0]]))
        #expect(r.status != 0 && r.stderr.contains("in use by another workbench process"), "\(r.status) \(r.stderr)")
        held.close()
    }
}
