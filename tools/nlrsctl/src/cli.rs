//! Command-line parsing, with clap.
//!
//! clap parses; this module then checks and converts the values the way
//! nlrsctl always has (`--count`, `--timeout`, `--subsys`, rule words), and
//! maps clap's errors to [`UsageError`]s whose `msg` is the tool's own,
//! stable wording (the tests pin it) while `rendered` keeps clap's full
//! report, suggestions and usage line included, for the terminal.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::time::Duration;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser, Subcommand};

use crate::help::{self, Topic};
use crate::proto::{events_group, family_name};
use crate::uapi;

/// A parsed command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Cli {
    pub json: bool,
    pub cmd: Command,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Help(Topic),
    Version,
    Echo {
        text: Vec<u8>,
    },
    Family {
        name: String,
    },
    Monitor {
        groups: Vec<String>,
        count: Option<u64>,
        timeout: Option<Duration>,
    },
    NfEcho {
        text: Vec<u8>,
        subsys: u8,
    },
    NfApply {
        file: String,
        subsys: u8,
    },
    NfListen {
        subsys: u8,
        count: Option<u64>,
        timeout: Option<Duration>,
    },
    Checkpoint {
        reset: bool,
        subsys: u8,
    },
    Counters,
    Stats,
    Policy,
    Rule(crate::cmd::rule::Action),
    /// Print a shell completion script.
    Completions(clap_complete::Shell),
    /// Write one man page per command into a directory.
    Manpages(String),
}

/// A command line that does not parse; `topic` says which help applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    /// One line, in nlrsctl's words.
    pub msg: String,
    pub topic: Topic,
    /// The report for the terminal, in clap's layout (usage and tips).
    pub rendered: String,
}

impl UsageError {
    /// A usage error in nlrsctl's words, rendered by clap for `topic`.
    fn new(topic: Topic, msg: impl Into<String>) -> Self {
        let msg = msg.into();
        let mut cmd = command();
        cmd.build();
        let rendered = subcommand(&mut cmd, topic)
            .error(ErrorKind::ValueValidation, &msg)
            .render()
            .to_string();
        UsageError {
            msg,
            topic,
            rendered,
        }
    }
}

fn usage<T>(topic: Topic, msg: impl Into<String>) -> Result<T, UsageError> {
    Err(UsageError::new(topic, msg))
}

/// nlrsctl talks to the nlrs kernel module over netlink.
#[derive(Debug, Parser)]
#[command(
    name = "nlrsctl",
    version,
    about = "Talk to the nlrs kernel module over netlink",
    subcommand_required = true,
    args_override_self = true,
    propagate_version = true
)]
struct Args {
    /// Print JSON (one object per line; errors as JSON on stderr)
    #[arg(short = 'j', long, global = true)]
    json: bool,
    #[command(subcommand)]
    cmd: Sub,
}

/// The commands.
#[derive(Debug, Subcommand)]
enum Sub {
    /// Echo TEXT through the generic netlink family
    Echo {
        /// The text to send (use `--` before one that starts with '-')
        #[arg(value_name = "TEXT", value_parser = clap::value_parser!(OsString))]
        text: OsString,
    },
    /// Show a generic netlink family (default: the module's)
    Family {
        /// The family's name
        name: Option<String>,
    },
    /// Print notifications of the family's multicast groups
    Monitor {
        /// Multicast groups to join (default: events)
        #[arg(value_name = "GROUP")]
        groups: Vec<String>,
        #[command(flatten)]
        wait: Wait,
    },
    /// Manage this network namespace's rules
    Rule {
        /// add|replace|del|show|flush, then the rule's words
        #[arg(value_name = "WORDS")]
        words: Vec<String>,
    },
    /// The family's counters in this network namespace
    Stats,
    /// The family's attribute policies, as the kernel has them
    Policy,
    /// Every rule's packet and byte counters
    Counters,
    /// Every rule's counters as one snapshot (nfnetlink)
    Checkpoint {
        /// Restart the counters from this snapshot
        #[arg(long)]
        reset: bool,
        #[command(flatten)]
        subsys: Subsys,
    },
    /// nfnetlink commands: echo, apply, listen
    #[command(subcommand_required = true)]
    Nf {
        #[command(subcommand)]
        cmd: NfSub,
    },
    /// Print a completion script for SHELL
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write a man page per command into DIR
    #[command(hide = true)]
    Manpages {
        /// The directory
        dir: String,
    },
}

