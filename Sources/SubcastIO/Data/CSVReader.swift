import Foundation

/// One record of a CSV file: its fields, unquoted, and the line it starts on.
public struct CSVRow: Sendable, Hashable {
    /// 1-based line of the file on which the record starts (a quoted field may span lines).
    public var line: Int
    /// The fields, with quotes and `""` escapes removed; not trimmed.
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }

    /// The field at the 0-based `index`, or `""` when the row is shorter.
    public subscript(index: Int) -> String { index >= 0 && index < fields.count ? fields[index] : "" }
}

/// A data row of a CSV file with a header (subscriptions, tickets, activations): trimmed cells
/// and errors located at a column named by the header.
struct HeaderedRow {
    let row: CSVRow
    let names: [String]
    let file: String

    /// Checks the row has no more cells than the header has columns.
    init(_ row: CSVRow, names: [String], file: String) throws(ScenarioError) {
        if row.fields.count > names.count {
            throw ScenarioError(file: file, line: row.line, column: names.count + 1,
                                message: "row has \(row.fields.count) cells but the header has \(names.count) columns; expected at most \(names.count) (quote fields that contain commas)")
        }
        (self.row, self.names, self.file) = (row, names, file)
    }

    var line: Int { row.line }

    /// The cell in the 0-based `column`, trimmed (`""` past the row's end).
    func cell(_ column: Int) -> String { RetentionTableReader.trim(row[column]) }

    func error(_ column: Int, _ message: String) -> ScenarioError {
        ScenarioError(file: file, line: row.line, column: column + 1, keyPath: names[column], message: message)
    }
}

/// A small RFC 4180 CSV parser for the data files `subcast fit` reads.
///
/// Format:
/// - Fields are separated by commas; records end at a line break (LF, CRLF or a lone CR); the
///   line break after the last record is optional. A UTF-8 byte order mark is skipped.
/// - A field may be enclosed in double quotes, and must be when it holds a comma, a quote or
///   a line break; a quote inside it is written twice (`"say ""hi"""`). Spaces before the
///   opening and after the closing quote are ignored. A quote inside an unquoted field is
///   taken literally.
/// - Blank records (nothing but spaces and commas, e.g. `,,,` left by a spreadsheet) are skipped,
///   and so are lines whose first character is `#` (comments; quote a field that starts with `#`).
/// - The file must be UTF-8 text without NUL bytes, at most `maximumFileBytes` long.
///
/// ```
/// # exported 2024-06-30
/// cohort,0,1,2
/// "Jan, 2024",1000,631,468
/// ```
/// gives the rows `["cohort", "0", "1", "2"]` (line 2) and `["Jan, 2024", "1000", "631", "468"]`
/// (line 3). Errors are `ScenarioError`s with the line and the 1-based field number.
public enum CSVReader {
    /// The largest data file read (64 MiB).
    public static let maximumFileBytes = 64 << 20

    /// Reads and parses the CSV file at `path`.
    public static func read(path: String) throws(ScenarioError) -> [CSVRow] {
        try parse(data: load(path: path), file: path)
    }

