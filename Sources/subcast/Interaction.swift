import Dispatch
import Foundation
import SubcastCore
import SubcastIO

/// A progress bar on stderr: trials done, rate and time left. Shown only when stderr is a
/// terminal, only once a run has taken about a second, and never with `--quiet`. Updates are
/// throttled to ten a second and the line is cleared at the end, so it never mixes with results.
final class ProgressBar: @unchecked Sendable {
    private let total: Int
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var drawn = false
    private let lock = NSLock()
    let enabled: Bool

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func update(_ done: Int) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        lock.lock(); defer { lock.unlock() }
        let elapsed = Double(now - start) / 1e9
        guard elapsed >= 1, now - lastDraw >= 100_000_000 || done == total else { return }
        lastDraw = now
        drawn = true
        let fraction = Double(done) / Double(max(total, 1))
        let width = 24
        let filled = Int(fraction * Double(width))
        let rate = Double(done) / max(elapsed, 1e-9)
        let left = rate > 0 ? Double(total - done) / rate : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = String(format: "\rsubcast: [%@] %3.0f%%  %d/%d trials  %.0f trials/s  %@ left\u{1B}[K",
                          bar, 100 * fraction, done, total, rate, Self.duration(left))
        StandardStreams.writeError(line)
    }

    /// Clears the bar's line if it was drawn.
    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drawn { StandardStreams.writeError("\r\u{1B}[K") }
        drawn = false
    }

    static func duration(_ s: Double) -> String {
        if s < 60 { return String(format: "%.0f s", s) }
        if s < 3600 { return String(format: "%d min %02d s", Int(s) / 60, Int(s) % 60) }
        return String(format: "%d h %02d min", Int(s) / 3600, (Int(s) % 3600) / 60)
    }
}

/// Turns Ctrl-C (SIGINT) and SIGTERM into a cancellation flag that the engine polls between
/// blocks of trials, so a run stops cleanly: no result files are written (they are written only
/// after a complete run, through temporary files) and the tool exits 130 with a message.
/// A second Ctrl-C exits at once.
final class Interruption: @unchecked Sendable {
    private var flag = false
    private let lock = NSLock()
    private var sources: [DispatchSourceSignal] = []

    init() {
        // A parent may have blocked these signals (some test runners do); unblock them here.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [unowned self] in
                if self.isRequested {
                    StandardStreams.writeError("\nsubcast: interrupted again; exiting now\n")
                    // Not in the middle of writing outputs: a commit under way finishes first, so
                    // the files are all old or all new (OutputPlan).
                    OutputPlan.commitLock.lock()
                    exit(130)
                }
                self.lock.lock(); self.flag = true; self.lock.unlock()
                SimulationControl.requestStop()
                StandardStreams.writeError("\nsubcast: stopping after the current trials (Ctrl-C again to quit now)\n")
            }
            source.resume()
            sources.append(source)
        }
    }

    var isRequested: Bool {
        lock.lock(); defer { lock.unlock() }
        return flag
    }
}
