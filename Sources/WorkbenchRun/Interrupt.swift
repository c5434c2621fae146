// Ctrl-C handling: the first SIGINT asks the running experiment to stop after its current step
// (it then writes a checkpoint); a second one exits at once.
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public enum Interrupt {
    static let requested = Atomic<Bool>(false)

    /// Whether Ctrl-C was pressed since `install()` (or `request()` was called).
    public static var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Asks the running experiment to stop (what Ctrl-C does; also used by tests).
    public static func request() { requested.store(true, ordering: .relaxed) }

    public static func reset() { requested.store(false, ordering: .relaxed) }

    /// Installs the SIGINT handler.
    public static func install() {
        signal(SIGINT) { _ in
            if Interrupt.requested.exchange(true, ordering: .relaxed) { _exit(130) }
            let message = "\nStopping after this step and saving a checkpoint (Ctrl-C again to quit now)...\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
        }
    }
}