/// The nfnetlink commands.
#[derive(Debug, Subcommand)]
enum NfSub {
    /// Echo TEXT through the nlrs nfnetlink subsystem
    Echo {
        /// The text to send
        #[arg(value_name = "TEXT", value_parser = clap::value_parser!(OsString))]
        text: OsString,
        #[command(flatten)]
        subsys: Subsys,
    },
    /// Apply a file of rule changes as one atomic batch
    Apply {
        /// The file ('-' for stdin)
        file: String,
        #[command(flatten)]
        subsys: Subsys,
    },
    /// Bind as an alert listener; print alerts as they come
    #[command(alias = "bind")]
    Listen {
        #[command(flatten)]
        wait: Wait,
        #[command(flatten)]
        subsys: Subsys,
    },
}

/// `--count` and `--timeout`.
#[derive(Debug, clap::Args)]
struct Wait {
    /// Exit 0 after N events
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    count: Option<String>,
    /// Give up after SECS seconds (fractions allowed): exit 3
    #[arg(long, value_name = "SECS", allow_hyphen_values = true)]
    timeout: Option<String>,
}

/// `--subsys`.
#[derive(Debug, clap::Args)]
struct Subsys {
    /// The nfnetlink subsystem id
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    subsys: Option<String>,
}

/// The options some commands take: an error about one of them after
/// another command says so.
const COMMAND_OPTS: &[&str] = &["--count", "--timeout", "--subsys", "--reset"];

/// Every topic, for help and man pages.
pub const TOPICS: &[Topic] = &[
    Topic::Main,
    Topic::Echo,
    Topic::Family,
    Topic::Monitor,
    Topic::Nf,
    Topic::NfEcho,
    Topic::NfApply,
    Topic::NfListen,
    Topic::Checkpoint,
    Topic::Counters,
    Topic::Stats,
    Topic::Policy,
    Topic::Rule,
];

/// The command words of `t` ("" for the tool itself).
pub fn topic_name(t: Topic) -> &'static str {
    match t {
        Topic::Main => "",
        Topic::Echo => "echo",
        Topic::Family => "family",
        Topic::Monitor => "monitor",
        Topic::Nf => "nf",
        Topic::NfEcho => "nf echo",
        Topic::NfApply => "nf apply",
        Topic::NfListen => "nf listen",
        Topic::Checkpoint => "checkpoint",
        Topic::Counters => "counters",
        Topic::Stats => "stats",
        Topic::Policy => "policy",
        Topic::Rule => "rule",
    }
}

/// The topic a command word names, under `nf` if `nf`.
fn word_topic(nf: bool, w: &[u8]) -> Option<Topic> {
    Some(match (nf, w) {
        (false, b"echo") => Topic::Echo,
        (false, b"family") => Topic::Family,
        (false, b"monitor") => Topic::Monitor,
        (false, b"nf") => Topic::Nf,
        (false, b"checkpoint") => Topic::Checkpoint,
        (false, b"counters") => Topic::Counters,
        (false, b"stats") => Topic::Stats,
        (false, b"policy") => Topic::Policy,
        (false, b"rule") => Topic::Rule,
        (true, b"echo") => Topic::NfEcho,
        (true, b"apply") => Topic::NfApply,
        (true, b"listen" | b"bind") => Topic::NfListen,
        _ => return None,
    })
}

/// The topic the command words in `args` name (`help WORDS` too), for
/// the errors and help requests clap reports without saying where.
fn topic_of(args: &[OsString]) -> Topic {
    let mut topic = Topic::Main;
    let mut it = args.iter().map(|a| a.as_bytes());
    while let Some(a) = it.next() {
        if a == b"--" {
            break;
        }
        if a.len() > 1 && a[0] == b'-' {
            if COMMAND_OPTS[..3].iter().any(|o| o.as_bytes() == a) {
                it.next();
            }
            continue;
        }
        if topic == Topic::Main && a == b"help" {
            continue;
        }
        match word_topic(topic == Topic::Nf, a) {
            Some(t) if topic == Topic::Main || topic == Topic::Nf => topic = t,
            _ => break,
        }
    }
    topic
}

/// The clap command, with each topic's long description from [`help`].
pub fn command() -> clap::Command {
    let mut cmd = Args::command();
    for &t in TOPICS {
        let details = help::details(t);
        let words: Vec<&str> = topic_name(t).split_whitespace().collect();
        cmd = match words.as_slice() {
            [] => cmd.after_long_help(details),
            // rule's forms differ by verb: keep its usage lines.
            ["rule"] => cmd.mut_subcommand("rule", |c| {
                c.after_long_help(details).override_usage(help::usage(t))
            }),
            [w] => cmd.mut_subcommand(*w, |c| c.after_long_help(details)),
            [nf, w] => cmd.mut_subcommand(*nf, |c| {
                c.mut_subcommand(*w, |c| c.after_long_help(details))
            }),
            _ => cmd,
        };
    }
    cmd
}

/// The (built) subcommand of `cmd` for topic `t`.
fn subcommand(cmd: &mut clap::Command, t: Topic) -> &mut clap::Command {
    let mut c = cmd;
    for w in topic_name(t).split_whitespace() {
        // Every topic name is a subcommand path of `command()`.
        c = c.find_subcommand_mut(w).expect("topic is a subcommand");
    }
    c
}

