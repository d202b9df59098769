//! Physical lines of an input file, read with a bounded buffer so one endless line cannot
//! exhaust memory.

use std::io::BufRead;

/// Longest physical line kept; longer lines are cut and flagged (a customer record is never
/// this long, a binary file or a file without line breaks may be).
pub(crate) const MAX_LINE_BYTES: usize = 1 << 20;

/// Reads one physical line at a time into a reused buffer.
pub(crate) struct LineReader<R> {
    input: R,
    /// The current line, always ending in `\n` (added at end of file, `\r\n` folded to `\n`).
    pub(crate) buf: Vec<u8>,
    /// 1-based number of the current line.
    pub(crate) line_no: u64,
    /// Whether the current line was longer than [`MAX_LINE_BYTES`] and was cut.
    pub(crate) too_long: bool,
    /// Bytes consumed from the input so far.
    pub(crate) bytes: u64,
}

impl<R: BufRead> LineReader<R> {
    pub(crate) fn new(input: R) -> Self {
        LineReader { input, buf: Vec::with_capacity(256), line_no: 0, too_long: false, bytes: 0 }
    }

    /// Loads the next line; `false` at end of input.
    pub(crate) fn next_line(&mut self) -> std::io::Result<bool> {
        self.buf.clear();
        self.too_long = false;
        let mut read_any = false;
        loop {
            let available = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            read_any = true;
            let (chunk, done) = match available.iter().position(|b| *b == b'\n') {
                Some(i) => (available.get(..=i).unwrap_or(available), true),
                None => (available, false),
            };
            let room = MAX_LINE_BYTES.saturating_sub(self.buf.len());
            if chunk.len() > room {
                self.too_long = true;
            }
            self.buf.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or(chunk));
            let n = chunk.len();
            self.input.consume(n);
            self.bytes += n as u64;
            if done {
                break;
            }
        }
        if !read_any {
            return Ok(false);
        }
        self.line_no += 1;
        if self.line_no == 1 && self.buf.starts_with(b"\xEF\xBB\xBF") {
            self.buf.drain(..3);
        }
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        self.buf.push(b'\n');
        Ok(true)
    }

    /// Whether the current line holds nothing but its line break (or white space).
    pub(crate) fn is_blank(&self) -> bool {
        self.buf.iter().all(u8::is_ascii_whitespace)
    }
}

/// Lossy text of raw bytes for an error report, cut to a readable length.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    const MAX: usize = 300;
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_end_matches(['\n', '\r']);
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(MAX).collect();
    s.push('…');
    s
}
