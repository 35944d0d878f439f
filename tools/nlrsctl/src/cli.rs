//! Command-line parsing.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::time::Duration;

use crate::help::Topic;
use crate::proto::{events_group, family_name};
use crate::uapi;

/// A parsed command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Cli {
    pub json: bool,
    pub cmd: Command,
}

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
}

/// A command line that does not parse; `topic` says which help applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    pub msg: String,
    pub topic: Topic,
}

fn usage<T>(topic: Topic, msg: impl Into<String>) -> Result<T, UsageError> {
    Err(UsageError {
        msg: msg.into(),
        topic,
    })
}

/// Options that take a value, and the commands that accept them.
const VALUE_OPTS: &[(&str, &[Topic])] = &[
    ("--count", &[Topic::Monitor, Topic::NfListen]),
    ("--timeout", &[Topic::Monitor, Topic::NfListen]),
    (
        "--subsys",
        &[
            Topic::NfEcho,
            Topic::NfApply,
            Topic::NfListen,
            Topic::Checkpoint,
        ],
    ),
];

/// Options without a value, and the commands that accept them.
const FLAG_OPTS: &[(&str, &[Topic])] = &[("--reset", &[Topic::Checkpoint])];

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

fn utf8(arg: Vec<u8>, topic: Topic) -> Result<String, UsageError> {
    String::from_utf8(arg).or_else(|_| usage(topic, "argument is not valid UTF-8"))
}

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = OsString>>(args: I) -> Result<Cli, UsageError> {
    let mut json = false;
    let mut help = false;
    let mut version = false;
    let mut positional: Vec<Vec<u8>> = Vec::new();
    let mut opts: Vec<(&'static str, String)> = Vec::new();

    let mut it = args.into_iter().map(OsString::into_vec);
    let mut only_positional = false;
    while let Some(arg) = it.next() {
        if only_positional || arg.first() != Some(&b'-') || arg.len() == 1 {
            positional.push(arg);
            continue;
        }
        let s = utf8(arg, Topic::Main)?;
        match s.as_str() {
            "--" => only_positional = true,
            "-j" | "--json" => json = true,
            "-h" | "--help" => help = true,
            "-V" | "--version" => version = true,
            f if FLAG_OPTS.iter().any(|(o, _)| *o == f) => {
                let (opt, _) = FLAG_OPTS
                    .iter()
                    .find(|(o, _)| *o == f)
                    .copied()
                    .unwrap_or(("", &[]));
                opts.push((opt, String::new()));
            }
            _ => {
                let (name, inline) = match s.split_once('=') {
                    Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                    None => (s.clone(), None),
                };
                let Some(&(opt, topics)) = VALUE_OPTS.iter().find(|(o, _)| *o == name) else {
                    return usage(Topic::Main, format!("unknown option '{s}'"));
                };
                let topic = topics[0];
                let value = match inline {
                    Some(v) => v,
                    None => match it.next() {
                        Some(v) => utf8(v, topic)?,
                        None => return usage(topic, format!("option {opt} needs a value")),
                    },
                };
                opts.push((opt, value));
            }
        }
    }

    if version && !help {
        return Ok(Cli {
            json,
            cmd: Command::Version,
        });
    }
    let mut pos = positional.into_iter();
    let topic = match pos.next() {
        None if help => {
            return Ok(Cli {
                json,
                cmd: Command::Help(Topic::Main),
            })
        }
        None => return usage(Topic::Main, "no command given"),
        Some(c) => match c.as_slice() {
            b"echo" => Topic::Echo,
            b"family" => Topic::Family,
            b"monitor" => Topic::Monitor,
            b"stats" => Topic::Stats,
            b"policy" => Topic::Policy,
            b"rule" => Topic::Rule,
            b"checkpoint" => Topic::Checkpoint,
            b"counters" => Topic::Counters,
            b"nf" => match pos.next() {
                Some(s) if s == b"echo" => Topic::NfEcho,
                Some(s) if s == b"apply" => Topic::NfApply,
                Some(s) if s == b"listen" || s == b"bind" => Topic::NfListen,
                Some(s) => {
                    return usage(
                        Topic::Nf,
                        format!("unknown nf command '{}'", String::from_utf8_lossy(&s)),
                    )
                }
                None if help => Topic::Nf,
                None => return usage(Topic::Nf, "nf needs a command (echo, apply, listen)"),
            },
            b"help" => {
                let t = match pos.next().as_deref() {
                    None => Topic::Main,
                    Some(b"echo") => Topic::Echo,
                    Some(b"family") => Topic::Family,
                    Some(b"monitor") => Topic::Monitor,
                    Some(b"stats") => Topic::Stats,
                    Some(b"policy") => Topic::Policy,
                    Some(b"rule") => Topic::Rule,
                    Some(b"checkpoint") => Topic::Checkpoint,
                    Some(b"counters") => Topic::Counters,
                    Some(b"nf") => match pos.next().as_deref() {
                        Some(b"echo") => Topic::NfEcho,
                        Some(b"apply") => Topic::NfApply,
                        Some(b"listen") | Some(b"bind") => Topic::NfListen,
                        _ => Topic::Nf,
                    },
                    Some(other) => {
                        return usage(
                            Topic::Main,
                            format!("no help for '{}'", String::from_utf8_lossy(other)),
                        )
                    }
                };
                return Ok(Cli {
                    json,
                    cmd: Command::Help(t),
                });
            }
            other => {
                return usage(
                    Topic::Main,
                    format!("unknown command '{}'", String::from_utf8_lossy(other)),
                )
            }
        },
    };
    if help {
        return Ok(Cli {
            json,
            cmd: Command::Help(topic),
        });
    }
    for (opt, _) in &opts {
        let owners = VALUE_OPTS
            .iter()
            .chain(FLAG_OPTS)
            .find(|(o, _)| o == opt)
            .map_or(&[][..], |(_, t)| *t);
        if !owners.contains(&topic) {
            return usage(
                topic,
                format!("option {opt} is not valid for '{}'", topic_name(topic)),
            );
        }
    }
    let opt = |name: &str| {
        opts.iter()
            .rev()
            .find(|(o, _)| *o == name)
            .map(|(_, v)| v.as_str())
    };
    let rest: Vec<Vec<u8>> = pos.collect();

    let cmd = match topic {
        Topic::Echo | Topic::NfEcho => {
            let text = match <[Vec<u8>; 1]>::try_from(rest) {
                Ok([t]) => t,
                Err(v) if v.is_empty() => return usage(topic, "missing TEXT"),
                Err(_) => return usage(topic, "too many arguments (quote TEXT if it has spaces)"),
            };
            if topic == Topic::Echo {
                Command::Echo { text }
            } else {
                Command::NfEcho {
                    text,
                    subsys: subsys(topic, opt("--subsys"))?,
                }
            }
        }
        Topic::NfApply => {
            let file = match <[Vec<u8>; 1]>::try_from(rest) {
                Ok([f]) => utf8(f, topic)?,
                Err(v) if v.is_empty() => return usage(topic, "missing FILE"),
                Err(_) => return usage(topic, "too many arguments"),
            };
            Command::NfApply {
                file,
                subsys: subsys(topic, opt("--subsys"))?,
            }
        }
        Topic::Checkpoint | Topic::Counters => {
            if !rest.is_empty() {
                return usage(topic, format!("{} takes no arguments", topic_name(topic)));
            }
            if topic == Topic::Counters {
                Command::Counters
            } else {
                Command::Checkpoint {
                    reset: opt("--reset").is_some(),
                    subsys: subsys(topic, opt("--subsys"))?,
                }
            }
        }
        Topic::Stats | Topic::Policy => {
            if !rest.is_empty() {
                return usage(topic, format!("{} takes no arguments", topic_name(topic)));
            }
            if topic == Topic::Stats {
                Command::Stats
            } else {
                Command::Policy
            }
        }
        Topic::Family => {
            let mut rest = rest.into_iter();
            let name = match rest.next() {
                Some(n) => utf8(n, topic)?,
                None => family_name().to_owned(),
            };
            if rest.next().is_some() {
                return usage(topic, "too many arguments");
            }
            Command::Family { name }
        }
        Topic::Monitor => {
            let mut groups: Vec<String> = Vec::new();
            for g in rest {
                let g = utf8(g, topic)?;
                if !groups.contains(&g) {
                    groups.push(g);
                }
            }
            if groups.is_empty() {
                groups.push(events_group().to_owned());
            }
            Command::Monitor {
                groups,
                count: count_opt(topic, opt("--count"))?,
                timeout: timeout_opt(topic, opt("--timeout"))?,
            }
        }
        Topic::NfListen => {
            if !rest.is_empty() {
                return usage(topic, "nf listen takes no arguments");
            }
            Command::NfListen {
                subsys: subsys(topic, opt("--subsys"))?,
                count: count_opt(topic, opt("--count"))?,
                timeout: timeout_opt(topic, opt("--timeout"))?,
            }
        }
        Topic::Rule => Command::Rule(rule_action(rest)?),
        Topic::Main | Topic::Nf => unreachable!("handled above"),
    };
    Ok(Cli { json, cmd })
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

fn rule_action(rest: Vec<Vec<u8>>) -> Result<crate::cmd::rule::Action, UsageError> {
    use crate::cmd::rule::Action;
    use crate::rule::Rule;
    let topic = Topic::Rule;
    let mut words = Vec::new();
    for w in rest {
        words.push(utf8(w, topic)?);
    }
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
