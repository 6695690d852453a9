import Foundation
import TLS
import TestSupport
import Testing

/// `--web.config.file` end to end: the exporter binary with TLS (client certificates required),
/// basic authentication and headers, reached by curl and scraped by a real Prometheus; reloads
/// that keep the old configuration when the new one is bad.
@Suite(.serialized) struct WebSecurityEndToEndTests {
    let certs: TestCertificates
    let password = "scrape-me"
    let hash: String

    init() throws {
        certs = try TestCertificates()
        hash = try #require(Bcrypt.hash(password: Array("scrape-me".utf8), cost: 6))
    }

    func webConfig(users: [String: String], clientAuth: String = "RequireAndVerifyClientCert", tls: Bool = true)
        -> String
    {
        var yaml = ""
        if tls {
            yaml += """
                tls_server_config:
                  cert_file: server.pem
                  key_file: server.key
                  client_auth_type: \(clientAuth)
                  client_ca_file: ca.pem

                """
        }
        yaml += "http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\nbasic_auth_users:\n"
        for (user, hash) in users { yaml += "  \(user): \(hash)\n" }
        return yaml
    }

    /// curl over TLS with the client certificate; returns the HTTP status ("000": no response).
    func curl(
        _ port: UInt16, _ path: String, user: String? = nil, clientCertificate: Bool = true, headersTo: String? = nil
    ) throws -> String {
        var args = ["-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", certs.caCert]
        if clientCertificate { args += ["--cert", certs.clientCert, "--key", certs.clientKey] }
        if let user { args += ["-u", user] }
        if let headersTo { args += ["-D", headersTo] }
        return try runCommand(try requireTool("curl"), args + ["https://localhost:\(port)\(path)"]).stdout
    }

    func startExporter(_ redis: RedisServer, file: String) throws -> ExporterProcess {
        let caCert = certs.caCert
        let clientCert = certs.clientCert
        let clientKey = certs.clientKey
        let password = self.password
        let curlPath = try requireTool("curl")
        return try ExporterProcess(
            arguments: [
                "--redis.url=redis://127.0.0.1:\(redis.port)/0", "--poll.interval=0.5s", "--web.config.file=\(file)",
            ],
            isUp: { port in
                let r = try? runCommand(
                    curlPath,
                    [
                        "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", caCert, "--cert", clientCert,
                        "--key", clientKey,
                        "-u", "prom:\(password)", "https://localhost:\(port)/-/healthy",
                    ])
                return r?.stdout == "200"
            })
    }

    @Test func curlAndARealPrometheusGetInOnlyWithTheClientCertificateAndThePassword() throws {
        let redis = try RedisServer()
        let file = certs.directory + "/web.yml"
        try webConfig(users: ["prom": hash]).write(toFile: file, atomically: true, encoding: .utf8)
        let exporter = try startExporter(redis, file: file)
        defer { exporter.terminate() }
        let port = exporter.port

        let headers = certs.directory + "/headers.txt"
        #expect(try curl(port, "/metrics", user: "prom:\(password)", headersTo: headers) == "200")
        #expect(
            try String(contentsOfFile: headers, encoding: .utf8).lowercased().contains(
                "x-content-type-options: nosniff"))
        #expect(try curl(port, "/metrics", user: "prom:wrong") == "401")
        #expect(try curl(port, "/metrics") == "401")
        #expect(try curl(port, "/-/ready") == "401")  // every endpoint, probes included
        #expect(try curl(port, "/metrics", user: "prom:\(password)", clientCertificate: false) == "000")
        #expect(try httpRequest(port: port, path: "/metrics").status == 400)  // plain HTTP to the TLS port

