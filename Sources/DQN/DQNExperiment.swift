// `workbench run dqn`: the reference experiments through the harness, and `play` for trained policies.
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

    public static func run(_ run: ExperimentRun) throws -> [String: Double] {
        guard let preset = DQNPreset.named(run.preset) else {
            throw RunError.unknownPreset(paper: id, preset: run.preset, known: DQNPreset.all.map(\.name))
        }
        try run.writeConfig(preset.json)
        let trainer = DQNTrainer(preset, seed: run.seed)
        trainer.agent.times = run.times
        let epochs = min(run.epochs ?? preset.epochs, preset.epochs)
        var solvedFrame: Double?, solvedSeconds: Double?
        var lastEval = Double.nan, bestEval = -Double.infinity
        let statePath = run.checkpointsDirectory + "/trainer.safetensors"
        if let (generators, state) = try run.restoreCheckpoint(
            modules: ["online": trainer.agent.online, "target": trainer.agent.target],
            optimizers: ["optimizer": trainer.agent.optimizer]) {
            try trainer.restoreState(from: statePath)
            guard trainer.frame == state.step, let g = generators["agent"], let updates = state.extra["updates"] else {
                throw RunError.invalid("\(statePath) (frame \(trainer.frame)) does not belong to \(run.lastCheckpointPath) (frame \(state.step))")
            }
            trainer.agent.generator = g
            trainer.agent.setUpdates(Int(updates))
            bestEval = state.bestMetric ?? bestEval
            lastEval = run.records.last?["eval_return_mean"] ?? lastEval
            print("resumed at frame \(trainer.frame) (\(trainer.agent.replay.count) transitions in replay memory)")
        }
        print("\(preset.environment.name): \(trainer.agent.online.parameterCount) parameters, \(epochs) epochs of \(preset.framesPerEpoch) frames")
        for epoch in min(trainer.frame / preset.framesPerEpoch, epochs)..<epochs {
            let bar = run.progress("epoch \(epoch + 1)/\(epochs)", total: preset.framesPerEpoch)
            let start = Date()
            let updatesBefore = trainer.agent.updates
            var lossSum = 0.0, lossCount = 0
            // A run stopped mid-epoch resumes mid-epoch.
            var done = trainer.frame - epoch * preset.framesPerEpoch
            let framesBefore = done
            while done < preset.framesPerEpoch && !run.stopRequested {
                let chunk = min(1_000, preset.framesPerEpoch - done)
                for l in trainer.train(frames: chunk) { lossSum += Double(l); lossCount += 1 }
                done += chunk
                if lossCount > 0 { try run.checkFinite(trainer.lastLoss, "loss") }
                let recent = trainer.recentReturn().map { String(format: "return %.2f", $0) } ?? ""
                bar.update(done, info: "\(recent) ε \(String(format: "%.3f", trainer.epsilon))")
            }
            let trainSeconds = Date().timeIntervalSince(start)
            bar.finish()
            let evalReturns = trainer.evaluate(episodes: preset.evalEpisodes)
            lastEval = evalReturns.reduce(0, +) / Double(max(evalReturns.count, 1))
            var values: [String: Double] = [
                "frames": Double(trainer.frame), "episodes": Double(trainer.episodeReturns.count),
                "eval_return_mean": lastEval, "eval_return_min": evalReturns.min() ?? .nan,
                "epsilon": trainer.epsilon, "updates": Double(trainer.agent.updates),
                "frames_per_second": Double(done - framesBefore) / max(trainSeconds, 1e-9),
                "updates_per_second": Double(trainer.agent.updates - updatesBefore) / max(trainSeconds, 1e-9),
            ]
            if lossCount > 0 { values["loss"] = lossSum / Double(lossCount) }
            if let r = trainer.recentReturn() { values["train_return_avg100"] = r }
            try run.log(epoch: epoch + 1, step: trainer.frame, values)
            try run.plot("returns", title: "\(preset.environment.name): return vs frames", x: "step",
                         series: ["train_return_avg100", "eval_return_mean"], yLabel: "return")
            try run.plot("loss", title: "TD loss (Huber)", x: "step", series: ["loss"], yLabel: "loss")
            let isBest = lastEval > bestEval
            bestEval = max(bestEval, lastEval)
            try trainer.saveState(to: statePath)
            try run.saveCheckpoint(modules: ["online": trainer.agent.online, "target": trainer.agent.target],
                                   optimizers: ["optimizer": trainer.agent.optimizer],
                                   generators: ["agent": trainer.agent.generator],
                                   state: TrainingState(epoch: epoch, step: trainer.frame, bestMetric: bestEval,
                                                        extra: ["updates": Double(trainer.agent.updates)]),
                                   isBest: isBest)
            print(String(format: "epoch %d  frames %d  eval %.2f (min %.0f)  train avg100 %@  loss %@  %.0f frames/s",
                         epoch + 1, trainer.frame, lastEval, evalReturns.min() ?? .nan,
                         trainer.recentReturn().map { String(format: "%.2f", $0) } ?? "-",
                         values["loss"].map { String(format: "%.4f", $0) } ?? "-", values["frames_per_second"]!))
            if let target = preset.solvedAt, lastEval >= target {
                solvedFrame = Double(trainer.frame)
                solvedSeconds = run.elapsedSeconds
                print("solved: evaluation mean \(lastEval) ≥ \(target) after \(trainer.frame) frames")
                break
            }
            if run.stopRequested { break }
        }
        var summary: [String: Double] = ["eval_return_mean": lastEval, "frames": Double(trainer.frame),
                                         "epochs": Double(trainer.frame / preset.framesPerEpoch),
                                         "best_eval_return_mean": bestEval]
        if let r = trainer.recentReturn() { summary["train_return_avg100"] = r }
        if let solvedFrame { summary["solved_frames"] = solvedFrame; summary["solved_seconds"] = solvedSeconds! }
        return summary
    }

    /// Plays `episodes` with a run's trained network (checkpoint: a run directory or a .safetensors
    /// file; the best checkpoint when there is one) at the preset's evaluation ε, printing each
    /// return; `render` prints every frame as text (MinAtar grid or CartPole state); `framesOut`
    /// writes every frame as a PNG (MinAtar channels coloured) into that directory.
    public static func play(checkpoint: String, episodes: Int, seed: UInt64, render: Bool,
                            framesOut: String? = nil) throws -> [Double] {
        var path = checkpoint
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            let best = path + "/checkpoints/best.safetensors"
            path = FileManager.default.fileExists(atPath: best) ? best : path + "/checkpoints/last.safetensors"
        }
        let file = try SafeTensorsFile(contentsOf: path)
        guard let presetName = file.metadata["preset"], let preset = DQNPreset.named(presetName) else {
            throw RunError.invalid("\(path) is not a dqn checkpoint (metadata preset: \(file.metadata["preset"] ?? "none"))")
        }
        var g = Generator(seed: 0)
        let network = QNetwork(preset.agent.network, generator: &g)
        _ = try Checkpoint.load(from: path, modules: ["online": network])
        if let framesOut { try FileManager.default.createDirectory(atPath: framesOut, withIntermediateDirectories: true) }
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
        if let writeError { throw writeError }
        for (i, r) in returns.enumerated() { print("episode \(i + 1): return \(r)") }
        return returns
    }
}
