import Testing

@testable import Celery

@Suite struct KombuKeyLayoutTests {
    @Test func queueKeysPerPriorityStep() {
        let layout = KombuKeyLayout()
        #expect(layout.queueKey("celery") == b("celery"))
        #expect(layout.queueKey("celery", priority: 0) == b("celery"))
        #expect(layout.queueKey("celery", priority: 3) == b("celery") + sep + b("3"))
        #expect(layout.queueKey("celery", priority: 9) == b("celery") + sep + b("9"))
        #expect(KombuKeyLayout.priorityLevels == 0...9)
        #expect(layout.unackedKey == b("unacked"))
        #expect(layout.unackedIndexKey == b("unacked_index"))
        #expect(layout.bindingKey(exchange: "celery") == b("_kombu.binding.celery"))
        #expect(layout.bindingScanPattern == b("_kombu.binding.*"))
    }

    @Test func prefixAppliesToEveryKey() {
        let layout = KombuKeyLayout(prefix: "pfx:")
        #expect(layout.queueKey("high", priority: 6) == b("pfx:high") + sep + b("6"))
        #expect(layout.unackedKey == b("pfx:unacked"))
        #expect(layout.unackedIndexKey == b("pfx:unacked_index"))
        #expect(layout.bindingKey(exchange: "high") == b("pfx:_kombu.binding.high"))
        #expect(layout.bindingScanPattern == b("pfx:_kombu.binding.*"))
    }

    @Test func scanPatternEscapesGlobMetacharactersInThePrefix() {
        let layout = KombuKeyLayout(prefix: #"a*b?[c]\:"#)
        #expect(layout.bindingScanPattern == b(#"a\*b\?\[c\]\\:_kombu.binding.*"#))
        #expect(KombuKeyLayout.escapeGlob(b("plain:")) == b("plain:"))
    }

    @Test func customSeparator() {
        let layout = KombuKeyLayout(separator: b("|"))
        #expect(layout.queueKey("q", priority: 5) == b("q|5"))
        #expect(layout.decodeBindingMember(b("q||q")) == KombuBinding(routingKey: "q", pattern: "", queue: "q"))
    }

    @Test func exchangeFromBindingKey() {
        let plain = KombuKeyLayout()
        #expect(plain.exchange(fromBindingKey: b("_kombu.binding.celery")) == "celery")
        #expect(plain.exchange(fromBindingKey: b("_kombu.binding.reply.celery.pidbox")) == "reply.celery.pidbox")
        // kombu ≥ 5.7 bookkeeping keys are not binding tables.
        #expect(plain.exchange(fromBindingKey: b("_kombu.binding_permanent.celery")) == nil)
        #expect(plain.exchange(fromBindingKey: b("_kombu.binding_deadlines")) == nil)
        #expect(plain.exchange(fromBindingKey: b("_kombu.binding.")) == nil)
        #expect(plain.exchange(fromBindingKey: b("celery")) == nil)
        #expect(plain.exchange(fromBindingKey: b("_kombu.binding.") + [0xFF]) == nil)

        let prefixed = KombuKeyLayout(prefix: "pfx:")
        #expect(prefixed.exchange(fromBindingKey: b("pfx:_kombu.binding.high")) == "high")
        #expect(prefixed.exchange(fromBindingKey: b("_kombu.binding.high")) == nil)
        #expect(prefixed.exchange(fromBindingKey: b("pfx:_kombu.binding_permanent.high")) == nil)
    }

    @Test func decodesBindingMembersFromTheModelDoc() {
        let layout = KombuKeyLayout()
        // Key names as kombu 5.x writes them.
        #expect(
            layout.decodeBindingMember(b("celery") + sep + sep + b("celery"))
                == KombuBinding(routingKey: "celery", pattern: "", queue: "celery"))
        let evMember = b("worker.#") + sep + sep + b("celeryev.6f0c1d9e-1b1a-4b4e-9c43-0d3b6c8f2a11")
        let ev = layout.decodeBindingMember(evMember)
        #expect(ev?.routingKey == "worker.#")
        #expect(ev.map { KombuKeyLayout.isFanoutQueue($0.queue) } == true)
        let pidbox = layout.decodeBindingMember(sep + sep + b("w1@vm.celery.pidbox"))
        #expect(pidbox == KombuBinding(routingKey: "", pattern: "", queue: "w1@vm.celery.pidbox"))
        #expect(KombuKeyLayout.isFanoutQueue("w1@vm.celery.pidbox"))
        #expect(KombuKeyLayout.isFanoutQueue("4213a6cf-d674-3e0d-ac78-b5f0e17b71ec.reply.celery.pidbox"))
        #expect(!KombuKeyLayout.isFanoutQueue("celery"))
        #expect(!KombuKeyLayout.isFanoutQueue("pidbox-reports"))
    }

    @Test func malformedBindingMembersAreRejected() {
        let layout = KombuKeyLayout()
        #expect(layout.decodeBindingMember(b("celery")) == nil)  // no separator
        #expect(layout.decodeBindingMember(b("celery") + sep + b("celery")) == nil)  // two fields
        #expect(layout.decodeBindingMember(b("a") + sep + b("b") + sep + b("c") + sep + b("d")) == nil)  // four
        #expect(layout.decodeBindingMember(b("celery") + sep + sep) == nil)  // empty queue
        #expect(layout.decodeBindingMember(sep + sep + [0xC3, 0x28]) == nil)  // not UTF-8
        #expect(layout.decodeBindingMember([]) == nil)
        #expect(layout.decodeBindingMember([0x06]) == nil)  // half a separator
    }

    @Test func fanoutExchanges() {
        for exchange in ["celery.pidbox", "reply.celery.pidbox", "celeryev"] {
            #expect(KombuKeyLayout.isFanoutExchange(exchange))
        }
        #expect(!KombuKeyLayout.isFanoutExchange("celery"))
    }
}
