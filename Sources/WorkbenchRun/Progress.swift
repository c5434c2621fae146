// A progress bar with rate and ETA on a terminal; plain periodic lines when not a terminal (CI, logs).
import Foundation

public final class Progress {
    let label: String
    let total: Int
    let start = ContinuousClock.now
    var lastDraw = ContinuousClock.now
    let isTerminal: Bool
    let interval: Duration
    var done = 0
    var info = ""
    /// Draws nothing: the progress of data-parallel ranks other than 0.
    let silent: Bool

    public init(label: String, total: Int, silent: Bool = false) {
        self.silent = silent
        self.label = label
        self.total = max(total, 1)
        isTerminal = isatty(2) != 0
        interval = isTerminal ? .milliseconds(100) : .seconds(10)
        lastDraw = start - interval
    }

    /// Reports `done` of `total` units finished, with optional trailing text (e.g. "loss 0.42"),
    /// which is formed only when the bar is drawn (a loop may update it for every frame).
    public func update(_ done: Int, info: @autoclosure () -> String = "") {
        self.done = done
        let now = ContinuousClock.now
        if now - lastDraw >= interval || done >= total {
            self.info = info()
            lastDraw = now
            draw(final: false)
        }
    }

    /// Draws the final state and ends the line.
    public func finish(info: String? = nil) {
        if let info { self.info = info }
        draw(final: true)
    }

    var elapsedSeconds: Double { (ContinuousClock.now - start).inSeconds }

    func draw(final: Bool) {
        if silent { return }
        let elapsed = elapsedSeconds
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let timing = final ? "in \(Progress.clock(elapsed))" : "ETA \(Progress.clock(remaining))"
        let stats = String(format: "%d/%d  %.1f it/s  %@", done, total, rate, timing)
        var line: String
        if isTerminal {
            let width = 24, filled = Int(Double(width) * Double(done) / Double(total))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            line = "\r\(label) [\(bar)] \(stats)  \(info)\u{1B}[K"
            if final { line += "\n" }
        } else {
            line = "\(label): \(stats)  \(info)\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// 83 seconds -> "1:23"; hours as "1:02:03".
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
