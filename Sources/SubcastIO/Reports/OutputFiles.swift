import Foundation

/// Writes result files so that a failed or interrupted run never leaves a partial file and an
/// existing file is never truncated: each file is written to a temporary file in the same
/// directory and renamed into place.
public enum OutputFiles {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Creates `directory` if needed, then writes every (file name, contents) pair atomically.
    /// All contents are rendered before this is called, so a rendering error writes nothing.
    public static func write(_ files: [(String, String)], to directory: String) throws(WriteError) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: directory, isDirectory: &isDir) {
            if !isDir.boolValue { throw WriteError(path: directory, reason: "exists and is not a directory") }
        } else {
            do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw WriteError(path: directory, reason: "cannot create the directory (\(error.localizedDescription))")
            }
        }
        for (name, contents) in files {
            let path = (directory as NSString).appendingPathComponent(name)
            let tmp = (directory as NSString).appendingPathComponent(".\(name).tmp-\(getpid())")
            do {
                try Data(contents.utf8).write(to: URL(fileURLWithPath: tmp))
                if rename(tmp, path) != 0 {
                    let reason = String(cString: strerror(errno))
                    try? fm.removeItem(atPath: tmp)
                    throw WriteError(path: path, reason: reason)
                }
            } catch let e as WriteError {
                throw e
            } catch {
                try? fm.removeItem(atPath: tmp)
                throw WriteError(path: path, reason: error.localizedDescription)
            }
        }
    }

    /// Writes one file atomically (temporary file in the same directory, then rename); the
    /// directory must exist.
    public static func write(_ contents: String, toFile path: String) throws(WriteError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw WriteError(path: path, reason: "the directory \(directory) does not exist")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw WriteError(path: path, reason: "is a directory")
        }
        try write([(url.lastPathComponent, contents)], to: directory)
    }
}
