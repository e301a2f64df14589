//! Maps a JSON pointer back to the line and column of the value in the source text, so that
//! diagnostics can point at the spot a person must edit.
//!
//! The scanner is deliberately small: it walks well-formed JSON only (the text was already parsed
//! by `serde_json`), never panics, and gives up with `None` on anything it does not understand.

use crate::diag::unescape_token;

/// Returns the 1-based `(line, column)` of the value at `pointer` in `text`, if found.
pub fn locate(text: &str, pointer: &str) -> Option<(usize, usize)> {
    let tokens: Vec<String> =
        if pointer.is_empty() { Vec::new() } else { pointer.strip_prefix('/')?.split('/').map(unescape_token).collect() };
    let mut scanner = Scanner { bytes: text.as_bytes(), pos: 0 };
    scanner.skip_ws();
    let offset = scanner.find(&tokens)?;
    Some(line_col(text, offset))
}

/// Converts a byte offset to a 1-based line and column (columns count characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// With the cursor on a value, finds the offset of the value at `tokens` below it.
    fn find(&mut self, tokens: &[String]) -> Option<usize> {
        let Some((first, rest)) = tokens.split_first() else {
            return Some(self.pos);
        };
        match self.peek()? {
            b'{' => {
                self.pos += 1;
                loop {
                    self.skip_ws();
                    if self.peek()? == b'}' {
                        return None;
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.pos += 1;
                    self.skip_ws();
                    if &key == first {
                        return self.find(rest);
                    }
                    self.skip_value()?;
                    self.skip_ws();
                    match self.peek()? {
                        b',' => self.pos += 1,
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let index: usize = first.parse().ok()?;
                self.pos += 1;
                for i in 0.. {
                    self.skip_ws();
                    if self.peek()? == b']' {
                        return None;
                    }
                    if i == index {
                        return self.find(rest);
                    }
                    self.skip_value()?;
                    self.skip_ws();
                    match self.peek()? {
                        b',' => self.pos += 1,
                        _ => return None,
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// Reads a string with the cursor on its opening quote, decoding escapes.
    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.pos + 1;
        self.pos += 1;
        loop {
            match self.peek()? {
                b'\\' => self.pos += 2,
                b'"' => break,
                _ => self.pos += 1,
            }
        }
        let raw = std::str::from_utf8(self.bytes.get(start - 1..=self.pos)?).ok()?;
        self.pos += 1;
        serde_json::from_str(raw).ok()
    }

    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.pos += 1;
                loop {
                    self.skip_ws();
                    let c = self.peek()?;
                    if c == close {
                        self.pos += 1;
                        return Some(());
                    }
                    match c {
                        b',' | b':' => self.pos += 1,
                        _ => self.skip_value()?,
                    }
                }
            }
            _ => {
                while !matches!(self.peek(), None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')) {
                    self.pos += 1;
                }
                Some(())
            }
        }
    }
}

/// Returns the 1-based `(line, column)` of the value at `pointer` in YAML `text`, if found.
///
/// Block mappings and sequences are followed by indentation, flow collections (`{a: 1}`,
/// `[1, 2]`) by a small scanner. A value on the lines below its key is reported at the key.
/// Aliases (`*a`) and anything else not understood give `None`; the text was already parsed,
/// so the scanner only has to find its way, never to judge.
pub fn locate_yaml(text: &str, pointer: &str) -> Option<(usize, usize)> {
    let tokens: Vec<String> =
        if pointer.is_empty() { Vec::new() } else { pointer.strip_prefix('/')?.split('/').map(unescape_token).collect() };
    let lines = YamlLines::new(text);
    let (mut line, mut col) = lines.first_content(0)?;
    let mut reported = (line, col);
    for (depth, token) in tokens.iter().enumerate() {
        let content = &lines.lines[line].1[col..];
        if content.starts_with('{') || content.starts_with('[') {
            let offset = lines.lines[line].0 + col;
            let mut scanner = FlowScanner { bytes: text.as_bytes(), pos: offset };
            let found = scanner.find(&tokens[depth..])?;
            return Some(line_col(text, found));
        }
        let (key_pos, value) = if content == "-" || content.starts_with("- ") {
            lines.sequence_item(line, col, token.parse().ok()?)?
        } else {
            lines.mapping_entry(line, col, token)?
        };
        reported = key_pos;
        match value {
            Some(v) => (line, col) = v,
            None if depth + 1 == tokens.len() => break,
            None => return None,
        }
        if depth + 1 == tokens.len() && lines.lines[line].0 + col > lines.lines[key_pos.0].0 + key_pos.1 && line == key_pos.0 {
            reported = (line, col);
        }
    }
    let (l, c) = reported;
    let offset = lines.lines[l].0 + c;
    Some(line_col(text, offset))
}

/// `(line index, byte column)` of a spot in a YAML text.
type Spot = (usize, usize);

/// The spot of a key or dash, and of its value (`None` when the value is not there).
type Entry = (Spot, Option<Spot>);

/// The lines of a YAML text as `(byte offset of the line, line text)`.
struct YamlLines<'a> {
    lines: Vec<(usize, &'a str)>,
}

impl<'a> YamlLines<'a> {
    fn new(text: &'a str) -> Self {
        let mut lines = Vec::new();
        let mut offset = 0;
        for line in text.split('\n') {
            lines.push((offset, line.strip_suffix('\r').unwrap_or(line)));
            offset += line.len() + 1;
        }
        Self { lines }
    }

    fn indent(line: &str) -> usize {
        line.len() - line.trim_start_matches(' ').len()
    }

    /// True for lines without content: blank, comments, document markers and directives.
    fn is_blank(line: &str) -> bool {
        let t = line.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..." || (Self::indent(line) == 0 && t.starts_with('%'))
    }

    /// The first line with content at or after `from`, with its indentation.
    fn first_content(&self, from: usize) -> Option<(usize, usize)> {
        (from..self.lines.len()).find(|&i| !Self::is_blank(self.lines[i].1)).map(|i| {
            let line = self.lines[i].1;
            let col = Self::indent(line);
            // A document that starts with `--- value` has the value after the marker.
            (i, col)
        })
    }

    /// With a block mapping whose first key is at `(line, col)`, finds `key`: its position and
    /// the position of its value, `None` for a value that is not there (null).
    fn mapping_entry(&self, line: usize, col: usize, key: &str) -> Option<Entry> {
        let mut i = line;
        let mut first = true;
        while i < self.lines.len() {
            let text = self.lines[i].1;
            if Self::is_blank(text) {
                i += 1;
                continue;
            }
            let indent = Self::indent(text);
            // The first entry may follow `- ` of a sequence item on the same line.
            let start = if first { col } else { indent };
            if !first && indent < col {
                return None;
            }
            if first || indent == col {
                let (k, after) = split_key(&text[start..])?;
                if k == key {
                    let value_col = start + after;
                    return Some(((i, start), self.value_after(i, start, value_col)));
                }
            }
            first = false;
            i += 1;
        }
        None
    }

    /// The value of a mapping entry whose key is at `(line, key_col)` and whose text after the
    /// colon starts at byte `value_col` of the line.
    fn value_after(&self, line: usize, key_col: usize, value_col: usize) -> Option<(usize, usize)> {
        let text = self.lines[line].1;
        let mut col = value_col;
        loop {
            let rest = text.get(col..)?;
            let trimmed = rest.trim_start_matches(' ');
            col += rest.len() - trimmed.len();
            // Skip an anchor or a tag before the value.
            if trimmed.starts_with('&') || trimmed.starts_with('!') {
                let end = trimmed.find(' ').unwrap_or(trimmed.len());
                col += end;
                continue;
            }
            if trimmed.starts_with('*') {
                return None;
            }
            if !(trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('|') || trimmed.starts_with('>')) {
                return Some((line, col));
            }
            if trimmed.starts_with('|') || trimmed.starts_with('>') {
                return Some((line, col));
            }
            break;
        }
        let (next, indent) = self.first_content(line + 1)?;
        let next_text = &self.lines[next].1[indent..];
        if indent > key_col || (indent == key_col && (next_text == "-" || next_text.starts_with("- "))) {
            Some((next, indent))
        } else {
            None
        }
    }

    /// With a block sequence whose first `-` is at `(line, col)`, finds item `index`: the
    /// position of its dash and of its value.
    fn sequence_item(&self, line: usize, col: usize, index: usize) -> Option<Entry> {
        let mut seen = 0;
        let mut i = line;
        while i < self.lines.len() {
            let text = self.lines[i].1;
            if Self::is_blank(text) {
                i += 1;
                continue;
            }
            let indent = if i == line { col } else { Self::indent(text) };
            if indent < col {
                return None;
            }
            let rest = &text[indent..];
            if indent == col {
                if !(rest == "-" || rest.starts_with("- ")) {
                    return None;
                }
                if seen == index {
                    let after = rest[1..].len() - rest[1..].trim_start_matches(' ').len();
                    let value_col = indent + 1 + after;
                    let value = if value_col < text.len() && !text[value_col..].starts_with('#') {
                        Some((i, value_col))
                    } else {
                        self.first_content(i + 1).filter(|&(_, c)| c > col)
                    };
                    return Some(((i, indent), value));
                }
                seen += 1;
            }
            i += 1;
        }
        None
    }
}

/// Splits `key: value` at the start of `text`: the unquoted key and the byte offset just after
/// the colon. `None` when the text is not a mapping entry.
fn split_key(text: &str) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    match bytes.first()? {
        b'"' => {
            let mut i = 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            let key: String = serde_json::from_str(text.get(..=i)?).ok()?;
            let rest = text.get(i + 1..)?;
            let colon = rest.len() - rest.trim_start_matches(' ').len();
            rest[colon..].starts_with(':').then_some((key, i + 1 + colon + 1))
        }
        b'\'' => {
            let mut i = 1;
            let mut key = String::new();
            loop {
                let c = text.get(i..)?.chars().next()?;
                if c == '\'' {
                    if text.get(i + 1..)?.starts_with('\'') {
                        key.push('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                key.push(c);
                i += c.len_utf8();
            }
            let rest = text.get(i + 1..)?;
            let colon = rest.len() - rest.trim_start_matches(' ').len();
            rest[colon..].starts_with(':').then_some((key, i + 1 + colon + 1))
        }
        b'?' | b'-' if text.len() == 1 || text[1..].starts_with(' ') => None,
        _ => {
            // A plain key ends at the first `:` followed by a space or the end of the line.
            let mut search = 0;
            loop {
                let at = search + text[search..].find(':')?;
                let after = &text[at + 1..];
                if after.is_empty() || after.starts_with(' ') || after.starts_with('\t') {
                    return Some((text[..at].trim_end().to_string(), at + 1));
                }
                search = at + 1;
            }
        }
    }
}

/// Finds values in YAML flow collections (`{a: 1, b: [x, 'y']}`), which may span lines.
struct FlowScanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl FlowScanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'#') => {
                    while !matches!(self.peek(), None | Some(b'\n')) {
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    fn find(&mut self, tokens: &[String]) -> Option<usize> {
        self.skip_ws();
        let Some((first, rest)) = tokens.split_first() else {
            return Some(self.pos);
        };
        match self.peek()? {
            b'{' => {
                self.pos += 1;
                loop {
                    self.skip_ws();
                    if self.peek()? == b'}' {
                        return None;
                    }
                    let key = self.scalar(true)?;
                    self.skip_ws();
                    if self.peek()? == b':' {
                        self.pos += 1;
                        self.skip_ws();
                        if &key == first {
                            return self.find(rest);
                        }
                        self.skip_value()?;
                        self.skip_ws();
                    }
                    match self.peek()? {
                        b',' => self.pos += 1,
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let index: usize = first.parse().ok()?;
                self.pos += 1;
                for i in 0.. {
                    self.skip_ws();
                    if self.peek()? == b']' {
                        return None;
                    }
                    if i == index {
                        return self.find(rest);
                    }
                    self.skip_value()?;
                    self.skip_ws();
                    match self.peek()? {
                        b',' => self.pos += 1,
                        _ => return None,
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// Reads a quoted or plain scalar; a plain key stops at `: `.
    fn scalar(&mut self, key: bool) -> Option<String> {
        match self.peek()? {
            b'"' => {
                let start = self.pos;
                self.pos += 1;
                loop {
                    match self.peek()? {
                        b'\\' => self.pos += 2,
                        b'"' => break,
                        _ => self.pos += 1,
                    }
                }
                self.pos += 1;
                let raw = std::str::from_utf8(self.bytes.get(start..self.pos)?).ok()?;
                serde_json::from_str(raw).ok()
            }
            b'\'' => {
                self.pos += 1;
                let mut out = Vec::new();
                loop {
                    let c = self.peek()?;
                    self.pos += 1;
                    if c == b'\'' {
                        if self.peek() == Some(b'\'') {
                            out.push(b'\'');
                            self.pos += 1;
                            continue;
                        }
                        break;
                    }
                    out.push(c);
                }
                String::from_utf8(out).ok()
            }
            _ => {
                let start = self.pos;
                while let Some(c) = self.peek() {
                    let ends_key = key
                        && c == b':'
                        && matches!(self.bytes.get(self.pos + 1), None | Some(b' ' | b'\t' | b'\n' | b'\r' | b',' | b'}' | b']'));
                    if matches!(c, b',' | b'}' | b']' | b'\n') || ends_key {
                        break;
                    }
                    self.pos += 1;
                }
                Some(std::str::from_utf8(self.bytes.get(start..self.pos)?).ok()?.trim_end().to_string())
            }
        }
    }

    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.pos += 1;
                loop {
                    self.skip_ws();
                    let c = self.peek()?;
                    if c == close {
                        self.pos += 1;
                        return Some(());
                    }
                    match c {
                        b',' | b':' => self.pos += 1,
                        _ => {
                            self.skip_value()?;
                        }
                    }
                }
            }
            _ => {
                // A plain scalar inside a flow collection may be followed by `:` (a key).
                let before = self.pos;
                self.scalar(true)?;
                if self.pos == before {
                    self.pos += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{locate, locate_yaml};

    #[test]
    fn finds_yaml_values() {
        let text = "openapi: 3.1.0\ninfo:\n  title: T # comment\n  'x y': {a: [1, \"b\", {c: d}]}\npaths:\n  /a/{id}:\n    get:\n      parameters:\n        - name: id\n          in: path\n        -\n          name: q\n      responses:\n        '200':\n          description: ok\nlist:\n- one\n- two\n";
        assert_eq!(locate_yaml(text, ""), Some((1, 1)));
        assert_eq!(locate_yaml(text, "/openapi"), Some((1, 10)));
        assert_eq!(locate_yaml(text, "/info"), Some((2, 1)));
        assert_eq!(locate_yaml(text, "/info/title"), Some((3, 10)));
        assert_eq!(locate_yaml(text, "/info/x y/a/1"), Some((4, 18)));
        assert_eq!(locate_yaml(text, "/info/x y/a/2/c"), Some((4, 27)));
        assert_eq!(locate_yaml(text, "/paths/~1a~1{id}/get"), Some((7, 5)));
        assert_eq!(locate_yaml(text, "/paths/~1a~1{id}/get/parameters/0"), Some((9, 11)));
        assert_eq!(locate_yaml(text, "/paths/~1a~1{id}/get/parameters/0/in"), Some((10, 15)));
        assert_eq!(locate_yaml(text, "/paths/~1a~1{id}/get/parameters/1/name"), Some((12, 17)));
        assert_eq!(locate_yaml(text, "/paths/~1a~1{id}/get/responses/200"), Some((14, 9)));
        assert_eq!(locate_yaml(text, "/list/1"), Some((18, 3)));
        assert_eq!(locate_yaml(text, "/missing"), None);
        assert_eq!(locate_yaml(text, "/list/2"), None);
        assert_eq!(locate_yaml(text, "/info/x y/a/7"), None);
    }

    #[test]
    fn finds_nested_values() {
        let text = "{\n  \"a\": {\"b/c\": [1, {\"d\": true}]},\n  \"e\": \"x\"\n}";
        assert_eq!(locate(text, ""), Some((1, 1)));
        assert_eq!(locate(text, "/a"), Some((2, 8)));
        assert_eq!(locate(text, "/a/b~1c/1/d"), Some((2, 26)));
        assert_eq!(locate(text, "/e"), Some((3, 8)));
        assert_eq!(locate(text, "/missing"), None);
        assert_eq!(locate(text, "/a/b~1c/7"), None);
    }
}
