//! The clap front end keeps today's syntax, and reports in clap's layout.

use std::ffi::OsString;

use crate::cli::{self, parse, Cli, Command, UsageError};
use crate::help::Topic;

fn p(args: &[&str]) -> Result<Cli, UsageError> {
    parse(args.iter().map(OsString::from))
}

#[test]
fn todays_spellings_still_parse() {
    // `bind` is an alias of `nf listen`; `=` and separate values both work.
    assert_eq!(
        p(&["nf", "bind", "--subsys=9", "--count", "1"])
            .unwrap()
            .cmd,
        Command::NfListen {
            subsys: 9,
            count: Some(1),
            timeout: None
        }
    );
    // Global flags anywhere, and repeated.
    assert!(p(&["-j", "stats", "-j"]).unwrap().json);
    assert!(p(&["rule", "show", "--json"]).unwrap().json);
    // `help WORDS` and `--help` name the same topic.
    assert_eq!(
        p(&["help", "nf", "listen"]).unwrap().cmd,
        Command::Help(Topic::NfListen)
    );
    assert_eq!(
        p(&["-j", "rule", "-h"]).unwrap().cmd,
        Command::Help(Topic::Rule)
    );
    assert_eq!(p(&["--version"]).unwrap().cmd, Command::Version);
    // An option value may start with '-' (and is then refused by value).
    assert!(p(&["nf", "listen", "--timeout", "-2"])
        .unwrap_err()
        .msg
        .starts_with("--timeout"));
}

#[test]
fn usage_errors_keep_their_words_and_gain_clap_tips() {
    let e = p(&["rul"]).unwrap_err();
    assert_eq!(e.msg, "unknown command 'rul'");
    assert!(e.rendered.contains("similar"), "{}", e.rendered);
    assert!(e.rendered.contains("Usage: nlrsctl"), "{}", e.rendered);
    let e = p(&["nf", "apply"]).unwrap_err();
    assert_eq!((e.msg.as_str(), e.topic), ("missing FILE", Topic::NfApply));
    let e = p(&["stats", "now"]).unwrap_err();
    assert_eq!(e.msg, "stats takes no arguments");
    let e = p(&["checkpoint", "--subsys", "x"]).unwrap_err();
    assert!(
        e.rendered.contains("Usage: nlrsctl checkpoint"),
        "{}",
        e.rendered
    );
}

#[test]
fn help_completions_and_man_pages() {
    for &t in cli::TOPICS {
        let h = cli::help_text(t);
        assert!(h.contains("Usage: nlrsctl"), "{t:?}: {h}");
    }
    assert!(cli::help_text(Topic::Rule).contains("threshold PACKETS/MS"));
    assert_eq!(
        p(&["completions", "zsh"]).unwrap().cmd,
        Command::Completions(clap_complete::Shell::Zsh)
    );
    let mut script = Vec::new();
    cli::completions(clap_complete::Shell::Bash, &mut script);
    let script = String::from_utf8(script).unwrap();
    assert!(script.contains("nlrsctl__subcmd__nf__subcmd__listen") || script.contains("listen"));
    let dir = std::env::temp_dir().join(format!("nlrsctl-man-{}", std::process::id()));
    cli::manpages(dir.as_os_str()).unwrap();
    for page in ["nlrsctl.1", "nlrsctl-rule.1", "nlrsctl-nf-echo.1"] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap();
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{page}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
