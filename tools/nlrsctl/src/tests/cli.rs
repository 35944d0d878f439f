use std::ffi::OsString;
use std::time::Duration;

use crate::cli::{parse, Cli, Command, UsageError};
use crate::help::Topic;
use crate::uapi;

fn p(args: &[&str]) -> Result<Cli, UsageError> {
    parse(args.iter().map(OsString::from))
}

fn err(args: &[&str]) -> UsageError {
    p(args).expect_err("should not parse")
}

#[test]
fn echo_and_global_flags() {
    let c = p(&["echo", "hello world"]).unwrap();
    assert!(!c.json);
    assert_eq!(
        c.cmd,
        Command::Echo {
            text: b"hello world".to_vec()
        }
    );
    // -j works before or after the command.
    assert!(p(&["-j", "echo", "x"]).unwrap().json);
    assert!(p(&["echo", "x", "--json"]).unwrap().json);
    // `--` lets TEXT start with a dash.
    assert_eq!(
        p(&["echo", "--", "-n"]).unwrap().cmd,
        Command::Echo {
            text: b"-n".to_vec()
        }
    );
    // No client-side length check.
    let long = "x".repeat(300);
    assert_eq!(
        p(&["echo", &long]).unwrap().cmd,
        Command::Echo {
            text: long.into_bytes()
        }
    );
}

#[test]
fn echo_argument_errors() {
    assert_eq!(err(&["echo"]).msg, "missing TEXT");
    assert_eq!(err(&["echo"]).topic, Topic::Echo);
    assert!(err(&["echo", "a", "b"])
        .msg
        .starts_with("too many arguments"));
    assert_eq!(err(&[]).msg, "no command given");
    assert_eq!(err(&["frob"]).msg, "unknown command 'frob'");
    assert_eq!(
        err(&["echo", "--bogus", "x"]).msg,
        "unknown option '--bogus'"
    );
    assert_eq!(
        err(&["echo", "x", "--count", "3"]).msg,
        "option --count is not valid for 'echo'"
    );
}

#[test]
fn monitor_options() {
    assert_eq!(
        p(&["monitor"]).unwrap().cmd,
        Command::Monitor {
            groups: vec![crate::proto::events_group().to_owned()],
            count: None,
            timeout: None,
        }
    );
    assert_eq!(
        p(&["monitor", "a", "b", "a", "--count", "2", "--timeout=1.5"])
            .unwrap()
            .cmd,
        Command::Monitor {
            groups: vec!["a".to_owned(), "b".to_owned()],
            count: Some(2),
            timeout: Some(Duration::from_millis(1500)),
        }
    );
    assert_eq!(
        err(&["monitor", "--count", "0"]).msg,
        "--count: '0' is not a positive integer"
    );
    assert!(err(&["monitor", "--count", "x"]).msg.starts_with("--count"));
    assert!(err(&["monitor", "--timeout", "-1"])
        .msg
        .starts_with("--timeout"));
    assert!(err(&["monitor", "--timeout", "nan"])
        .msg
        .starts_with("--timeout"));
    assert_eq!(
        err(&["monitor", "--count"]).msg,
        "option --count needs a value"
    );
}

#[test]
fn nf_echo() {
    assert_eq!(
        p(&["nf", "echo", "hi"]).unwrap().cmd,
        Command::NfEcho {
            text: b"hi".to_vec(),
            subsys: uapi::nfnl::SUBSYS_ID
        }
    );
    assert_eq!(
        p(&["nf", "echo", "--subsys", "12", "hi"]).unwrap().cmd,
        Command::NfEcho {
            text: b"hi".to_vec(),
            subsys: 12
        }
    );
    assert!(err(&["nf", "echo", "hi", "--subsys", "256"])
        .msg
        .starts_with("--subsys"));
    assert_eq!(err(&["nf"]).topic, Topic::Nf);
    assert_eq!(err(&["nf", "list"]).msg, "unknown nf command 'list'");
    assert_eq!(err(&["nf", "echo"]).topic, Topic::NfEcho);
}

#[test]
fn family_and_help() {
    assert_eq!(
        p(&["family"]).unwrap().cmd,
        Command::Family {
            name: "nlrs".to_owned()
        }
    );
    assert_eq!(
        p(&["family", "nlctrl"]).unwrap().cmd,
        Command::Family {
            name: "nlctrl".to_owned()
        }
    );
    assert!(err(&["family", "a", "b"]).msg.starts_with("too many"));
    assert_eq!(p(&["--help"]).unwrap().cmd, Command::Help(Topic::Main));
    assert_eq!(p(&["-h"]).unwrap().cmd, Command::Help(Topic::Main));
    assert_eq!(p(&["echo", "-h"]).unwrap().cmd, Command::Help(Topic::Echo));
    assert_eq!(
        p(&["monitor", "--help"]).unwrap().cmd,
        Command::Help(Topic::Monitor)
    );
    assert_eq!(
        p(&["nf", "echo", "--help"]).unwrap().cmd,
        Command::Help(Topic::NfEcho)
    );
    assert_eq!(p(&["nf", "--help"]).unwrap().cmd, Command::Help(Topic::Nf));
    assert_eq!(
        p(&["help", "family"]).unwrap().cmd,
        Command::Help(Topic::Family)
    );
    assert_eq!(p(&["-V"]).unwrap().cmd, Command::Version);
}
