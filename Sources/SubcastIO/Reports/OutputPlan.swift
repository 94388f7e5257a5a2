import Foundation

/// The files one command writes, checked before the work starts and written together at the end:
/// the one output layer every command uses.
///
/// Rules (README.md, "Files Subcast writes"):
/// - a target is a regular file or absent: a directory, device, FIFO or socket is refused, and so
///   is a symbolic link (give the path of the file itself);
/// - a target is never an input of the same command (the scenario, a data file, a partial being
///   merged), compared by device and inode, so another spelling or a hard link is caught too;
/// - no two outputs of a command share a path;
/// - every target's directory exists (an `--out` directory may be created, inside an existing
///   writable one) and is writable, checked when the target is added, before any simulation;
/// - `commit` writes every file to a temporary file beside it, then renames them all into place;
///   an error before the renames removes the temporary files and changes nothing, and a second
///   Ctrl-C waits for a commit under way (`OutputPlan.commitLock`), so an interrupted command leaves
///   all old files or all new ones and no temporary file.
///
/// ```swift
/// var plan = OutputPlan(inputs: ["scenario.yaml"])
/// try plan.add(directory: "results", names: ["summary.txt", "summary.json"])
/// try plan.add(file: "report.html")
/// // ... simulate, render ...
/// try plan.commit(["results/summary.txt": table, "results/summary.json": json, "report.html": html])
/// ```
public struct OutputPlan: Sendable {
    public typealias WriteError = OutputFiles.WriteError

    /// Held for the whole of a commit; whoever exits the process on a signal takes it first.
    public static let commitLock = NSLock()

    struct Target: Sendable {
        let path: String
        let directory: String
        /// True when `directory` does not exist yet and is created at commit.
        let createDirectory: Bool
    }

    private(set) var targets: [Target] = []
    private let inputs: [(path: String, id: FileID?)]

    /// `inputs`: the files the command reads (missing ones are fine: they are compared by path).
    public init(inputs: [String]) {
        self.inputs = inputs.map { ($0, FileID(path: $0)) }
    }

    /// The paths planned, in order.
    public var paths: [String] { targets.map(\.path) }

    /// Plans one file; `role` names the option in messages (`--report`).
    public mutating func add(file path: String, role: String = "output") throws(WriteError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard Self.isDirectory(directory) else {
            throw WriteError(path: path, reason: "the directory \(directory) does not exist")
        }
        try checkTarget(path, role: role)
        try checkWritable(directory, for: path)
        targets.append(Target(path: path, directory: directory, createDirectory: false))
    }