/// The long help of topic `t`, in clap's layout.
pub fn help_text(t: Topic) -> String {
    let mut cmd = command();
    cmd.build();
    subcommand(&mut cmd, t).render_long_help().to_string()
}

/// The strings of `kind` in a clap error.
fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => v.first().cloned(),
        _ => None,
    }
}

/// A clap error in nlrsctl's words.
fn from_clap(e: clap::Error, args: &[OsString]) -> UsageError {
    let topic = topic_of(args);
    let arg = context(&e, ContextKind::InvalidArg).unwrap_or_default();
    // "--count <N>" -> "--count"; "--timeout=1" -> "--timeout".
    let opt = arg.split([' ', '=']).next().unwrap_or_default().to_owned();
    let (msg, topic) = match e.kind() {
        ErrorKind::InvalidSubcommand => {
            let sub = context(&e, ContextKind::InvalidSubcommand).unwrap_or_default();
            if topic == Topic::Nf {
                (format!("unknown nf command '{sub}'"), topic)
            } else {
                (format!("unknown command '{sub}'"), Topic::Main)
            }
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            if topic == Topic::Nf =>
        {
            ("nf needs a command (echo, apply, listen)".to_owned(), topic)
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            ("no command given".to_owned(), Topic::Main)
        }
        ErrorKind::MissingRequiredArgument => {
            let name = arg.trim_matches(['<', '>']);
            (format!("missing {name}"), topic)
        }
        ErrorKind::UnknownArgument if !arg.starts_with('-') => {
            let msg = match topic {
                Topic::Echo | Topic::NfEcho => {
                    "too many arguments (quote TEXT if it has spaces)".to_owned()
                }
                Topic::NfListen => "nf listen takes no arguments".to_owned(),
                Topic::Checkpoint | Topic::Counters | Topic::Stats | Topic::Policy => {
                    format!("{} takes no arguments", topic_name(topic))
                }
                _ => "too many arguments".to_owned(),
            };
            (msg, topic)
        }
        ErrorKind::UnknownArgument if COMMAND_OPTS.contains(&opt.as_str()) => (
            format!("option {opt} is not valid for '{}'", topic_name(topic)),
            topic,
        ),
        ErrorKind::UnknownArgument => (format!("unknown option '{arg}'"), Topic::Main),
        ErrorKind::InvalidValue
            if context(&e, ContextKind::InvalidValue).is_none_or(|v| v.is_empty()) =>
        {
            (format!("option {opt} needs a value"), topic)
        }
        ErrorKind::InvalidUtf8 => ("argument is not valid UTF-8".to_owned(), topic),
        _ => (
            e.to_string()
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ")
                .to_owned(),
            topic,
        ),
    };
    UsageError {
        msg,
        topic,
        rendered: e.render().to_string(),
    }
}

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = OsString>>(args: I) -> Result<Cli, UsageError> {
    let args: Vec<OsString> = args.into_iter().collect();
    let json = args
        .iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "-j" || a == "--json");
    let argv = std::iter::once(OsString::from("nlrsctl")).chain(args.iter().cloned());
    let parsed = match Args::try_parse_from(argv) {
        Ok(a) => a,
        Err(e) => {
            let cmd = match e.kind() {
                ErrorKind::DisplayHelp => Command::Help(topic_of(&args)),
                ErrorKind::DisplayVersion => Command::Version,
                _ => return Err(from_clap(e, &args)),
            };
            return Ok(Cli { json, cmd });
        }
    };
    Ok(Cli {
        json: parsed.json,
        cmd: convert(parsed.cmd)?,
    })
}

/// Checks and converts the values clap leaves as text.
fn convert(sub: Sub) -> Result<Command, UsageError> {
    Ok(match sub {
        Sub::Echo { text } => Command::Echo {
            text: text.as_bytes().to_vec(),
        },
        Sub::Family { name } => Command::Family {
            name: name.unwrap_or_else(|| family_name().to_owned()),
        },
        Sub::Monitor { groups, wait } => {
            let mut unique: Vec<String> = Vec::new();
            for g in groups {
                if !unique.contains(&g) {
                    unique.push(g);
                }
            }
            if unique.is_empty() {
                unique.push(events_group().to_owned());
            }
            let (count, timeout) = wait.values(Topic::Monitor)?;
            Command::Monitor {
                groups: unique,
                count,
                timeout,
            }
        }
        Sub::Rule { words } => Command::Rule(rule_action(words)?),
        Sub::Stats => Command::Stats,
        Sub::Policy => Command::Policy,
        Sub::Counters => Command::Counters,
        Sub::Checkpoint { reset, subsys } => Command::Checkpoint {
            reset,
            subsys: subsys.value(Topic::Checkpoint)?,
        },
        Sub::Nf { cmd } => match cmd {
            NfSub::Echo { text, subsys } => Command::NfEcho {
                text: text.as_bytes().to_vec(),
                subsys: subsys.value(Topic::NfEcho)?,
            },
            NfSub::Apply { file, subsys } => Command::NfApply {
                file,
                subsys: subsys.value(Topic::NfApply)?,
            },
            NfSub::Listen { wait, subsys } => {
                let subsys = subsys.value(Topic::NfListen)?;
                let (count, timeout) = wait.values(Topic::NfListen)?;
                Command::NfListen {
                    subsys,
                    count,
                    timeout,
                }
            }
        },
        Sub::Completions { shell } => Command::Completions(shell),
        Sub::Manpages { dir } => Command::Manpages(dir),
    })
}

