import Testing

@testable import Notify

/// YAML aliases in the alerting configuration: shared subtrees keep working, and an alias bomb
/// (routes that nest aliases of routes, 10⁷ routes once expanded) is refused with its place
/// instead of being walked route by route (before the libyaml reader, `readRoute` visited every
/// expanded route: minutes of CPU and gigabytes of memory from a 1 KiB file).
@Suite struct AlertingConfigurationAliasTests {
    /// `route.routes` holding `levels` anchored routes, each with ten aliases of the one before.
    static func nestedRoutes(levels: Int) -> String {
        var text = "route:\n  receiver: r\n  routes:\n"
        text += "    - &r1 {receiver: r, routes: [&r0 {receiver: r}"
        text += String(repeating: ", *r0", count: 9) + "]}\n"
        for level in 2...levels {
            text += "    - &r\(level) {receiver: r, routes: ["
            text += Array(repeating: "*r\(level - 1)", count: 10).joined(separator: ", ") + "]}\n"
        }
        return text + "receivers:\n  - name: r\n"
    }

    @Test(.timeLimit(.minutes(1))) func anAliasBombOfRoutesIsRefused() throws {
        let error = #expect(throws: AlertingConfigurationError.self) {
            try Fixtures.configuration(Self.nestedRoutes(levels: 7))
        }
        // r6 is the first route whose expansion passes a million nodes.
        #expect(error?.line == 9, "\(String(describing: error))")
        #expect(error?.message.contains("aliases expand to more than") == true, "\(String(describing: error))")
    }

    @Test func sharedRoutesWithinTheCapAreRead() throws {
        let configuration = try Fixtures.configuration(Self.nestedRoutes(levels: 3))
        #expect(configuration.route.routes.count == 3)
        #expect(configuration.route.routes[2].routes.count == 10)
        #expect(configuration.route.routes[2].routes[9].routes[9].routes.count == 10)
        #expect(configuration.route.allReceivers.allSatisfy { $0 == "r" })
    }
}
