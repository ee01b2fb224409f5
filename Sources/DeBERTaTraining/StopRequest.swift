import Dispatch
import Foundation
import Synchronization

/// A request to stop a long run cleanly, set by SIGTERM or SIGINT once ``install()`` has run: the
/// training loops check it after every update, write a checkpoint at that point and end with
/// ``TrainingError/stopped(signal:step:checkpoint:)``, so that a run stopped by a scheduler or by
/// Ctrl-C continues with `--resume` where it stopped. A second signal of the same kind while the
/// checkpoint is written ends the process at once, as the signal normally would.
public enum StopRequest {
    private static let received = Atomic<Int32>(0)
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let installed = Mutex(false)

    /// The signal that asked the run to stop, if one has.
    public static var signal: Int32? {
        let value = received.load(ordering: .acquiring)
        return value == 0 ? nil : value
    }

    /// Routes SIGTERM and SIGINT to the request instead of ending the process (idempotent).
    public static func install() {
        installed.withLock { done in
            guard !done else { return }
            done = true
            for number in [SIGTERM, SIGINT] {
                Foundation.signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    if received.compareExchange(expected: 0, desired: number, ordering: .acquiringAndReleasing).exchanged { return }
                    Foundation.signal(number, SIG_DFL)
                    raise(number)
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}
