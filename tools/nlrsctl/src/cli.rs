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
const VALUE_OPTS: &[(&str, Topic)] = &[
    ("--count", Topic::Monitor),
    ("--timeout", Topic::Monitor),
    ("--subsys", Topic::NfEcho),
];

pub fn topic_name(t: Topic) -> &'static str {
    match t {
        Topic::Main => "",
        Topic::Echo => "echo",
        Topic::Family => "family",
        Topic::Monitor => "monitor",
        Topic::Nf => "nf",
        Topic::NfEcho => "nf echo",
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
            _ => {
                let (name, inline) = match s.split_once('=') {
                    Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                    None => (s.clone(), None),
                };
                let Some(&(opt, topic)) = VALUE_OPTS.iter().find(|(o, _)| *o == name) else {
                    return usage(Topic::Main, format!("unknown option '{s}'"));
                };
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
            b"nf" => match pos.next() {
                Some(s) if s == b"echo" => Topic::NfEcho,
                Some(s) => {
                    return usage(
                        Topic::Nf,
                        format!("unknown nf command '{}'", String::from_utf8_lossy(&s)),
                    )
                }
                None if help => Topic::Nf,
                None => return usage(Topic::Nf, "nf needs a command (echo)"),
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
                    Some(b"nf") => match pos.next().as_deref() {
                        Some(b"echo") => Topic::NfEcho,
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
        let owner = VALUE_OPTS.iter().find(|(o, _)| o == opt).map(|(_, t)| *t);
        if owner != Some(topic) {
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
                let subsys = match opt("--subsys") {
                    None => uapi::nfnl::DEFAULT_SUBSYS_ID,
                    Some(v) => v.parse::<u8>().or_else(|_| {
                        usage(
                            topic,
                            format!("--subsys: '{v}' is not a number from 0 to 255"),
                        )
                    })?,
                };
                Command::NfEcho { text, subsys }
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
            let count = match opt("--count") {
                None => None,
                Some(v) => match v.parse::<u64>() {
                    Ok(n) if n > 0 => Some(n),
                    _ => return usage(topic, format!("--count: '{v}' is not a positive integer")),
                },
            };
            let timeout = match opt("--timeout") {
                None => None,
                Some(v) => match v.parse::<f64>() {
                    Ok(s) if s.is_finite() && s > 0.0 && s < 1e9 => {
                        Some(Duration::from_secs_f64(s))
                    }
                    _ => {
                        return usage(
                            topic,
                            format!("--timeout: '{v}' is not a positive number of seconds"),
                        )
                    }
                },
            };
            Command::Monitor {
                groups,
                count,
                timeout,
            }
        }
        Topic::Rule => Command::Rule(rule_action(rest)?),
        Topic::Main | Topic::Nf => unreachable!("handled above"),
    };
    Ok(Cli { json, cmd })
}

/// Keys `rule add` and `rule replace` accept.
const RULE_KEYS: &[&str] = &["id", "name", "proto", "src", "dst", "dport", "threshold"];
/// Keys naming one rule.
const RULE_KEY_KEYS: &[&str] = &["id", "name"];

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
