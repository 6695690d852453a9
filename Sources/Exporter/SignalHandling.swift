import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The process-wide stop request that SIGTERM and SIGINT trigger. A global `let` of a Sendable
/// type: the signal handler may only touch async-signal-safe state (an atomic store and an eventfd write).
let processStopSignal = StopSignal()
/// Set by SIGHUP; the main loop turns it into a reload.
let reloadRequested = Atomic<Bool>(false)

/// Installs handlers for SIGTERM/SIGINT (graceful stop) and SIGHUP (reload request), and ignores
/// SIGPIPE (a peer closing a socket must not kill the process; OpenSSL's socket BIO uses write()).
///
/// Defined outside `main.swift` on purpose: handlers formed in top-level code are main-actor
/// isolated and trap when the kernel runs them (Swift 6 checks the executor on entry).
func installSignalHandlers() {
    signal(SIGPIPE, SIG_IGN)
    // A parent (a test runner, some process supervisors) can hand down a signal mask with SIGTERM
    // blocked; a handler alone would then never run and `kill` could not stop us gracefully.
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for sig in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&unblock, sig) }
    sigprocmask(SIG_UNBLOCK, &unblock, nil)
    for sig in [SIGTERM, SIGINT] {
        var action = sigaction()
        // sa_flags = 0 (no SA_RESTART): blocking calls return EINTR and loops re-check the flag.
        action.__sigaction_handler.sa_handler = { _ in processStopSignal.trigger() }
        action.sa_flags = 0
        sigemptyset(&action.sa_mask)
        sigaction(sig, &action, nil)
    }
    var hup = sigaction()
    hup.__sigaction_handler.sa_handler = { _ in reloadRequested.store(true, ordering: .relaxed) }
    hup.sa_flags = 0
    sigemptyset(&hup.sa_mask)
    sigaction(SIGHUP, &hup, nil)
}
