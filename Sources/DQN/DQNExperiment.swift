// `workbench run dqn`: the reference experiments through the harness, and `play` for trained policies.
// Agent -> frames as the loop's steps (act, remember, update) -> evaluation episodes after every
// epoch of frames -> curves, checkpoints (with the replay memory beside them), summary.
import Foundation
import WorkbenchRun
import WorkbenchNN

public enum DQNExperiment: PaperExperiment {
    public static let id = "dqn"
    public static let title = "DQN — Mnih et al. 2013 (arXiv:1312.5602) / 2015 (Nature 518:529), on CartPole-v1 and MinAtar (Young & Tian 2019, arXiv:1903.03176)"
    public static var presets: [(name: String, summary: String)] { DQNPreset.all.map { ($0.name, $0.summary) } }
    public static let defaultPreset = "cartpole"
    public static let datasets: [String] = []

    public static func registerFixtures() { DQNFixtures.register() }

    /// `online` from a plain state dict; `target` copies it unless the file holds `target.*` too.
    /// The network is the preset's (its environment fixes the input and the actions).
    public static func importModules(preset: String, model: FixtureConfig?) throws -> ImportedModules {
        let p = try DQNPreset.preset(preset)
        guard model == nil else { throw RunError.invalid("dqn takes its network from the preset's environment: choose it with --preset, not --config") }
        var g = Generator(seed: 0)
        let online = QNetwork(p.agent.network, generator: &g), target = QNetwork(p.agent.network, generator: &g)
        return ImportedModules(hyperparameters: p.hyperparameters, modules: ["online": online, "target": target],
                               primary: "online", optional: ["target"]) { held in
            if !held.contains("target") { try target.loadStateDict(Dictionary(uniqueKeysWithValues: online.stateDict())) }
        }
    }

    public static func run(_ run: ExperimentRun) throws -> [String: Double] {
        let preset = try DQNPreset.preset(run.preset)
        try run.writeConfig(preset.hyperparameters)
        let epochs = min(run.epochs ?? preset.epochs, preset.epochs)
        let trainer = DQNTrainer(preset, seed: run.seed)
        let agent = trainer.agent
        agent.times = run.times
        print("\(preset.environment.name): \(agent.online.parameterCount) parameters, \(epochs) epochs of \(preset.framesPerEpoch) frames")

        let loop = TrainingLoop(run, epochs: epochs, modules: ["online": agent.online, "target": agent.target],
                                optimizers: ["optimizer": agent.optimizer], generators: { ["agent": agent.generator] },
                                metric: "eval_return_mean")
        let statePath = run.checkpointsDirectory + "/trainer.safetensors"
        loop.checkpointOnStop = true    // the replay memory and the episode in progress are saved at any frame
        loop.willCheckpoint = { try trainer.saveState(to: statePath) }
        loop.extraState = { ["updates": Double(agent.updates)] }
        loop.logEvery = 1_000
        loop.throughput = "updates_per_second"
        loop.plots = [PlotSpec("returns", title: "\(preset.environment.name): return vs frames", x: "step",
                               series: ["train_return_avg100", "eval_return_mean"], yLabel: "return")]
        if let generators = try loop.restore() {
            try trainer.resume(from: statePath, step: loop.step, generators: generators, extra: loop.restoredExtra)
        }
        var solved: [String: Double] = [:]
        var epochStart = (frame: 0, clock: ContinuousClock.now)
        try loop.fit(batches: { epoch in
            epochStart = (trainer.frame, .now)
            return trainer.frame..<(epoch + 1) * preset.framesPerEpoch    // one step per frame
        }, step: { _, _ in
            // The loss is averaged over the updates (one per frame in MinAtar, none before replay start).
            trainer.step().map { StepStats(["loss": Double($0)]) } ?? StepStats([:], weight: 0)
        }, evaluate: { _ in
            let framesPerSecond = Double(trainer.frame - epochStart.frame) / (ContinuousClock.now - epochStart.clock).inSeconds
            let returns = trainer.evaluate(episodes: preset.evalEpisodes)
            let mean = returns.reduce(0, +) / Double(max(returns.count, 1))
            if let target = preset.solvedAt, mean >= target {
                solved = ["solved_frames": Double(trainer.frame), "solved_seconds": run.elapsedSeconds]
                print("solved: evaluation mean \(mean) ≥ \(target) after \(trainer.frame) frames")
                loop.finish()
            }
            var metrics = ["frames": Double(trainer.frame), "episodes": Double(trainer.episodeReturns.count),
                           "eval_return_mean": mean, "eval_return_min": returns.min() ?? .nan, "epsilon": trainer.epsilon,
                           "updates": Double(agent.updates), "frames_per_second": framesPerSecond]
            metrics["train_return_avg100"] = trainer.recentReturn()
            return metrics
        })

        var summary = loop.summary.merging(solved) { $1 }
        summary["frames"] = Double(trainer.frame)
        summary["train_return_avg100"] = trainer.recentReturn()
        return summary
    }

    /// Plays `episodes` with a run's trained network (`RunCheckpoint.rule`) at the preset's
    /// evaluation ε, printing each return; `render` prints every frame as text (MinAtar grid or
    /// CartPole state); `framesOut` writes every frame as a PNG (MinAtar channels coloured) into
    /// that directory.
    public static func play(checkpoint: String, episodes: Int, seed: UInt64, render: Bool,
                            framesOut: String? = nil) throws -> [Double] {
        let path = try RunCheckpoint(checkpoint, paper: id).path
        let presetName = try SafeTensorsFile(contentsOf: path).metadata["preset"]
        guard let preset = try? DQNPreset.preset(presetName ?? "") else {
            throw RunError.invalid("\(path) is not a dqn checkpoint (metadata preset: \(presetName ?? "none"))")
        }
        var g = Generator(seed: 0)
        let network = QNetwork(preset.agent.network, generator: &g)
        _ = try Checkpoint.load(from: path, modules: ["online": network])
        if let framesOut { try Frames.makeDirectory(framesOut) }
        var episode = 0, frame = 0
        var writeError: Error?
        let returns = DQNTrainer.evaluate(network, environment: preset.environment, episodes: episodes,
                                          epsilon: preset.agent.evalEpsilon, maxSteps: preset.evalMaxSteps, seed: seed) { env, action, total, done in
            if let framesOut, writeError == nil {
                do { try Frames.write(env, to: framesOut, episode: episode, frame: frame) } catch { writeError = error }
            }
            frame += 1
            if done { episode += 1; frame = 0 }
            guard render else { return }
            if let m = env as? MinAtar { print("\u{1B}[2J\u{1B}[H" + m.render() + "\naction \(m.actionSet[action])  return \(total)") }
            if let c = env as? CartPole { print(c.render() + "  action \(action)  return \(total)") }
        }
        if let framesOut, let writeError { throw RunError.invalid("--frames-out \(framesOut): \(writeError)") }
        for (i, r) in returns.enumerated() { print("episode \(i + 1): return \(r)") }
        return returns
    }
}
