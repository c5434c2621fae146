// The Fréchet distance against closed forms and a scipy value (papers/dcgan/reference/check_frechet.py).
import Foundation
import Testing
import WorkbenchTesting
import DCGAN

@Suite struct FrechetTests {
    /// The feature sets of check_frechet.py, built the same way.
    static func features(_ n: Int, _ d: Int, _ kind: String) -> Tensor {
        var data: [Float] = []
        for i in 0..<n {
            for j in 0..<d {
                let (x, y) = (Double(i), Double(j))
                data.append(Float(kind == "a" ? sin(0.37 * x * (y + 1) + 1.3 * y) + 0.1 * y
                                              : cos(0.23 * x * (y + 1)) * (1 + 0.2 * y) + 0.05 * x / Double(n)))
            }
        }
        return Tensor(shape: [n, d], data: data)
    }

    @Test func matchesScipy() {
        let a = GaussianStats(features: Self.features(50, 6, "a")), b = GaussianStats(features: Self.features(50, 6, "b"))
        // scipy.linalg.sqrtm-based value printed by check_frechet.py: 1.5926630755650333 (float32 features here).
        #expect(abs(frechetDistance(a, b) - 1.5926630755650333) < 1e-5)
        #expect(abs(frechetDistance(a, a)) < 1e-9)
    }

    @Test func identicalGaussiansGiveZero() {
        let s = GaussianStats(dim: 3, mean: [1, 2, 3], covariance: [2, 0.5, 0, 0.5, 1, 0.2, 0, 0.2, 3])
        #expect(abs(frechetDistance(s, s)) < 1e-10)
    }

    /// Diagonal covariances: FID = ‖μ₁−μ₂‖² + Σ (√σ₁ᵢ − √σ₂ᵢ)².
    @Test func diagonalClosedForm() {
        let a = GaussianStats(dim: 3, mean: [0, 1, 2], covariance: [4, 0, 0, 0, 1, 0, 0, 0, 9])
        let b = GaussianStats(dim: 3, mean: [1, 1, 0], covariance: [1, 0, 0, 0, 1, 0, 0, 0, 0.25])
        let expected = (1.0 + 0 + 4) + (1.0 + 0 + 6.25)   // (2-1)² + (1-1)² + (3-0.5)²
        #expect(abs(frechetDistance(a, b) - expected) < 1e-10)
    }

    /// Jacobi eigen-decomposition reconstructs a dense symmetric matrix, and sqrt(M)² = M.
    @Test func symmetricSqrtSquaresBack() {
        let n = 7
        var m = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { m[i * n + j] = Double(n) * (i == j ? 1 : 0) + sin(Double(i + j)) } }
        let r = symmetricSqrt(m, n: n)
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<n { s += r[i * n + k] * r[k * n + j] }
                #expect(abs(s - m[i * n + j]) < 1e-9)
            }
        }
    }
}
