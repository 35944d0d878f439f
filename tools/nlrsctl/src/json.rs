//! JSON output: typed values serialized with serde_json.
//!
//! The encoding is serde_json's, plus three escapes nlrsctl has always
//! written: DEL (`\u007f`) and the line and paragraph separators
//! (`\u2028`, `\u2029`), which break JavaScript consumers.

use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, Serializer};

/// serde_json's compact formatter, escaping DEL, U+2028 and U+2029 too.
#[derive(Debug, Default, Clone, Copy)]
struct Escaping;

impl Formatter for Escaping {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let esc = match c {
                '\u{7f}' => "\\u007f",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            w.write_all(&fragment.as_bytes()[start..i])?;
            w.write_all(esc.as_bytes())?;
            start = i + c.len_utf8();
        }
        CompactFormatter.write_string_fragment(w, &fragment[start..])
    }
}

/// `v` as one line of JSON.
pub fn to_string<T: Serialize + ?Sized>(v: &T) -> String {
    let mut buf = Vec::new();
    let mut ser = Serializer::with_formatter(&mut buf, Escaping);
    // Serializing into memory fails only for maps with non-string keys,
    // which no nlrsctl type has.
    v.serialize(&mut ser).expect("JSON serialization");
    // serde_json writes UTF-8 only.
    String::from_utf8(buf).expect("JSON is UTF-8")
}

/// `s` as a quoted JSON string. `"` and `\` are escaped, control characters
/// become `\n`, `\t`, ... or `\u00XX`; everything else (including non-ASCII)
/// is kept as UTF-8.
pub fn string(s: &str) -> String {
    to_string(s)
}

/// Bytes from the kernel as a JSON string (invalid UTF-8 replaced).
pub fn bytes(b: &[u8]) -> String {
    string(&String::from_utf8_lossy(b))
}

/// Serializes bytes from the kernel as a string (invalid UTF-8 replaced).
pub fn lossy<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(b))
}

/// Builds one JSON object from already-encoded members, keys in insertion
/// order. The commands serialize typed values with [`to_string`]; this
/// stays for callers that splice JSON text.
#[derive(Debug, Default)]
pub struct Obj {
    body: String,
}

impl Obj {
    pub fn new() -> Self {
        Obj::default()
    }

    fn key(&mut self, k: &str) {
        if !self.body.is_empty() {
            self.body.push(',');
        }
        self.body.push_str(&string(k));
        self.body.push(':');
    }

    /// Adds a string member.
    pub fn str(mut self, k: &str, v: &str) -> Self {
        self.key(k);
        self.body.push_str(&string(v));
        self
    }

    /// Adds a numeric member.
    pub fn num(mut self, k: &str, v: impl Into<i128>) -> Self {
        self.key(k);
        self.body.push_str(&v.into().to_string());
        self
    }

    /// Adds a member whose value is already JSON.
    pub fn raw(mut self, k: &str, json: &str) -> Self {
        self.key(k);
        self.body.push_str(json);
        self
    }

    /// Adds a string member if `v` is `Some`.
    pub fn opt_str(self, k: &str, v: Option<&str>) -> Self {
        match v {
            Some(v) => self.str(k, v),
            None => self,
        }
    }

    pub fn finish(self) -> String {
        format!("{{{}}}", self.body)
    }
}

/// A JSON array of already-encoded values.
pub fn array<I: IntoIterator<Item = String>>(items: I) -> String {
    let v: Vec<String> = items.into_iter().collect();
    format!("[{}]", v.join(","))
}
