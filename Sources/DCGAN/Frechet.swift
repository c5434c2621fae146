// Fréchet distance between Gaussians fitted to feature sets (FID, Heusel et al. 2017), with a
// cyclic Jacobi eigensolver for the symmetric matrix square root; all in Double.
import Foundation
import WorkbenchCore

/// Mean and covariance (unbiased, as numpy.cov and pytorch-fid) of feature rows.
public struct GaussianStats: Sendable {
    public let dim: Int
    public let mean: [Double]
    /// Row-major [dim, dim].
    public let covariance: [Double]

    public init(dim: Int, mean: [Double], covariance: [Double]) {
        precondition(mean.count == dim && covariance.count == dim * dim, "GaussianStats: mean \(mean.count), covariance \(covariance.count) for dim \(dim)")
        self.dim = dim
        self.mean = mean
        self.covariance = covariance
    }

    /// Statistics of `features` [N, D], N > 1.
    public init(features: Tensor) {
        precondition(features.rank == 2 && features.shape[0] > 1, "GaussianStats: features \(features.shape) must be [N > 1, D]")
        let (n, d) = (features.shape[0], features.shape[1])
        var mean = [Double](repeating: 0, count: d)
        var cov = [Double](repeating: 0, count: d * d)
        features.data.withUnsafeBufferPointer { x in
            for i in 0..<n { for j in 0..<d { mean[j] += Double(x[i * d + j]) } }
            for j in 0..<d { mean[j] /= Double(n) }
            var row = [Double](repeating: 0, count: d)
            for i in 0..<n {
                for j in 0..<d { row[j] = Double(x[i * d + j]) - mean[j] }
                // Upper triangle only; mirrored below.
                for a in 0..<d where row[a] != 0 {
                    let ra = row[a]
                    for b in a..<d { cov[a * d + b] += ra * row[b] }
                }
            }
        }
        for a in 0..<d {
            for b in a..<d {
                cov[a * d + b] /= Double(n - 1)
                cov[b * d + a] = cov[a * d + b]
            }
        }
        self.init(dim: d, mean: mean, covariance: cov)
    }
}

/// ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^½). The trace of (Σ₁Σ₂)^½ is Σ √λᵢ over the eigenvalues of
/// the symmetric PSD matrix Σ₁^½ Σ₂ Σ₁^½, which has the same spectrum as Σ₁Σ₂.
public func frechetDistance(_ a: GaussianStats, _ b: GaussianStats) -> Double {
    precondition(a.dim == b.dim, "frechetDistance: dims \(a.dim) and \(b.dim) differ")
    let d = a.dim
    var meanTerm = 0.0
    for i in 0..<d { meanTerm += (a.mean[i] - b.mean[i]) * (a.mean[i] - b.mean[i]) }
    var traces = 0.0
    for i in 0..<d { traces += a.covariance[i * d + i] + b.covariance[i * d + i] }
    let s1 = symmetricSqrt(a.covariance, n: d)
    let m = multiply(multiply(s1, b.covariance, n: d), s1, n: d)
    let lambdas = symmetricEigen(symmetrised(m, n: d), n: d).values
    let crossTrace = lambdas.reduce(0) { $0 + Swift.max($1, 0).squareRoot() }
    return meanTerm + traces - 2 * crossTrace
}

/// Square root of a symmetric positive semi-definite matrix: V diag(√max(λ, 0)) Vᵀ.
public func symmetricSqrt(_ m: [Double], n: Int) -> [Double] {
    let (values, vectors) = symmetricEigen(m, n: n)
    var out = [Double](repeating: 0, count: n * n)
    for k in 0..<n {
        let s = Swift.max(values[k], 0).squareRoot()
        if s == 0 { continue }
        for i in 0..<n {
            let vik = vectors[i * n + k] * s
            for j in 0..<n { out[i * n + j] += vik * vectors[j * n + k] }
        }
    }
    return out
}

/// Eigenvalues and eigenvectors (columns of a row-major [n, n] matrix) of a symmetric matrix by
/// cyclic Jacobi rotations, until the off-diagonal mass is negligible.
public func symmetricEigen(_ m: [Double], n: Int) -> (values: [Double], vectors: [Double]) {
    precondition(m.count == n * n, "symmetricEigen: \(m.count) values for n \(n)")
    var a = m
    var v = [Double](repeating: 0, count: n * n)
    for i in 0..<n { v[i * n + i] = 1 }
    var scale = 0.0
    for x in a { scale += x * x }
    let tolerance = 1e-24 * Swift.max(scale, 1e-300)
    for _ in 0..<100 {
        var off = 0.0
        for p in 0..<n { for q in (p + 1)..<Swift.max(n, p + 1) { off += a[p * n + q] * a[p * n + q] } }
        if off <= tolerance { break }
        for p in 0..<n {
            for q in (p + 1)..<Swift.max(n, p + 1) {
                let apq = a[p * n + q]
                if apq == 0 { continue }
                // Rotation angle that zeroes a[p][q] (Golub & Van Loan, symmetric Schur decomposition).
                let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                let t = (theta >= 0 ? 1.0 : -1.0) / (Swift.abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<n {   // columns p and q
                    let akp = a[k * n + p], akq = a[k * n + q]
                    a[k * n + p] = c * akp - s * akq
                    a[k * n + q] = s * akp + c * akq
                }
                for k in 0..<n {   // rows p and q
                    let apk = a[p * n + k], aqk = a[q * n + k]
                    a[p * n + k] = c * apk - s * aqk
                    a[q * n + k] = s * apk + c * aqk
                }
                for k in 0..<n {
                    let vkp = v[k * n + p], vkq = v[k * n + q]
                    v[k * n + p] = c * vkp - s * vkq
                    v[k * n + q] = s * vkp + c * vkq
                }
            }
        }
    }
    return ((0..<n).map { a[$0 * n + $0] }, v)
}

func multiply(_ a: [Double], _ b: [Double], n: Int) -> [Double] {
    var out = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for k in 0..<n where a[i * n + k] != 0 {
            let aik = a[i * n + k]
            for j in 0..<n { out[i * n + j] += aik * b[k * n + j] }
        }
    }
    return out
}

/// (M + Mᵀ) / 2: removes the rounding asymmetry of a product that is symmetric in exact arithmetic.
func symmetrised(_ m: [Double], n: Int) -> [Double] {
    var out = m
    for i in 0..<n { for j in 0..<n { out[i * n + j] = (m[i * n + j] + m[j * n + i]) / 2 } }
    return out
}
