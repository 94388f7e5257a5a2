import Foundation

// Two builds of one target (see Fuzz/README.md):
//
// - `-D FUZZING` with `-sanitize=fuzzer,address` (scripts/fuzz.sh): a libFuzzer binary whose
//   `@main` starts libFuzzer's driver, which calls `LLVMFuzzerTestOneInput` with each input.
// - the normal `swift build`: a replay tool, `ScenarioFuzz [--invariants] PATH...`, that runs
//   every file given (or every file under a given directory) through the same parsers and prints
//   one line per file. Use it to reproduce a crash artifact without sanitizers.

/// `SUBCAST_FUZZ_INVARIANTS=1` also treats a parsed value that breaks its documented invariants
/// as a finding (see `Invariants`); by default only crashes, hangs and runaway memory are.
let invariantsFromEnvironment = ProcessInfo.processInfo.environment["SUBCAST_FUZZ_INVARIANTS"] == "1"

#if FUZZING

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = if let bytes, count > 0 { Data(bytes: bytes, count: count) } else { Data() }
    let outcomes = Harness.run(data, checkInvariants: invariantsFromEnvironment)
    for outcome in outcomes where !outcome.violations.isEmpty {
        fatalError("\(outcome.parser.rawValue) accepted the input but: \(outcome.violations.joined(separator: "; "))")
    }
    return 0
}

/// libFuzzer's documented entry point for programs that have their own `main`:
/// `int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size))`.
/// SwiftPM links an executable target's `main` to the target's `@main` (`ScenarioFuzz_main`), so
/// libFuzzer's own `main` cannot be used; the `@main` below hands control to this driver instead.
/// (Declared with `@_silgen_name`: pointer and `Int32` arguments pass the same way in Swift's and
/// C's calling conventions on the 64-bit platforms libFuzzer supports.)
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@main
struct ScenarioFuzzer {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(llvmFuzzerRunDriver(&argc, &argv, fuzzTestOneInput))
    }
}

#else

@main
struct ScenarioFuzzReplay {
    static func main() {
        var invariants = invariantsFromEnvironment
        var paths: [String] = []
        for argument in CommandLine.arguments.dropFirst() {
            switch argument {
            case "--invariants": invariants = true
            case "-h", "--help":
                print(usage)
                return
            default:
                if argument.hasPrefix("-") && argument.count > 1 {
                    FileHandle.standardError.write(Data("ScenarioFuzz: unknown option '\(argument)'\n\(usage)\n".utf8))
                    exit(64)
                }
                paths.append(argument)
            }
        }
        if paths.isEmpty {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            exit(64)
        }
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("ScenarioFuzz: no such file or directory: \(path)\n".utf8))
                exit(66)
            }
            if isDirectory.boolValue {
                let found = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                    .sorted()
                    .map { (path as NSString).appendingPathComponent($0) }
                    .filter { p in
                        var d: ObjCBool = false
                        return FileManager.default.fileExists(atPath: p, isDirectory: &d) && !d.boolValue
                    }
                files += found
            } else {
                files.append(path)
            }
        }
        var broken = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                print("\(file): unreadable")
                continue
            }
            let outcomes = Harness.run(data, checkInvariants: invariants)
            let parts = outcomes.map { o -> String in
                var part = o.parser.rawValue + (o.error.map { " error " + Harness.describe($0) } ?? " ok")
                if !o.violations.isEmpty {
                    broken += 1
                    part += " BUT BREAKS INVARIANTS: " + Harness.oneLine(o.violations.joined(separator: "; "))
                }
                return part
            }
            print("\(file): \(parts.joined(separator: " | "))")
        }
        // Errors are answers, not failures: exit 0 unless --invariants found a broken value.
        exit(broken > 0 ? 1 : 0)
    }

    static let usage = """
        usage: ScenarioFuzz [--invariants] FILE|DIRECTORY...
          Runs each file (directories: every file under them) through ScenarioLoader,
          RetentionTableReader and SubscriptionsReader and prints one line per file:
          'ok' or the error each parser reports. Exit status 0 (1 when --invariants or
          SUBCAST_FUZZ_INVARIANTS=1 finds an accepted value that breaks its invariants).
          Built with -D FUZZING it is the libFuzzer target instead (scripts/fuzz.sh).
        """
}

#endif