impl Wait {
    fn values(&self, topic: Topic) -> Result<(Option<u64>, Option<Duration>), UsageError> {
        Ok((
            count_opt(topic, self.count.as_deref())?,
            timeout_opt(topic, self.timeout.as_deref())?,
        ))
    }
}

impl Subsys {
    fn value(&self, topic: Topic) -> Result<u8, UsageError> {
        subsys(topic, self.subsys.as_deref())
    }
}

/// Writes a completion script for `shell` to `out`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    clap_complete::generate(shell, &mut command(), "nlrsctl", out);
}

/// Writes `nlrsctl.1` and one `nlrsctl-CMD.1` per command into `dir`.
pub fn manpages(dir: &OsStr) -> std::io::Result<()> {
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir)?;
    let mut cmd = command();
    cmd.build();
    for &t in TOPICS {
        let words = topic_name(t);
        let name = if words.is_empty() {
            "nlrsctl".to_owned()
        } else {
            format!("nlrsctl-{}", words.replace(' ', "-"))
        };
        let page = subcommand(&mut cmd, t).clone().name(&name);
        let mut buf = Vec::new();
        clap_mangen::Man::new(page).render(&mut buf)?;
        std::fs::write(dir.join(format!("{name}.1")), buf)?;
    }
    Ok(())
}

/// The `--count` value.
fn count_opt(topic: Topic, v: Option<&str>) -> Result<Option<u64>, UsageError> {
    match v {
        None => Ok(None),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => usage(topic, format!("--count: '{v}' is not a positive integer")),
        },
    }
}

/// The `--timeout` value.
fn timeout_opt(topic: Topic, v: Option<&str>) -> Result<Option<Duration>, UsageError> {
    match v {
        None => Ok(None),
        Some(v) => match v.parse::<f64>() {
            Ok(s) if s.is_finite() && s > 0.0 && s < 1e9 => Ok(Some(Duration::from_secs_f64(s))),
            _ => usage(
                topic,
                format!("--timeout: '{v}' is not a positive number of seconds"),
            ),
        },
    }
}

/// The `--subsys` value, or the default id.
fn subsys(topic: Topic, v: Option<&str>) -> Result<u8, UsageError> {
    match v {
        None => Ok(uapi::nfnl::SUBSYS_ID),
        Some(v) => v.parse::<u8>().or_else(|_| {
            usage(
                topic,
                format!("--subsys: '{v}' is not a number from 0 to 255"),
            )
        }),
    }
}

/// Keys `rule add` and `rule replace` accept.
pub const RULE_KEYS: &[&str] = &["id", "name", "proto", "src", "dst", "dport", "threshold"];
/// Keys naming one rule.
pub const RULE_KEY_KEYS: &[&str] = &["id", "name"];

fn rule_action(words: Vec<String>) -> Result<crate::cmd::rule::Action, UsageError> {
    use crate::cmd::rule::Action;
    use crate::rule::Rule;
    let topic = Topic::Rule;
    let Some((verb, args)) = words.split_first() else {
        return usage(
            topic,
            "rule needs a command (add, replace, del, show, flush)",
        );
    };
    let spec = |keys: &[&str]| Rule::from_words(args, keys).or_else(|e| usage(topic, e));
    Ok(match verb.as_str() {
        "add" | "replace" => Action::New {
            rule: spec(RULE_KEYS)?,
            replace: verb == "replace",
        },
        "del" | "delete" => {
            let key = spec(RULE_KEY_KEYS)?;
            if key.id.is_none() && key.name.is_none() {
                return usage(topic, "rule del needs id N or name NAME");
            }
            Action::Del(key)
        }
        "show" | "list" => {
            let key = spec(RULE_KEY_KEYS)?;
            Action::Show((key.id.is_some() || key.name.is_some()).then_some(key))
        }
        "flush" if args.is_empty() => Action::Flush,
        "flush" => return usage(topic, "rule flush takes no arguments"),
        other => return usage(topic, format!("unknown rule command '{other}'")),
    })
}