    /// Plans files `names` in `directory`, which is created at commit when it does not exist.
    public mutating func add(directory: String, names: [String], role: String = "--out") throws(WriteError) {
        var create = false
        var st = stat()
        if lstat(directory, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFLNK {
                guard Self.isDirectory(directory) else { throw WriteError(path: directory, reason: "exists and is not a directory") }
            } else if (st.st_mode & S_IFMT) != S_IFDIR {
                throw WriteError(path: directory, reason: "exists and is not a directory")
            }
            try checkWritable(directory, for: directory)
        } else {
            // The nearest existing ancestor must be a writable directory.
            var ancestor = URL(fileURLWithPath: directory).deletingLastPathComponent()
            while !FileManager.default.fileExists(atPath: ancestor.path) && ancestor.path != "/" {
                ancestor = ancestor.deletingLastPathComponent()
            }
            guard Self.isDirectory(ancestor.path) else {
                throw WriteError(path: directory, reason: "cannot create the directory: \(ancestor.path) is not a directory")
            }
            try checkWritable(ancestor.path, for: directory)
            create = true
        }
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            try checkTarget(path, role: role)
            targets.append(Target(path: path, directory: directory, createDirectory: create))
        }
    }

    /// Writes `contents[path]` for every planned path (all must be given), atomically as a set.
    public func commit(_ contents: [String: String]) throws(WriteError) {
        OutputPlan.commitLock.lock()
        defer { OutputPlan.commitLock.unlock() }
        let fm = FileManager.default
        for t in targets where t.createDirectory && !Self.isDirectory(t.directory) {
            do { try fm.createDirectory(atPath: t.directory, withIntermediateDirectories: true) } catch {
                throw WriteError(path: t.directory, reason: "cannot create the directory (\(error.localizedDescription))")
            }
        }
        // Re-check what may have changed since planning (another process, a slow simulation).
        for t in targets { try checkTarget(t.path, role: "output", checkDuplicates: false) }
        var written: [(tmp: String, path: String)] = []
        func removeTemporaries() { for w in written { unlink(w.tmp) } }
        for t in targets {
            guard let text = contents[t.path] else { preconditionFailure("no contents for the planned output \(t.path)") }
            let name = URL(fileURLWithPath: t.path).lastPathComponent
            let tmp = (t.directory as NSString).appendingPathComponent(".\(name).tmp-\(getpid())")
            do {
                try Self.writeNew(tmp, Array(text.utf8))
            } catch {
                unlink(tmp)
                removeTemporaries()
                throw WriteError(path: t.path, reason: error.reason)
            }
            written.append((tmp, t.path))
        }
        // Tests interrupt the command here, with every temporary written and nothing renamed yet
        // (`SUBCAST_TEST_COMMIT_DELAY`: seconds to wait, at most 10; unset in normal use).
        if let text = ProcessInfo.processInfo.environment["SUBCAST_TEST_COMMIT_DELAY"], let delay = Double(text),
           delay > 0, delay <= 10 {
            Thread.sleep(forTimeInterval: delay)
        }
        for (i, w) in written.enumerated() where rename(w.tmp, w.path) != 0 {
            let reason = String(cString: strerror(errno))
            for rest in written[i...] { unlink(rest.tmp) }
            throw WriteError(path: w.path, reason: reason + (i > 0 ? " (\(i) of \(written.count) files were already replaced)" : ""))
        }
    }

    // MARK: checks

    private func checkTarget(_ path: String, role: String, checkDuplicates: Bool = true) throws(WriteError) {
        var st = stat()
        if lstat(path, &st) == 0 {
            switch st.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFLNK: throw WriteError(path: path, reason: "is a symbolic link; give the path of a regular file (or a new one)")
            case S_IFDIR: throw WriteError(path: path, reason: "is a directory")
            default: throw WriteError(path: path, reason: "is not a regular file (a device, FIFO or socket is never written)")
            }
        }
        let id = FileID(path: path)
        for input in inputs where (id != nil && id == input.id) || Self.samePath(path, input.path) {
            throw WriteError(path: path, reason: "is an input of this command (\(input.path)); \(role) must name another file")
        }
        if checkDuplicates, let other = targets.first(where: { Self.samePath($0.path, path) }) {
            throw WriteError(path: path, reason: "is already an output of this command (\(other.path)); give each output its own path")
        }
    }

    private func checkWritable(_ directory: String, for path: String) throws(WriteError) {
        if access(directory, W_OK | X_OK) != 0 {
            throw WriteError(path: path, reason: "the directory \(directory) is not writable (\(String(cString: strerror(errno))))")
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// The same path after making it absolute and resolving the directory's symbolic links.
    static func samePath(_ a: String, _ b: String) -> Bool { canonical(a) == canonical(b) }

    static func canonical(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let directory = url.deletingLastPathComponent().path
        guard let real = realpath(directory, nil) else { return url.path }
        defer { free(real) }
        return (String(cString: real) as NSString).appendingPathComponent(url.lastPathComponent)
    }

    struct OSError: Error { let reason: String }

    /// Creates `path` (which must not exist) and writes every byte, or throws with the reason.
    static func writeNew(_ path: String, _ bytes: [UInt8]) throws(OSError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OSError(reason: String(cString: strerror(errno))) }
        var failure: String? = nil
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno)); return
                }
                offset += n
            }
        }
        if failure == nil && fsync(fd) != 0 && errno != EINVAL { failure = String(cString: strerror(errno)) }
        if close(fd) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        if let failure { throw OSError(reason: failure) }
    }
}

/// A file's identity (device and inode), nil when it does not exist.
struct FileID: Equatable, Sendable {
    let device: UInt64, inode: UInt64
    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}

/// Standard output and error written with POSIX `write`, so that a closed pipe or a full disk is
/// an error with a message (exit 1), never a trap.
public enum StandardStreams {
    /// Writes all of `text` to standard output; throws on a write error (EPIPE, ENOSPC, EBADF).
    public static func writeOut(_ text: String) throws(OutputFiles.WriteError) {
        signal(SIGPIPE, SIG_IGN)
        if let reason = write(1, text) { throw OutputFiles.WriteError(path: "standard output", reason: reason) }
    }

    /// Writes to standard error, ignoring errors (there is nowhere left to report them).
    public static func writeError(_ text: String) {
        signal(SIGPIPE, SIG_IGN)
        _ = write(2, text)
    }

    /// Nil on success, else the reason.
    private static func write(_ fd: Int32, _ text: String) -> String? {
        var bytes = Array(text.utf8)
        var failure: String? = nil
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno)); return
                }
                offset += n
            }
        }
        return failure
    }
}
