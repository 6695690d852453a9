import Foundation

/// A slow DNS server without touching the machine's resolver: an `LD_PRELOAD` library, compiled
/// from C by the test, that wraps `getaddrinfo`. A name `<ms>.slow.invalid` sleeps `<ms>`
/// milliseconds and then resolves to 127.0.0.1; every other name goes to the real resolver.
/// Load it into the exporter with ``environment``.
public enum SlowResolverShim {
    static let source = #"""
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <netdb.h>
        #include <stdlib.h>
        #include <string.h>
        #include <time.h>

        typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *, struct addrinfo **);

        int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
            gai_fn real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
            const char *suffix = ".slow.invalid";
            size_t n = node ? strlen(node) : 0, s = strlen(suffix);
            if (n > s && strcmp(node + n - s, suffix) == 0) {
                long ms = strtol(node, NULL, 10);
                struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
                while (nanosleep(&ts, &ts) != 0) {}
                struct addrinfo h;
                memset(&h, 0, sizeof h);
                if (hints) h = *hints;
                h.ai_flags &= ~AI_ADDRCONFIG; /* a sandbox may have only loopback */
                h.ai_family = AF_INET;
                return real("127.0.0.1", service, &h, res);
            }
            return real(node, service, hints, res);
        }
        """#

    private static let built: Result<String, HarnessError> = {
        do {
            let cc = try requireTool("cc")
            let dir = try makeTemporaryDirectory("slow-resolver")
            let c = dir.appendingPathComponent("slow_resolver.c")
            let so = dir.appendingPathComponent("libslow_resolver.so")
            try source.write(to: c, atomically: true, encoding: .utf8)
            let result = try runCommand(cc, ["-shared", "-fPIC", "-O1", "-o", so.path, c.path, "-ldl"])
            guard result.status == 0 else { return .failure(HarnessError("cc failed: \(result.stderr)")) }
            return .success(so.path)
        } catch let error as HarnessError {
            return .failure(error)
        } catch {
            return .failure(HarnessError("building the resolver shim: \(error)"))
        }
    }()

    /// The path of the compiled library (built once per test process).
    public static func libraryPath() throws -> String { try built.get() }

    /// Environment that loads the shim into a child process.
    public static func environment() throws -> [String: String] { ["LD_PRELOAD": try libraryPath()] }

    /// A host name that takes `seconds` to resolve under the shim.
    public static func host(resolvingIn seconds: Double) -> String { "\(Int(seconds * 1000)).slow.invalid" }
}
