/// A lexical pass over scenario text before YAML composition, rejecting what the composer
/// would silently accept or could not survive:
/// - YAML anchors (`&name`) and aliases (`*name`): Yams resolves aliases into copies, so an
///   "alias bomb" would expand exponentially, and a scenario never needs them;
/// - flow nesting (`[`, `{`) deeper than `Limits.maximumNesting`, and absurd indentation, which
///   would overflow the recursive composer's stack.
///
/// The pass follows YAML's lexical structure closely enough for scenario files: comments
/// (`#` after whitespace), single-quoted (`''` escapes) and double-quoted (`\` escapes) scalars,
/// which may span lines, and block scalars (`|`, `>`), whose indented lines are text. An `&` or
/// `*` counts only where a node may begin: at the start of a line, after `- `, `? `, `: `, `[`,
/// `{` or `,`.
enum ScenarioPrescan {
    typealias Limits = ScenarioLoader.Limits

    /// Splits on every line break YAML or Unicode knows (LF, CRLF, CR, NEL, LS, PS) at the level
    /// of Unicode scalars: Swift's `Character` merges CRLF into one, which would hide lines.
    static func lines(_ text: String) -> [[Unicode.Scalar]] {
        var out: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        var previousCR = false
        for u in text.unicodeScalars {
            switch u.value {
            case 0x0A:
                if !previousCR { out.append(current) }
                current = []
                previousCR = false
            case 0x0D, 0x85, 0x2028, 0x2029:
                out.append(current)
                current = []
                previousCR = u.value == 0x0D
            default:
                current.append(u)
                previousCR = false
            }
        }
        out.append(current)
        return out
    }

    static func check(_ text: String, file: String) throws(ScenarioError) {
        var depth = 0
        var quote: Unicode.Scalar? = nil
        var escaped = false
        var blockParentIndent: Int? = nil      // inside a block scalar opened on a line of this indent
        var lineNumber = 0
        for line in lines(text) {
            lineNumber += 1
            let indent = line.prefix { $0 == " " }.count
            if indent > 4 * Limits.maximumNesting {
                throw ScenarioError(file: file, line: lineNumber, message: "indented deeper than \(4 * Limits.maximumNesting) columns; a scenario needs a few levels")
            }
            if let parent = blockParentIndent, quote == nil {
                let blank = line.allSatisfy { $0 == " " || $0 == "\t" }
                if blank || indent > parent { continue }
                blockParentIndent = nil
            }
            var valueStart = true
            var previous: Unicode.Scalar = " "
            var i = 0
            while i < line.count {
                let ch = line[i]
                let column = i + 1
                if let q = quote {
                    if q == "\"" {
                        if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { quote = nil }
                    } else if ch == "'" {
                        if i + 1 < line.count && line[i + 1] == "'" { i += 1 } else { quote = nil }
                    }
                    previous = ch
                    i += 1
                    continue
                }
                if ch == "#" && (previous == " " || previous == "\t" || i == 0) { break }
                if valueStart {
                    switch ch {
                    case "\"", "'":
                        quote = ch
                        valueStart = false
                        previous = ch
                        i += 1
                        continue
                    case "&", "*":
                        let next: Unicode.Scalar = i + 1 < line.count ? line[i + 1] : " "
                        if !(next == " " || next == "\t") && next != "," && next != "]" && next != "}" {
                            throw ScenarioError(file: file, line: lineNumber, column: column,
                                                message: "YAML anchors (&name) and aliases (*name) are not supported in scenarios; write each value out")
                        }
                    case "|", ">":
                        // A block scalar header: the indicator, optional indentation/chomping, then nothing.
                        let rest = line[(i + 1)...].prefix { $0 != "#" }
                        if rest.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "+" || $0 == "-" || ("0"..."9").contains($0) }) {
                            blockParentIndent = indent
                            i = line.count
                            continue
                        }
                    default: break
                    }
                }
                switch ch {
                case "[", "{":
                    depth += 1
                    if depth > Limits.maximumNesting {
                        throw ScenarioError(file: file, line: lineNumber, column: column,
                                            message: "nested deeper than \(Limits.maximumNesting) levels; a scenario needs at most 4")
                    }
                case "]", "}": depth = max(0, depth - 1)
                default: break
                }
                if ch == " " || ch == "\t" {
                    if previous == ":" || previous == "-" || previous == "," || previous == "?" { valueStart = true }
                } else {
                    // In flow collections ({...}, [...]) a ':' separates a value even without a space ("k":*a).
                    valueStart = ch == "[" || ch == "{" || ch == "," || (ch == ":" && depth > 0)
                }
                previous = ch
                i += 1
            }
        }
    }
}
