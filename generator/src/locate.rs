//! Maps a JSON pointer back to the line and column of the value in the source text, so that
//! diagnostics can point at the spot a person must edit.
//!
//! The scanner is deliberately small: it walks well-formed JSON only (the text was already parsed
//! by `serde_json`), never panics, and gives up with `None` on anything it does not understand.

use crate::diag::unescape_token;

/// Returns the 1-based `(line, column)` of the value at `pointer` in `text`, if found.
pub fn locate(text: &str, pointer: &str) -> Option<(usize, usize)> {
    let tokens: Vec<String> = if pointer.is_empty() {
        Vec::new()
    } else {
        pointer.strip_prefix('/')?.split('/').map(unescape_token).collect()
    };
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

#[cfg(test)]
mod tests {
    use super::locate;

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
