import JSON

/// One escaping function per output context of the status page. Every string that came from
/// Redis (queue, worker, task names, error text) or from rules (labels, annotations) goes through
/// the function of the context it is written into; numbers the page formats itself need none.
///
/// All of them also replace characters no document may carry (C0 controls other than tab, line
/// feed and carriage return, U+FFFE, U+FFFF) with U+FFFD, so the output is valid HTML *and* XML
/// (inline SVG) whatever the input.
enum StatusEscaping {
    /// Text between HTML tags (`<td>…</td>`): `&`, `<`, `>` become references, so no tag or
    /// comment can open. Quotes are escaped too, which costs nothing and keeps the text safe if it
    /// ever moves into an attribute by mistake.
    static func htmlText(_ text: String) -> String { escapeMarkup(text) }

    /// A double-quoted HTML attribute value (`title="…"`): additionally `"` and `'`, so the value
    /// cannot end its attribute; the caller always writes the quotes.
    static func htmlAttribute(_ text: String) -> String { escapeMarkup(text) }

    /// Text or a double-quoted attribute inside inline SVG (`<title>`, `aria-label`). The HTML
    /// parser reads inline SVG, but only the five XML entities are used (`&#39;`, not `&apos;`),
    /// so the same bytes are also a well-formed standalone SVG document.
    static func svgText(_ text: String) -> String { escapeMarkup(text) }

    /// A JSON string literal, quotes included. Beyond what JSON requires (`"`, `\`, controls), `<`,
    /// `>`, `&`, U+2028 and U+2029 are written as `\u` escapes, so the literal is also safe inside
    /// an HTML `<script>` element and in JavaScript source (no `</script>`, no `<!--`).
    static func jsonString(_ text: String) -> String { JSONWriter.quoted(text, escaping: [.htmlSafe, .delete]) }

    private static func escapeMarkup(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case "\u{0}"..."\u{1F}", "\u{7F}", "\u{FFFE}", "\u{FFFF}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
