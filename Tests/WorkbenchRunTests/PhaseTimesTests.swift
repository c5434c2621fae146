// PhaseTimes: per-phase wall time of a training loop, including the time inside a sequence's next().
import Foundation
import Testing
import WorkbenchRun

struct PhaseTimesTests {
    @Test func accumulatesPerPhaseAndCountsIteration() {
        let times = PhaseTimes()
        let slow = (0..<3).lazy.map { i -> Int in Thread.sleep(forTimeInterval: 0.02); return i }
        var seen: [Int] = []
        for i in times.timed(slow) {
            seen.append(times.measure("forward") { Thread.sleep(forTimeInterval: 0.01); return i })
        }
        #expect(seen == [0, 1, 2])
        // Sleeps are lower bounds; the upper bounds only guard against counting a phase twice.
        #expect(times.seconds["data"]! >= 0.06 && times.seconds["data"]! < 0.5)
        #expect(times.seconds["forward"]! >= 0.03 && times.seconds["forward"]! < 0.5)
        #expect(Set(times.seconds.keys) == ["data", "forward"])
        let line = times.breakdown(total: 1)
        #expect(line.hasPrefix("data ") && line.contains("forward ") && line.contains("other "), "\(line)")
    }
}
