import CGSL

/// Gauss quadrature for the Beta distribution: K nodes p_1 ... p_K in (0, 1) and weights
/// w_1 ... w_K (summing to 1) with sum_k w_k f(p_k) = E[f(p)], p ~ Beta(alpha, beta), exactly
/// for every polynomial f of degree at most 2K - 1: the Golub-Welsch eigenproblem of the Jacobi
/// polynomials' recurrence, solved with GSL's symmetric eigensolver (`gsl_eigen_symmv`).
///
/// With f(p) = (1 - p)^t this is the sBG survival S(t) = B(alpha, beta + t) / B(alpha, beta),
/// exact for t <= 2K - 1: K homogeneous classes of churn probability p_k, in shares w_k,
/// reproduce the shifted-beta-geometric model.
///
/// ```swift
/// let rule = try GaussJacobi.betaRule(points: 12, alpha: 0.5, beta: 12)
/// let s3 = zip(rule.nodes, rule.weights).reduce(0) { $0 + $1.1 * pow(1 - $1.0, 3) }
/// ```
public enum GaussJacobi {
    /// The most points a rule may have.
    public static let maximumPoints = 64

    public struct Rule: Sendable, Hashable {
        /// Ascending.
        public var nodes: [Double]
        public var weights: [Double]
        public init(nodes: [Double], weights: [Double]) {
            self.nodes = nodes
            self.weights = weights
        }
    }

    /// The K-point rule of Beta(alpha, beta); alpha, beta in [1e-6, 1e6], K in 1 ... 64. A
    /// `GSLError` when the eigensolver fails or a node or weight is not finite.
    public static func betaRule(points k: Int, alpha: Double, beta: Double) throws(GSLError) -> Rule {
        GSL.initialize()
        guard k >= 1, k <= maximumPoints, alpha.isFinite, beta.isFinite, alpha >= 1e-6, beta >= 1e-6, alpha <= 1e6, beta <= 1e6 else {
            throw GSLError(function: "GaussJacobi.betaRule", status: Int32(GSL_EDOM),
                           message: "expected 1 ... \(maximumPoints) points and alpha, beta in [1e-6, 1e6], got \(k), \(alpha), \(beta)")
        }
        if k == 1 { return Rule(nodes: [alpha / (alpha + beta)], weights: [1]) }
        // Golub-Welsch: the nodes are the eigenvalues of the Jacobi matrix of the orthonormal
        // Jacobi polynomials for the weight (1 - x)^a (1 + x)^b on [-1, 1] (a = beta - 1,
        // b = alpha - 1, x = 2p - 1), the weights the squared first components of its
        // eigenvectors (normalised, so no gamma function of the parameters can overflow, as
        // GSL's `gsl_integration_fixed_jacobi` does for beta above about 170).
        let a = beta - 1, b = alpha - 1
        var diagonal = [Double](repeating: 0, count: k), offDiagonal = [Double](repeating: 0, count: k - 1)
        for n in 0..<k {
            let nn = Double(n), s = 2 * nn + a + b
            diagonal[n] = n == 0 ? (b - a) / (a + b + 2) : (b * b - a * a) / (s * (s + 2))
        }
        for n in 1..<k {
            let nn = Double(n), s = 2 * nn + a + b
            // n = 1: the factor (n + a + b) cancels against (s - 1) = (1 + a + b).
            let v = n == 1 ? 4 * (1 + a) * (1 + b) / ((s * s) * (s + 1))
                : 4 * nn * (nn + a) * (nn + b) * (nn + a + b) / ((s * s) * (s + 1) * (s - 1))
            offDiagonal[n - 1] = v.squareRoot()
        }
        guard diagonal.allSatisfy(\.isFinite), offDiagonal.allSatisfy({ $0.isFinite }) else {
            throw GSLError(function: "gsl_eigen_symmv", status: Int32(GSL_EDOM),
                           message: "the Jacobi matrix of Beta(\(alpha), \(beta)) is not finite")
        }
        guard let m = gsl_matrix_calloc(k, k), let values = gsl_vector_alloc(k), let vectors = gsl_matrix_alloc(k, k),
              let work = gsl_eigen_symmv_alloc(k) else {
            throw GSLError(function: "gsl_eigen_symmv_alloc", status: Int32(GSL_ENOMEM), message: "out of memory")
        }
        defer { gsl_matrix_free(m); gsl_vector_free(values); gsl_matrix_free(vectors); gsl_eigen_symmv_free(work) }
        for i in 0..<k {
            gsl_matrix_set(m, i, i, diagonal[i])
            if i + 1 < k {
                gsl_matrix_set(m, i, i + 1, offDiagonal[i])
                gsl_matrix_set(m, i + 1, i, offDiagonal[i])
            }
        }
        try GSL.check(gsl_eigen_symmv(m, values, vectors, work), "gsl_eigen_symmv")
        var pairs: [(Double, Double)] = []
        var total = 0.0
        for i in 0..<k {
            let x = gsl_vector_get(values, i), v0 = gsl_matrix_get(vectors, 0, i)
            pairs.append(((1 + x) / 2, v0 * v0))
            total += v0 * v0
        }
        guard total.isFinite, total > 0, pairs.allSatisfy({ $0.0.isFinite && $0.1.isFinite && $0.1 >= 0 }) else {
            throw GSLError(function: "gsl_eigen_symmv", status: Int32(GSL_EFAILED),
                           message: "the \(k)-point Gauss-Jacobi rule for Beta(\(alpha), \(beta)) is not finite")
        }
        pairs.sort { $0.0 < $1.0 }
        // Nodes are churn probabilities: inside [0, 1] (rounding can put one a hair outside).
        return Rule(nodes: pairs.map { min(max($0.0, 0), 1) }, weights: pairs.map { $0.1 / total })
    }
}
