// Loading the environment trace fixtures written by papers/dqn/reference/make_traces.py.
import Foundation
import DQN
import WorkbenchTesting

enum Trace {
    static func load(_ name: String) throws -> [String: Any] {
        let path = repositoryRoot + "/papers/dqn/fixtures/traces/\(name).json"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// A Python float.hex() string ("0x1.8p-1", "-0x0.0p+0") as an exact Double.
    static func hexDouble(_ s: String) -> Double {
        guard let v = Double(s) else { fatalError("not a hex float: \(s)") }
        return v
    }

    /// "u<hex float>" or "i<low>,<high>,<value>".
    static func draw(_ s: String) -> ReplayedDraws.Draw {
        if s.hasPrefix("u") { return .uniform(hexDouble(String(s.dropFirst()))) }
        let p = s.dropFirst().split(separator: ",").map { Int($0)! }
        return .integer(low: p[0], high: p[1], value: p[2])
    }

    /// numpy.packbits hex of the [C, 10, 10] 0/1 state -> floats.
    static func unpack(_ hex: String, count: Int) -> [Float] {
        var bytes: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            bytes.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        return (0..<count).map { Float((bytes[$0 / 8] >> (7 - UInt8($0 % 8))) & 1) }
    }
}
