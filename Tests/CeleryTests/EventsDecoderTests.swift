import TLS
import Testing

@testable import Celery

@Suite struct EventsDecoderTests {
    let decoder = CeleryEventDecoder(channels: CeleryEventChannels(keyPrefix: "", database: 0))

    @Test func base64DecodesKombuBodyFromTheModelDoc() {
        // The start of a real message body (Tests/CeleryTests/CeleryFixtures.swift).
        let decoded = Base64.decode(
            "W1sxLCAxXSwge30sIHsiY2FsbGJhY2tzIjogbnVs".utf8, options: CeleryEventDecoder.kombuBase64)
        #expect(decoded.map { String(decoding: $0, as: UTF8.self) } == #"[[1, 1], {}, {"callbacks": nul"#)
    }

    @Test func base64RoundTripsEveryLengthAndByte() {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 251) }
            let text = EventsFixtures.base64Encode(bytes)
            #expect(Base64.decode(text.utf8, options: CeleryEventDecoder.kombuBase64) == bytes, "length \(length)")
            // Unpadded input is accepted too.
            let unpadded = text.filter { $0 != "=" }
            #expect(
                Base64.decode(unpadded.utf8, options: CeleryEventDecoder.kombuBase64) == bytes,
                "unpadded length \(length)")
        }
    }

    @Test(arguments: ["QQ=", "Q", "QQ==QQ==", "QU*B", "QUJD=", "=QUJD", "QUJDRA=", "\u{00e9}AAA"])
    func base64RejectsMalformedInput(_ text: String) {
        #expect(Base64.decode(text.utf8, options: CeleryEventDecoder.kombuBase64) == nil)
    }

    @Test func heartbeatEnvelopeFromTheModelDoc() throws {
        let (channel, payload) = EventsFixtures.heartbeat(active: 2, processed: 17)
        let event = try decoder.decode(channel: channel, payload: payload)
        #expect(
            event
                == .worker(
                    .init(
                        kind: .heartbeat, hostname: "w1@vm", frequency: 2.0, active: 2, processed: 17, pid: 19690,
                        clock: 6)))
    }

    @Test func onlineAndOfflineEvents() throws {
        for (type, kind) in [
            ("worker-online", CeleryEvent.Worker.Kind.online), ("worker-offline", .offline),
        ] {
            let (channel, payload) = EventsFixtures.heartbeat(type: type)
            let event = try decoder.decode(channel: channel, payload: payload)
            guard case .worker(let worker)? = event else {
                Issue.record("no worker event for \(type)")
                continue
            }
            #expect(worker.kind == kind)
            #expect(worker.hostname == "w1@vm")
        }
    }

    @Test func plainJSONBodyIsAcceptedDefensively() throws {
        let payload = EventsFixtures.envelope(body: EventsFixtures.heartbeatBody(active: 3), base64: false)
        let event = try CeleryEventDecoder.decodeWorkerEnvelope(payload)
        #expect(event?.active == 3)
        // A body that is already an object.
        let inline = Array(#"{"body": \#(EventsFixtures.heartbeatBody(active: 4)), "properties": {}}"#.utf8)
        #expect(try CeleryEventDecoder.decodeWorkerEnvelope(inline)?.active == 4)
        // Base64 without a declared body_encoding.
        let undeclared = Array(
            #"{"body": "\#(EventsFixtures.base64Encode(Array(EventsFixtures.heartbeatBody(active: 5).utf8)))"}"#.utf8)
        #expect(try CeleryEventDecoder.decodeWorkerEnvelope(undeclared)?.active == 5)
    }

    @Test func otherWorkerEventTypesAreIgnored() throws {
        let body = #"{"hostname": "w1@vm", "type": "worker-custom"}"#
        #expect(try CeleryEventDecoder.decodeWorkerEnvelope(EventsFixtures.envelope(body: body)) == nil)
    }

    @Test func resultMetasFromTheModelDoc() throws {
        let id = "f01597e9-aaaa-bbbb-cccc-000000000001"
        let channel = EventsFixtures.resultChannel(id)
        #expect(
            try decoder.decode(channel: channel, payload: EventsFixtures.success(id))
                == .taskResult(.init(taskID: id, state: .success)))
        #expect(
            try decoder.decode(channel: channel, payload: EventsFixtures.started(id))
                == .taskResult(.init(taskID: id, state: .started)))
        #expect(
            try decoder.decode(channel: channel, payload: EventsFixtures.retry(id))
                == .taskResult(.init(taskID: id, state: .retry)))
        #expect(
            try decoder.decode(channel: channel, payload: EventsFixtures.failure(id))
                == .taskResult(.init(taskID: id, state: .failure, workerLost: false, exceptionType: "ValueError")))
        #expect(
            try decoder.decode(channel: channel, payload: EventsFixtures.workerLost(id))
                == .taskResult(.init(taskID: id, state: .failure, workerLost: true, exceptionType: "WorkerLostError")))
        #expect(
            try decoder.decode(
                channel: channel, payload: EventsFixtures.extended(id, status: "SUCCESS", name: "app.slow"))
                == .taskResult(.init(taskID: id, state: .success, taskName: "app.slow")))
        #expect(
            try decoder.decode(channel: channel, payload: Array(#"{"status": "PROGRESS", "result": {}}"#.utf8))
                == .taskResult(.init(taskID: id, state: .other)))
    }

    @Test func prefixedAndOtherDatabaseChannels() throws {
        let prefixed = CeleryEventDecoder(channels: CeleryEventChannels(keyPrefix: "prod:", database: 3))
        let (channel, payload) = EventsFixtures.heartbeat(prefix: "prod:", db: 3)
        #expect(try prefixed.decode(channel: channel, payload: payload) != nil)
        // Unprefixed, or another database's heartbeat: not ours.
        #expect(try prefixed.decode(channel: EventsFixtures.heartbeat().channel, payload: payload) == nil)
        #expect(
            try prefixed.decode(channel: EventsFixtures.heartbeat(prefix: "prod:").channel, payload: payload) == nil)
        let id = "abc"
        #expect(
            try prefixed.decode(
                channel: EventsFixtures.resultChannel(id, prefix: "prod:"), payload: EventsFixtures.success(id))
                == .taskResult(.init(taskID: id, state: .success)))
    }

    @Test func patternsEscapeThePrefixAndCarryTheDatabase() {
        let channels = CeleryEventChannels(keyPrefix: "app[1]:", database: 5)
        #expect(String(decoding: channels.resultPattern, as: UTF8.self) == #"app\[1\]:celery-task-meta-*"#)
        #expect(String(decoding: channels.workerPattern, as: UTF8.self) == #"app\[1\]:/5.celeryev/worker.*"#)
        #expect(String(decoding: channels.taskPattern, as: UTF8.self) == #"app\[1\]:/5.celeryev/task.*"#)
        let plain = CeleryEventChannels(keyPrefix: "", database: 0)
        #expect(
            plain.patterns.map { String(decoding: $0, as: UTF8.self) } == [
                "celery-task-meta-*", "/0.celeryev/worker.*", "/0.celeryev/task.*",
            ])
    }

    @Test func garbageNeverTrapsAndIsAnError() {
        let resultChannel = EventsFixtures.resultChannel("x")
        let workerChannel = EventsFixtures.heartbeat().channel
        let garbage: [[UInt8]] = [
            [], [0xFF, 0xFE, 0x00], Array("null".utf8), Array("[1,2]".utf8), Array("{\"status\": 5}".utf8),
            Array("{\"body\": \"%%%\", \"properties\": {\"body_encoding\": \"base64\"}}".utf8),
            Array("{\"body\": \"bm90IGpzb24=\", \"properties\": {\"body_encoding\": \"base64\"}}".utf8),
            Array("{\"body\": 5}".utf8),
            Array("{\"body\": \"x\", \"content-type\": \"application/x-python-serialize\"}".utf8),
            Array(String(repeating: "[", count: 10_000).utf8),
            EventsFixtures.envelope(body: #"{"type": "worker-heartbeat", "hostname": ""}"#),
            EventsFixtures.envelope(body: #"{"type": "worker-heartbeat"}"#),
            Array(EventsFixtures.envelope(body: EventsFixtures.heartbeatBody()).prefix(60)),
        ]
        for payload in garbage {
            for channel in [resultChannel, workerChannel] {
                #expect(throws: CeleryEventDecodingError.self) {
                    _ = try decoder.decode(channel: channel, payload: payload)
                }
            }
        }
    }

    @Test func outOfRangeNumbersAreDropped() throws {
        let body = #"{"hostname": "w1@vm", "type": "worker-heartbeat", "freq": -1, "active": 1.5, "processed": -3}"#
        let event = try CeleryEventDecoder.decodeWorkerEnvelope(EventsFixtures.envelope(body: body))
        #expect(event == CeleryEvent.Worker(kind: .heartbeat, hostname: "w1@vm"))
    }

    /// A worker event over ``CeleryEventDecoder/maximumWorkerEventBytes`` is refused unread (a
    /// forged 16 MiB heartbeat of empty lists took ~280 MB to parse and was accepted); a real
    /// heartbeat padded to exactly the limit is still read.
    @Test func workerEventsAreCappedInSizeBeforeParsing() throws {
        let limit = CeleryEventDecoder.maximumWorkerEventBytes
        let real = EventsFixtures.envelope(body: EventsFixtures.heartbeatBody(active: 7))
        #expect(real.count < 1_024)  // a real one, kombu envelope and base64 body included
        // Whitespace before the closing brace pads without changing the event.
        let padded = Array(real.dropLast()) + Array(repeating: UInt8(ascii: " "), count: limit - real.count) + [0x7D]
        #expect(padded.count == limit)
        #expect(try CeleryEventDecoder.decodeWorkerEnvelope(padded)?.active == 7)
        let over = Array(padded.dropLast()) + [UInt8(ascii: " "), 0x7D]
        #expect(throws: CeleryEventDecodingError.tooLarge(limit + 1, limit: limit)) {
            try CeleryEventDecoder.decodeWorkerEnvelope(over)
        }
        // The auditor's payload shape: a bare event padded with many empty lists.
        var forged = Array(#"{"type":"worker-heartbeat","hostname":"big@x","freq":2,"junk":["#.utf8)
        for _ in 0..<100_000 { forged += Array("[],".utf8) }
        forged += Array("[]]}".utf8)
        let channel = Array("/0.celeryev/worker.heartbeat".utf8)
        #expect(throws: CeleryEventDecodingError.tooLarge(forged.count, limit: limit)) {
            try decoder.decode(channel: channel, payload: forged)
        }
    }

    /// Worker event envelopes and bodies are held to a small nesting depth (real ones are 3 deep).
    @Test func workerEventsAreCappedInDepth() throws {
        let depth = CeleryEventDecoder.workerEventMaxDepth
        func nested(_ levels: Int) -> String {
            String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
        }
        // Within the limit: the event is read (its extra field is ignored).
        let shallow = #"{"hostname": "w1@vm", "type": "worker-heartbeat", "x": \#(nested(depth - 1))}"#
        #expect(try CeleryEventDecoder.decodeWorkerEnvelope(EventsFixtures.envelope(body: shallow)) != nil)
        // One level more in the base64 body, or in the envelope itself: an error, not an event.
        let deep = #"{"hostname": "w1@vm", "type": "worker-heartbeat", "x": \#(nested(depth))}"#
        #expect(throws: CeleryEventDecodingError.self) {
            try CeleryEventDecoder.decodeWorkerEnvelope(EventsFixtures.envelope(body: deep))
        }
        #expect(throws: CeleryEventDecodingError.self) {
            try CeleryEventDecoder.decodeWorkerEnvelope(Array(deep.utf8))
        }
    }
}
