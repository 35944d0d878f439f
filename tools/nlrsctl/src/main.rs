//! The `nlrsctl` binary: parse the command line, run the command, report.

use nlrsctl::cli::{self, Command};
use nlrsctl::error::{AppError, EXIT_USAGE};
use nlrsctl::output::Out;

fn run(out: &Out, cmd: Command) -> Result<(), AppError> {
    use nlrsctl::cmd;
    match cmd {
        Command::Help(topic) => out.line(cli::help_text(topic).trim_end()),
        Command::Completions(shell) => {
            cli::completions(shell, &mut std::io::stdout().lock());
            Ok(())
        }
        Command::Manpages(dir) => Ok(cli::manpages(dir.as_ref())?),
        Command::Version => out.line(concat!("nlrsctl ", env!("CARGO_PKG_VERSION"))),
        Command::Echo { text } => cmd::echo::run(out, &text),
        Command::Stats => cmd::stats::run(out),
        Command::Policy => cmd::policy::run(out),
        Command::Family { name } => cmd::family::run(out, &name),
        Command::Monitor {
            groups,
            count,
            timeout,
        } => cmd::monitor::run(out, &groups, count, timeout),
        Command::NfEcho { text, subsys } => cmd::nf::echo(out, &text, subsys),
        Command::Rule(action) => cmd::rule::run(out, &action),
        Command::NfApply { file, subsys } => cmd::nf::apply(out, &file, subsys),
        Command::Checkpoint { reset, subsys } => cmd::nf::checkpoint(out, reset, subsys),
        Command::Counters => cmd::rule::counters(out),
        Command::NfListen {
            subsys,
            count,
            timeout,
        } => cmd::nf::listen(out, subsys, count, timeout),
    }
}

fn main() {
    let cli = match cli::parse(std::env::args_os().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{}", e.rendered);
            std::process::exit(EXIT_USAGE);
        }
    };
    let out = Out { json: cli.json };
    if let Err(e) = run(&out, cli.cmd) {
        out.error(&e);
        std::process::exit(e.exit_code());
    }
}
