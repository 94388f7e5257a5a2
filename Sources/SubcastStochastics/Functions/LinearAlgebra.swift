import CGSL

/// Dense linear algebra on small matrices (row-major `[[Double]]`), by GSL.
public enum LinearAlgebra {
    /// The inverse of a square matrix by LU decomposition (`gsl_linalg_LU_decomp`,
    /// `gsl_linalg_LU_invert`); throws for a singular matrix.
    public static func inverse(_ a: [[Double]]) throws(GSLError) -> [[Double]] {
        GSL.initialize()
        let n = a.count
        precondition(n >= 1 && a.allSatisfy { $0.count == n })
        guard a.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw GSLError(function: "gsl_linalg_LU_decomp", status: Int32(GSL_EDOM), message: "matrix has non-finite entries")
        }
        let m = gsl_matrix_alloc(n, n)!, inv = gsl_matrix_alloc(n, n)!, p = gsl_permutation_alloc(n)!
        defer { gsl_matrix_free(m); gsl_matrix_free(inv); gsl_permutation_free(p) }
        for i in 0..<n { for j in 0..<n { gsl_matrix_set(m, i, j, a[i][j]) } }
        var sign: Int32 = 0
        try GSL.check(gsl_linalg_LU_decomp(m, p, &sign), "gsl_linalg_LU_decomp")
        if gsl_linalg_LU_det(m, sign) == 0 {
            throw GSLError(function: "gsl_linalg_LU_invert", status: Int32(GSL_ESING), message: "matrix is singular")
        }
        try GSL.check(gsl_linalg_LU_invert(m, p, inv), "gsl_linalg_LU_invert")
        return (0..<n).map { i in (0..<n).map { j in gsl_matrix_get(inv, i, j) } }
    }

    /// Whether a symmetric matrix is positive definite (`gsl_linalg_cholesky_decomp1` succeeds).
    public static func isPositiveDefinite(_ a: [[Double]]) -> Bool {
        GSL.initialize()
        let n = a.count
        precondition(n >= 1 && a.allSatisfy { $0.count == n })
        guard a.allSatisfy({ $0.allSatisfy(\.isFinite) }) else { return false }
        let m = gsl_matrix_alloc(n, n)!
        defer { gsl_matrix_free(m) }
        for i in 0..<n { for j in 0..<n { gsl_matrix_set(m, i, j, a[i][j]) } }
        return gsl_linalg_cholesky_decomp1(m) == 0
    }
}

extension LinearAlgebra {
    /// The lower-triangular Cholesky factor L of a symmetric positive-definite matrix A,
    /// A = L L^T (`gsl_linalg_cholesky_decomp1`); throws when A is not positive definite.
    ///
    /// Row i of L depends only on rows and columns 0 ... i of A, so appending rows and columns
    /// to A leaves the factor's leading rows unchanged.
    public static func choleskyFactor(_ a: [[Double]]) throws(GSLError) -> [[Double]] {
        GSL.initialize()
        let n = a.count
        precondition(n >= 1 && a.allSatisfy { $0.count == n })
        guard a.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw GSLError(function: "gsl_linalg_cholesky_decomp1", status: Int32(GSL_EDOM), message: "matrix has non-finite entries")
        }
        let m = gsl_matrix_alloc(n, n)!
        defer { gsl_matrix_free(m) }
        for i in 0..<n { for j in 0..<n { gsl_matrix_set(m, i, j, a[i][j]) } }
        try GSL.check(gsl_linalg_cholesky_decomp1(m), "gsl_linalg_cholesky_decomp1")
        return (0..<n).map { i in (0..<n).map { j in j <= i ? gsl_matrix_get(m, i, j) : 0 } }
    }

    /// A Cholesky factor of a correlation matrix (symmetric, unit diagonal) that is positive
    /// semi-definite, or nil when it is not.
    ///
    /// A positive-definite matrix gets its exact factor (`choleskyFactor`). A singular one (for
    /// example a correlation of exactly 1) gets the factor of (R + eps I) / (1 + eps), eps = 1e-9,
    /// which keeps the unit diagonal and moves no correlation by more than 1e-9. A matrix for
    /// which even R + eps I is not positive definite (smallest eigenvalue below about -1e-9) is
    /// not a correlation matrix of any joint distribution: nil.
    public static func correlationCholeskyFactor(_ r: [[Double]]) -> [[Double]]? {
        if let l = try? choleskyFactor(r) { return l }
        let eps = 1e-9
        let n = r.count
        let jittered = (0..<n).map { i in (0..<n).map { j in (r[i][j] + (i == j ? eps : 0)) / (1 + eps) } }
        return try? choleskyFactor(jittered)
    }
}
