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
