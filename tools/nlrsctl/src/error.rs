//! Errors of the tool, their exit codes and how they are reported.

use serde::Serialize;

use crate::errno;
use crate::json;
use crate::nl::attr::path_at_offset;
use crate::nl::{self, MsgBuilder};
use crate::proto::{attr_path_name, family_name};

/// Exit status for kernel and runtime errors.
pub const EXIT_FAILURE: i32 = 1;
/// Exit status for usage errors.
pub const EXIT_USAGE: i32 = 2;
/// Exit status when `monitor --timeout` expires.
pub const EXIT_TIMEOUT: i32 = 3;

/// Anything that makes a command fail after its arguments parsed.
#[derive(Debug)]
pub enum AppError {
    /// A netlink exchange failed.
    Nl(nl::Error),
    /// `CTRL_CMD_GETFAMILY` answered `ENOENT`.
    FamilyNotFound(String),
    /// The family has no multicast group of that name.
    GroupNotFound {
        family: String,
        group: String,
        available: Vec<String>,
    },
    /// `monitor --timeout` expired before `--count` events.
    MonitorTimeout,
    /// Writing the output failed (other than a closed pipe).
    Output(std::io::Error),
    /// Stdout was closed by the reader (e.g. `| head`): stop quietly.
    BrokenPipe,
    /// An input file could not be read or used.
    Input(String),
}

impl From<nl::Error> for AppError {
    fn from(e: nl::Error) -> Self {
        AppError::Nl(e)
    }
}

impl From<nl::ParseError> for AppError {
    fn from(e: nl::ParseError) -> Self {
        AppError::Nl(nl::Error::Parse(e))
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            AppError::BrokenPipe
        } else {
            AppError::Output(e)
        }
    }
}

/// Names the attributes an error ACK points at, by walking the request
/// that caused it. `fam_hdr_len` is the size of the family header after the
/// `nlmsghdr`; `namer` maps attribute type paths to names.
pub fn annotate(
    err: nl::Error,
    req: &MsgBuilder,
    fam_hdr_len: usize,
    namer: fn(&[u16]) -> Option<&'static str>,
) -> nl::Error {
    let nl::Error::Kernel(mut k) = err else {
        return err;
    };
    let msg = req.bytes();
    if let Some(off) = k.offset {
        if let Some(path) = path_at_offset(msg, fam_hdr_len, off as usize) {
            k.attribute = Some(attr_path_name(&path, namer));
        }
    }
    if let Some(ty) = k.miss_type {
        let mut path = k
            .miss_nest
            .and_then(|off| path_at_offset(msg, fam_hdr_len, off as usize))
            .unwrap_or_default();
        path.push(ty);
        k.missing = Some(attr_path_name(&path, namer));
    }
    nl::Error::Kernel(k)
}

impl AppError {
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::MonitorTimeout => EXIT_TIMEOUT,
            AppError::BrokenPipe => 0,
            _ => EXIT_FAILURE,
        }
    }

    fn errno(&self) -> i32 {
        match self {
            AppError::Nl(e) => e.errno(),
            AppError::FamilyNotFound(_) | AppError::GroupNotFound { .. } => libc::ENOENT,
            AppError::MonitorTimeout => libc::ETIMEDOUT,
            AppError::Output(e) => e.raw_os_error().unwrap_or(libc::EIO),
            AppError::BrokenPipe => libc::EPIPE,
            AppError::Input(_) => libc::EINVAL,
        }
    }

    /// What went wrong, without the errno part.
    fn message(&self) -> String {
        match self {
            AppError::Nl(nl::Error::Kernel(k)) => {
                k.msg.clone().unwrap_or_else(|| errno::describe(k.errno))
            }
            AppError::Nl(nl::Error::Sys { op, .. }) => format!("{op} failed"),
            AppError::Nl(nl::Error::Timeout) => "timeout: no reply from the kernel".to_owned(),
            AppError::Nl(nl::Error::Parse(p)) => format!("malformed message from the kernel: {p}"),
            AppError::Nl(nl::Error::Overrun) => "the kernel dropped messages".to_owned(),
            AppError::FamilyNotFound(name) if name == family_name() => {
                format!("family {name} not found (is nlrs.ko loaded?)")
            }
            AppError::FamilyNotFound(name) => format!("family {name} not found"),
            AppError::GroupNotFound {
                family,
                group,
                available,
            } => format!(
                "multicast group {group} not found in family {family} (available: {})",
                if available.is_empty() {
                    "none".to_owned()
                } else {
                    available.join(", ")
                }
            ),
            AppError::MonitorTimeout => "timeout".to_owned(),
            AppError::Output(e) => format!("writing output: {e}"),
            AppError::BrokenPipe => String::new(),
            AppError::Input(m) => m.clone(),
        }
    }

    /// The error as printed on stderr without `--json`.
    pub fn text(&self) -> String {
        match self {
            AppError::Nl(nl::Error::Kernel(k)) => {
                let mut parts = Vec::new();
                if let Some(m) = &k.msg {
                    parts.push(m.clone());
                }
                if let Some(a) = &k.attribute {
                    parts.push(format!("(attribute {a})"));
                } else if let Some(off) = k.offset {
                    parts.push(format!("(offset {off})"));
                }
                if let Some(m) = &k.missing {
                    parts.push(format!("(missing attribute {m})"));
                }
                let mut s = String::from("Error: ");
                if !parts.is_empty() {
                    s.push_str(&parts.join(" "));
                    s.push_str(": ");
                }
                s.push_str(&format!(
                    "{} ({})",
                    errno::describe(k.errno),
                    errno::name(k.errno)
                ));
                s
            }
            AppError::Nl(e) => format!(
                "Error: {}: {} ({})",
                self.message(),
                errno::describe(e.errno()),
                errno::name(e.errno())
            ),
            AppError::MonitorTimeout => "timeout".to_owned(),
            AppError::Output(_) => format!("Error: {}", self.message()),
            _ => format!("Error: {}", self.message()),
        }
    }

    /// The error as its JSON object serializes.
    pub fn to_json(&self) -> ErrorJson {
        let errno = self.errno();
        let mut e = ErrorJson {
            errno,
            name: errno::name(errno),
            message: self.message(),
            attribute: None,
            offset: None,
            missing_attribute: None,
        };
        if let AppError::Nl(nl::Error::Kernel(k)) = self {
            e.attribute = k.attribute.clone();
            if k.attribute.is_none() {
                e.offset = k.offset;
            }
            e.missing_attribute = k.missing.clone();
        }
        e
    }

    /// The error as printed on stderr with `--json`: `{"error":{...}}`.
    pub fn json(&self) -> String {
        json::to_string(&ErrorReport {
            error: self.to_json(),
        })
    }
}

/// An error in JSON. `attribute` names the attribute the kernel blamed;
/// without a name, `offset` is the extack offset into the request.
#[derive(Debug, Serialize)]
pub struct ErrorJson {
    pub errno: i32,
    pub name: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_attribute: Option<String>,
}

/// `{"error":{...}}`, as errors are reported on stderr.
#[derive(Debug, Serialize)]
pub struct ErrorReport {
    pub error: ErrorJson,
}