        // Prometheus: one job with the right credentials (up 1), one with a wrong password (up 0).
        let prometheus = try requireTool("prometheus")
        let promPort = try freePort()
        let dir = try makeTemporaryDirectory("prometheus").path
        let job = { (name: String, password: String) in
            """
              - job_name: \(name)
                scheme: https
                tls_config:
                  ca_file: \(certs.caCert)
                  cert_file: \(certs.clientCert)
                  key_file: \(certs.clientKey)
                basic_auth:
                  username: prom
                  password: \(password)
                static_configs:
                  - targets: ['localhost:\(port)']

            """
        }
        try
            ("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n" + job("celery", password)
            + job("wrong", "nope"))
            .write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: prometheus)
        process.arguments = [
            "--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dir)/tsdb",
            "--web.listen-address=127.0.0.1:\(promPort)",
            "--log.level=warn",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try spawnWithDefaultSignalMask { try process.run() }
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        func up(_ job: String) -> String? {
            guard let r = try? httpRequest(port: promPort, path: "/api/v1/query?query=up%7Bjob%3D%22\(job)%22%7D"),
                r.status == 200, let range = r.text.range(of: "\"value\":[")
            else { return nil }
            return r.text[range.upperBound...].split(separator: "\"").dropFirst(1).first.map(String.init)
        }
        #expect(
            waitUntil(timeout: 30) { up("celery") == "1" },
            "Prometheus never scraped the exporter: up=\(up("celery") ?? "none")")
        #expect(
            waitUntil(timeout: 10) { up("wrong") == "0" },
            "the wrong password was not refused: up=\(up("wrong") ?? "none")")
        // What Prometheus scraped is the exporter's own data.
        let r = try httpRequest(port: promPort, path: "/api/v1/query?query=celery_redis_up%7Bjob%3D%22celery%22%7D")
        #expect(r.text.contains("\"1\"]"), "\(r.text)")
    }

    @Test func aReloadAppliesAGoodFileAndKeepsTheOldConfigurationForABadOne() throws {
        let redis = try RedisServer()
        let file = certs.directory + "/web-reload.yml"
        try webConfig(users: ["prom": hash], clientAuth: "VerifyClientCertIfGiven").write(
            toFile: file, atomically: true, encoding: .utf8)
        let exporter = try startExporter(redis, file: file)
        defer { exporter.terminate() }
        let port = exporter.port
        #expect(try curl(port, "/metrics", user: "prom:\(password)") == "200")

        // A bad file (a plain-text password): refused, the old password still works.
        try webConfig(users: ["prom": "plaintext"], clientAuth: "VerifyClientCertIfGiven").write(
            toFile: file, atomically: true, encoding: .utf8)
        kill(exporter.process.processIdentifier, SIGHUP)
        #expect(waitUntil(timeout: 10) { exporter.stderr.contains("web configuration reload failed") })
        #expect(!exporter.stderr.contains("plaintext"))
        #expect(try curl(port, "/metrics", user: "prom:\(password)") == "200")

        // Turning TLS off needs a restart: refused as well.
        try webConfig(users: ["prom": hash], tls: false).write(toFile: file, atomically: true, encoding: .utf8)
        kill(exporter.process.processIdentifier, SIGHUP)
        #expect(waitUntil(timeout: 10) { exporter.stderr.contains("turning TLS off needs a restart") })
        #expect(try curl(port, "/metrics", user: "prom:\(password)") == "200")

        // A good file with a rotated password and client certificates now required.
        let rotated = try #require(Bcrypt.hash(password: Array("rotated".utf8), cost: 6))
        try webConfig(users: ["prom": rotated]).write(toFile: file, atomically: true, encoding: .utf8)
        kill(exporter.process.processIdentifier, SIGHUP)
        #expect(waitUntil(timeout: 10) { exporter.stderr.contains("web configuration reloaded") })
        #expect(try curl(port, "/metrics", user: "prom:rotated") == "200")
        #expect(try curl(port, "/metrics", user: "prom:\(password)") == "401")
        #expect(try curl(port, "/metrics", user: "prom:rotated", clientCertificate: false) == "000")
    }
}