    /// Parses CSV bytes; `file` is used in error messages only.
    public static func parse(data: Data, file: String) throws(ScenarioError) -> [CSVRow] {
        if data.count > maximumFileBytes {
            throw ScenarioError(file: file, message: "file is \(data.count) bytes; data files are limited to \(maximumFileBytes) bytes (64 MiB)")
        }
        let bytes = [UInt8](data)
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            start = 3
        } else if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw ScenarioError(file: file, message: "is UTF-16 text; expected UTF-8 CSV (save it as \"CSV UTF-8\")")
        }
        if let nul = bytes[start...].firstIndex(of: 0) {
            throw ScenarioError(file: file, line: lineNumber(bytes, start: start, offset: nul),
                                message: "contains a NUL byte; expected a UTF-8 text CSV file, not a binary file")
        }
        if String(validating: bytes[start...], as: UTF8.self) == nil {
            let bad = firstInvalidUTF8(bytes, from: start)
            throw ScenarioError(file: file, line: lineNumber(bytes, start: start, offset: bad),
                                message: "is not valid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true))); expected a UTF-8 text CSV file (save it as \"CSV UTF-8\")")
        }
        return try records(bytes, start: start, file: file)
    }

    // MARK: - Parsing

    private static let comma: UInt8 = 0x2C, quote: UInt8 = 0x22, cr: UInt8 = 0x0D, lf: UInt8 = 0x0A
    private static let space: UInt8 = 0x20, tab: UInt8 = 0x09, hash: UInt8 = 0x23

    private static func records(_ bytes: [UInt8], start: Int, file: String) throws(ScenarioError) -> [CSVRow] {
        let n = bytes.count
        var rows: [CSVRow] = []
        var i = start
        var line = 1
        while i < n {
            let rowLine = line
            if bytes[i] == hash {
                while i < n && bytes[i] != lf && bytes[i] != cr { i += 1 }
                if i < n { i = afterLineBreak(bytes, i); line += 1 }
                continue
            }
            var fields: [String] = []
            var blank = true
            while true {
                var j = i
                while j < n && (bytes[j] == space || bytes[j] == tab) { j += 1 }
                let value: String
                if j < n && bytes[j] == quote {
                    let quoteLine = line
                    var buffer: [UInt8] = []
                    var closed = false
                    j += 1
                    while j < n {
                        let b = bytes[j]
                        if b == quote {
                            if j + 1 < n && bytes[j + 1] == quote {
                                buffer.append(quote)
                                j += 2
                                continue
                            }
                            closed = true
                            j += 1
                            break
                        }
                        if b == lf || (b == cr && !(j + 1 < n && bytes[j + 1] == lf)) { line += 1 }
                        buffer.append(b)
                        j += 1
                    }
                    if !closed {
                        throw ScenarioError(file: file, line: quoteLine, column: fields.count + 1,
                                            message: "quoted field is never closed; expected a closing \" (write a quote inside a quoted field as \"\")")
                    }
                    while j < n && (bytes[j] == space || bytes[j] == tab) { j += 1 }
                    if j < n && bytes[j] != comma && bytes[j] != lf && bytes[j] != cr {
                        throw ScenarioError(file: file, line: line, column: fields.count + 1,
                                            message: "unexpected text after a closing quote; expected a comma or the end of the line (write a quote inside a quoted field as \"\")")
                    }
                    value = String(decoding: buffer, as: UTF8.self)
                } else {
                    j = i
                    while j < n && bytes[j] != comma && bytes[j] != lf && bytes[j] != cr { j += 1 }
                    value = String(decoding: bytes[i..<j], as: UTF8.self)
                }
                if blank && !value.allSatisfy({ $0 == " " || $0 == "\t" }) { blank = false }
                fields.append(value)
                if j < n && bytes[j] == comma {
                    i = j + 1
                    continue
                }
                if j < n { j = afterLineBreak(bytes, j); line += 1 }
                i = j
                break
            }
            if !blank { rows.append(CSVRow(line: rowLine, fields: fields)) }
        }
        return rows
    }

    /// The index after the line break (LF, CRLF or CR) at `i`.
    private static func afterLineBreak(_ bytes: [UInt8], _ i: Int) -> Int {
        bytes[i] == cr && i + 1 < bytes.count && bytes[i + 1] == lf ? i + 2 : i + 1
    }

    /// The 1-based line holding byte `offset`.
    private static func lineNumber(_ bytes: [UInt8], start: Int, offset: Int) -> Int {
        var line = 1
        var i = start
        while i < offset {
            if bytes[i] == lf || (bytes[i] == cr && !(i + 1 < bytes.count && bytes[i + 1] == lf)) { line += 1 }
            i += 1
        }
        return line
    }

    /// The offset of the first byte that does not begin a valid UTF-8 sequence.
    private static func firstInvalidUTF8(_ bytes: [UInt8], from start: Int) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes[start...].makeIterator()
        var offset = start
        while true {
            switch parser.parseScalar(from: &iterator) {
            case let .valid(scalar): offset += scalar.count
            case .emptyInput: return min(offset, bytes.count - 1)
            case .error: return offset
            }
        }
    }

    // MARK: - Files

    /// The bytes of the file at `path`, with a clear error when it is missing, a directory,
    /// unreadable or larger than `maximumFileBytes`.
    static func load(path: String) throws(ScenarioError) -> Data {
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            let reason: String
            switch code {
            case ENOENT: reason = "no such file"
            case ENOTDIR: reason = "no such file (a part of the path is not a directory)"
            case EACCES: reason = "permission denied"
            default: reason = String(cString: strerror(code))
            }
            throw ScenarioError(file: path, message: "cannot read the file: \(reason); expected a CSV file")
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            throw ScenarioError(file: path, message: "is a directory, expected a CSV file")
        }
        if info.st_mode & S_IFMT == S_IFREG && Int(info.st_size) > maximumFileBytes {
            throw ScenarioError(file: path, message: "file is \(info.st_size) bytes; data files are limited to \(maximumFileBytes) bytes (64 MiB)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ScenarioError(file: path, message: "cannot read the file: permission denied; expected a readable CSV file")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maximumFileBytes + 1) ?? Data()
        } catch {
            throw ScenarioError(file: path, message: "cannot read the file: \(error.localizedDescription)")
        }
        if data.count > maximumFileBytes {
            throw ScenarioError(file: path, message: "file is more than \(maximumFileBytes) bytes; data files are limited to 64 MiB")
        }
        return data
    }
}
