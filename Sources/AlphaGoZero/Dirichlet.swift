// Dirichlet draws for the root noise of the search: eta_i = g_i / sum(g), g_i ~ Gamma(alpha, 1).
import Foundation
import WorkbenchNN

public enum Dirichlet {
    /// `count` weights summing to 1, symmetric with concentration `alpha` > 0.
    public static func sample(alpha: Double, count: Int, generator g: inout Generator) -> [Double] {
        precondition(alpha > 0 && count > 0, "Dirichlet.sample: alpha \(alpha), count \(count)")
        let draws = (0..<count).map { _ in gamma(alpha, generator: &g) }
        let total = draws.reduce(0, +)
        return total > 0 ? draws.map { $0 / total } : [Double](repeating: 1 / Double(count), count: count)
    }

    /// Gamma(alpha, 1) by Marsaglia and Tsang (2000); alpha < 1 through Gamma(alpha + 1) * U^(1/alpha).
    public static func gamma(_ alpha: Double, generator g: inout Generator) -> Double {
        if alpha < 1 { return gamma(alpha + 1, generator: &g) * pow(uniform(&g), 1 / alpha) }
        let d = alpha - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = normal(&g)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniform(&g)
            if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// Uniform in (0, 1), 53 bits.
    static func uniform(_ g: inout Generator) -> Double { (Double(g.next() >> 11) + 0.5) * 0x1p-53 }

    /// Standard normal (Box-Muller, one of the pair).
    static func normal(_ g: inout Generator) -> Double {
        (-2 * log(uniform(&g))).squareRoot() * cos(2 * Double.pi * uniform(&g))
    }
}
