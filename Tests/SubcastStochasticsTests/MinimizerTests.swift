import Foundation
import Testing
@testable import SubcastStochastics

@Suite struct MinimizerTests {
    @Test func rosenbrock() throws {
        let r = try Minimizer.nelderMead(start: [-1.2, 1], step: [0.5, 0.5], tolerance: 1e-10) { x in
            100 * pow(x[1] - x[0] * x[0], 2) + pow(1 - x[0], 2)
        }
        #expect(r.converged, "\(r)")
        #expect(abs(r.x[0] - 1) < 1e-6 && abs(r.x[1] - 1) < 1e-6, "\(r)")
    }

    @Test func infinityOutsideTheDomainIsAvoided() throws {
        let r = try Minimizer.nelderMead(start: [2], step: [0.5], tolerance: 1e-7) { x in
            x[0] <= 0 ? .infinity : x[0] - log(x[0])   // minimum at 1
        }
        #expect(r.converged, "\(r)"); #expect(abs(r.x[0] - 1) < 1e-6, "\(r)")
    }

    @Test func inverseAndDefiniteness() throws {
        let a = [[4.0, 1.0], [1.0, 3.0]]
        let inv = try LinearAlgebra.inverse(a)
        #expect(abs(inv[0][0] - 3.0 / 11) < 1e-15 && abs(inv[0][1] + 1.0 / 11) < 1e-15 && abs(inv[1][1] - 4.0 / 11) < 1e-15)
        #expect(LinearAlgebra.isPositiveDefinite(a))
        #expect(!LinearAlgebra.isPositiveDefinite([[1, 2], [2, 1]]))
        #expect(throws: GSLError.self) { try LinearAlgebra.inverse([[1, 2], [2, 4]]) }
    }
}

@Suite struct HistogramTests {
    @Test func binsCountEveryValueOnce() {
        let x = (0..<1000).map { Double($0) / 10 }          // 0.0 ... 99.9
        let (edges, counts) = SampleStatistics.histogram(x, bins: 10, lower: 0, upper: 99.9)
        #expect(edges.count == 11 && edges.first == 0 && edges.last == 99.9)
        #expect(counts.reduce(0, +) == 1000, "\(counts)")
        #expect(counts.allSatisfy { $0 >= 99 && $0 <= 101 }, "\(counts)")
        #expect(SampleStatistics.histogram([-1, 5, 11], bins: 2, lower: 0, upper: 10).counts == [0, 1])
    }
}

@Suite struct RootFinderTests {
    @Test func brentFindsKnownRoots() throws {
        let r = try RootFinder.brent(lower: 0, upper: 2, absoluteTolerance: 1e-12, relativeTolerance: 0) { $0 * $0 - 2 }
        #expect(abs(r.root - 2.0.squareRoot()) < 1e-10 && r.converged)
        let c = try RootFinder.brent(lower: 0, upper: 1, relativeTolerance: 1e-10) { cos($0 * .pi) }
        #expect(abs(c.root - 0.5) < 1e-9)
        // A step function: converges to the jump.
        let s = try RootFinder.brent(lower: 0, upper: 10, absoluteTolerance: 1e-9, relativeTolerance: 0) { $0 < 3.25 ? -1 : 1 }
        #expect(abs(s.root - 3.25) < 1e-8)
        #expect(throws: GSLError.self) { try RootFinder.brent(lower: 0, upper: 1) { $0 + 1 } }
    }
}
