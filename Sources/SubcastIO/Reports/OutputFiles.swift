import Foundation

/// Writes result files so that a failed or interrupted run never leaves a partial file and an
/// existing file is never truncated: each file is written to a temporary file in the same
/// directory and renamed into place. Commands plan their outputs with `OutputPlan`, which also
/// protects their inputs; these helpers are a plan without inputs.
public enum OutputFiles {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Creates `directory` if needed, then writes every (file name, contents) pair, all or none
    /// (`OutputPlan`, with no inputs to protect). All contents are rendered before this is called,
    /// so a rendering error writes nothing.
    public static func write(_ files: [(String, String)], to directory: String) throws(WriteError) {
        var plan = OutputPlan(inputs: [])
        try plan.add(directory: directory, names: files.map(\.0))
        var contents: [String: String] = [:]
        for (name, text) in files { contents[(directory as NSString).appendingPathComponent(name)] = text }
        try plan.commit(contents)
    }

    /// Writes one file atomically (temporary file in the same directory, then rename); the
    /// directory must exist.
    public static func write(_ contents: String, toFile path: String) throws(WriteError) {
        var plan = OutputPlan(inputs: [])
        try plan.add(file: path)
        try plan.commit([path: contents])
    }
}
