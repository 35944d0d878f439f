//! Writing results to stdout and diagnostics to stderr.

use std::io::Write;

use serde::Serialize;

use crate::error::AppError;
use crate::json;

/// `{"warning":{"message":...}}`, an ACK's extack message in JSON.
#[derive(Serialize)]
pub(crate) struct Warning<'a> {
    pub(crate) warning: Message<'a>,
}

/// `{"message":...}`.
#[derive(Serialize)]
pub(crate) struct Message<'a> {
    pub(crate) message: &'a str,
}

/// Where a command prints, and in which format.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    pub json: bool,
}

impl Out {
    /// Writes `bytes` and a newline to stdout, then flushes.
    pub fn line_bytes(&self, bytes: &[u8]) -> Result<(), AppError> {
        let mut o = std::io::stdout().lock();
        o.write_all(bytes)?;
        o.write_all(b"\n")?;
        o.flush()?;
        Ok(())
    }

    /// Writes `s` and a newline to stdout, then flushes.
    pub fn line(&self, s: &str) -> Result<(), AppError> {
        self.line_bytes(s.as_bytes())
    }

    /// Writes a line to stderr and flushes; errors are ignored (there is
    /// nowhere left to report them).
    pub fn diag(&self, s: &str) {
        let mut e = std::io::stderr().lock();
        let _ = writeln!(e, "{s}");
        let _ = e.flush();
    }

    /// Reports the extack message of a success ACK.
    pub fn warning(&self, w: Option<&str>) {
        if let Some(w) = w {
            if self.json {
                self.diag(&json::to_string(&Warning {
                    warning: Message { message: w },
                }));
            } else {
                self.diag(&format!("Warning: {w}"));
            }
        }
    }

    /// Reports a failed command on stderr.
    pub fn error(&self, e: &AppError) {
        if matches!(e, AppError::BrokenPipe) {
            return;
        }
        self.diag(&if self.json { e.json() } else { e.text() });
    }
}
