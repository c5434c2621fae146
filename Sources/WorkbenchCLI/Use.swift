// Using a trained model: `workbench sample dcgan`, `workbench play dqn`, `workbench translate`
// (seq2seq). Each takes a run directory or a checkpoint file.
import ArgumentParser
import DCGAN
import AlphaGoZero
import DQN
import Foundation
import WorkbenchData
import Seq2Seq
import WorkbenchRun

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Draw a grid of images from a trained DCGAN generator.")

    @Argument(help: "The paper: dcgan.")
    var paper: String

    @Argument(help: "The generator: \(RunCheckpoint.rule).")
    var checkpoint: String

    @Option(name: [.customLong("n"), .customLong("count")], parsing: .unconditional,
            help: "Number of images (8 per row); image i is the same whatever the number.")
    var count = 64

    @Option(parsing: .unconditional, help: "Seed of the noise vectors.")
    var seed: UInt64 = 0

    @Option(help: "Output PNG.")
    var out = "samples.png"

    func validate() throws {
        try requirePaper(paper, "dcgan")
        if count < 1 || count > 4096 { throw ValidationError("--n must be in 1...4096") }
    }

    func run() throws {
        try DCGAN.sample(checkpoint: checkpoint, count: count, seed: seed, to: out)
        print("Wrote \(count) samples to \(out)")
    }
}

struct Play: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play with a trained agent: DQN episodes (returns printed), or a game of Connect Four against AlphaGo Zero.",
        discussion: """
            workbench play dqn RUN --episodes 5 [--render] [--frames-out DIR]
            workbench play alphago-zero RUN [--first | --second] [--simulations N]: the board is drawn, \
            you type a column (1-7), the agent answers and shows its value estimate and visits per column.
            """)

    @Argument(help: "The paper: dqn or alphago-zero.")
    var paper: String

    @Argument(help: "The agent: \(RunCheckpoint.rule).")
    var checkpoint: String

    @Option(parsing: .unconditional, help: "dqn: number of episodes.")
    var episodes = 5

    @Option(parsing: .unconditional, help: "Seed of the environment and of ε-greedy exploration (dqn), or of the search (alphago-zero).")
    var seed: UInt64 = 0

    @Flag(help: "dqn: print every frame as text.")
    var render = false

    @Option(help: "dqn: write every frame as a PNG into this directory (MinAtar channels coloured).")
    var framesOut: String?

    @Flag(name: .customLong("first"), help: "alphago-zero: you move first (the default).")
    var humanFirst = false

    @Flag(name: .customLong("second"), help: "alphago-zero: the agent moves first.")
    var humanSecond = false

    @Option(parsing: .unconditional, help: "alphago-zero: the agent's simulations per move.")
    var simulations = 200

    func validate() throws {
        guard paper == "dqn" || paper == AlphaGoZeroExperiment.id else {
            throw ValidationError("'\(paper)': play works with the papers 'dqn' and 'alphago-zero'")
        }
        if episodes < 1 { throw ValidationError("--episodes must be at least 1") }
        if humanFirst && humanSecond { throw ValidationError("--first and --second exclude each other") }
        if simulations < 1 { throw ValidationError("--simulations must be at least 1") }
    }

    func run() throws {
        if paper == AlphaGoZeroExperiment.id {
            _ = try AlphaGoZeroExperiment.play(checkpoint: checkpoint, humanFirst: !humanSecond, simulations: simulations, seed: seed)
            return
        }
        let returns = try DQNExperiment.play(checkpoint: checkpoint, episodes: episodes, seed: seed, render: render, framesOut: framesOut)
        let mean = returns.reduce(0, +) / Double(returns.count)
        print(String(format: "mean return %.2f over %d episodes", mean, returns.count))
    }
}

/// `sample` and `play` name their paper like `eval` and `predict` do; each works with one paper.
func requirePaper(_ given: String, _ expected: String) throws {
    if given != expected { throw ValidationError("'\(given)': this command works with the paper '\(expected)'") }
}

struct Translate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Translate English sentences with a trained seq2seq run (one per argument, or one per line on stdin).")

    @Argument(help: "A seq2seq run directory or checkpoint file.")
    var runDirectory: String

    @Argument(help: "Sentences; read from standard input when none are given.")
    var sentences: [String] = []

    @Option(parsing: .unconditional, help: "Beam width (1 = greedy).")
    var beam = 5

    func validate() throws {
        if beam < 1 { throw ValidationError("--beam must be at least 1") }
    }

    func run() throws {
        var input = sentences
        if input.isEmpty {
            // Universal newlines (LF, CRLF or CR), as for every text file.
            input = try readTextLines("/dev/stdin").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        }
        guard !input.isEmpty else { throw ValidationError("no sentences to translate") }
        for (source, translation) in zip(input, try Seq2SeqExperiment.translate(checkpoint: runDirectory, sentences: input, beamWidth: beam)) {
            print("\(source)\t\(translation)")
        }
    }
}

struct Bleu: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Corpus BLEU of a hypotheses file against a references file, as sacreBLEU computes it by default.",
        discussion: "One sentence per line in each file, the same number of lines. Prints the score and sacreBLEU's signature.")

    @Argument(help: "Hypotheses (system output), one sentence per line.")
    var hypotheses: String

    @Argument(help: "References, one sentence per line.")
    var references: String

    func run() throws {
        print(try BLEU.scoreFiles(hypotheses: hypotheses, references: references))
    }
}
