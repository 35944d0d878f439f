//! Help texts.

use crate::proto::{events_group, family_name};
use crate::uapi;

/// Something `--help` can be asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Main,
    Echo,
    Family,
    Monitor,
    Nf,
    NfEcho,
    NfApply,
    NfListen,
    Checkpoint,
    Counters,
    Stats,
    Policy,
    Rule,
}

pub fn text(topic: Topic) -> String {
    match topic {
        Topic::Main => format!(
            "\
nlrsctl - talk to the nlrs kernel module over netlink

Usage: nlrsctl [-j|--json] COMMAND [ARGS...]

Commands:
  echo TEXT                 echo TEXT through the '{fam}' generic netlink family
  family [NAME]             show a generic netlink family (default: {fam})
  monitor [GROUP...]        print notifications of the family's multicast groups
  rule add|replace|del|show|flush ...
                            manage this network namespace's rules
  stats                     the family's counters in this network namespace
  policy                    the family's attribute policies, as the kernel has them
  counters                  every rule's packet and byte counters
  checkpoint [--reset]      every rule's counters as one snapshot (nfnetlink)
  nf echo TEXT [--subsys N] echo TEXT through the nlrs nfnetlink subsystem
  nf apply FILE             apply a file of rule changes as one atomic batch
  nf listen                 bind as an alert listener; print alerts as they come
  help [COMMAND]            show help (also: COMMAND --help)

Global options:
  -j, --json    print JSON (one object per line; errors as JSON on stderr)
  -h, --help    show help
  -V, --version show the version

Exit status: 0 success, 1 kernel or runtime error, 2 usage error,
3 monitor timeout.
",
            fam = family_name()
        ),
        Topic::Policy => "\
Usage: nlrsctl [-j] policy

Dump the family's attribute policies with CTRL_CMD_GETPOLICY: for each
operation, the policy its do (and dump) validates against; for each policy,
the type and bounds of every attribute it accepts.

JSON output: {\"ops\":[{\"cmd\":N,\"name\":...,\"do\":N}],
\"policies\":{\"N\":{\"TYPE\":{\"type\":...,\"max_length\":N,...}}}}
"
        .to_owned(),
        Topic::Rule => "\
Usage: nlrsctl [-j] rule add [id N] [name NAME] [MATCH...] [threshold PACKETS/MS]
       nlrsctl [-j] rule replace (id N | name NAME) [...as add]
       nlrsctl [-j] rule del (id N | name NAME)
       nlrsctl [-j] rule show [id N | name NAME]
       nlrsctl [-j] rule flush

MATCH is any of:
  proto P          tcp, udp, sctp, udplite, icmp, icmpv6 or a number
  src PREFIX       ADDR[/LEN], IPv4 or IPv6
  dst PREFIX       ADDR[/LEN], the same family as src
  dport LO[-HI]    destination ports (needs a proto with ports)

Rules live in the current network namespace. add fails with EEXIST when the
id or name is taken; replace replaces that rule (keeping its counters) or
adds it. The kernel assigns an id when none is given. add, replace, del and
flush need CAP_NET_ADMIN; show does not. add and replace print the rule as
stored; show prints one line per rule:
  id N [name NAME] [proto P] [src PREFIX] [dst PREFIX] [dport LO[-HI]]
       [threshold PACKETS/MS] packets N bytes N

JSON output: {\"id\":N,\"name\":...,\"match\":{\"proto\":N,\"src\":...,\"dst\":...,
\"dport_lo\":N,\"dport_hi\":N},\"threshold\":{\"packets\":N,\"interval_ms\":N},
\"counters\":{\"packets\":N,\"bytes\":N}} (show: an array of them;
flush: {\"flushed\":N})
"
        .to_owned(),
        Topic::Stats => "\
Usage: nlrsctl [-j] stats

Print the family's counters in this network namespace: requests its
handlers received, requests they rejected (policy rejections by the
generic netlink core are not counted), notifications sent to at least one
listener, notifications lost, the number of rules and of nfnetlink alert
listeners, the packets and
bytes the netfilter hooks saw (local IPv4/IPv6 traffic, in and out, counted
while the namespace has rules), and the threshold alerts raised.

JSON output: {\"requests\":N,\"rejects\":N,\"notifications_sent\":N,
\"notifications_dropped\":N,\"rules\":N,\"listeners\":N,\"hook_packets\":N,
\"hook_bytes\":N,\"alerts\":N}
"
        .to_owned(),
        Topic::Echo => "\
Usage: nlrsctl [-j] echo TEXT

Resolve the generic netlink family and send it an ECHO request carrying
TEXT in the MSG attribute; print the text the kernel sends back.
TEXT is sent as given (no length check: the kernel enforces its policy).
Use `--` before a TEXT that starts with '-'.

JSON output: {\"msg\":\"...\"}
"
        .to_owned(),
        Topic::Family => format!(
            "\
Usage: nlrsctl [-j] family [NAME]

Show the id, version, header size, maximum attribute, operations and
multicast groups of generic netlink family NAME (default: {}).

JSON output: {{\"name\":...,\"id\":N,\"version\":N,\"hdrsize\":N,\"maxattr\":N,
              \"ops\":[{{\"id\":N,\"name\":...,\"flags\":N,\"flag_names\":[...]}}],
              \"mcast_groups\":[{{\"name\":...,\"id\":N}}]}}
",
            family_name()
        ),
        Topic::Monitor => format!(
            "\
Usage: nlrsctl [-j] monitor [GROUP...] [--count N] [--timeout SECS]

Join the multicast GROUPs of the '{fam}' family (default: {grp}) and print
one line per notification:
  echo msg=TEXT             for ECHO_NTF (group \"events\")
  rule-new RULE             a rule was added (group \"config\")
  rule-replace RULE         a rule was replaced
  rule-del RULE             a rule was deleted
  rule-flush count=N        N rules were flushed
  cmd=N TYPE=HEX...         for other commands (attribute payloads in hex)
RULE is printed as by 'nlrsctl rule show'. The \"alerts\" group needs
CAP_NET_ADMIN to join.
Once the groups are joined, 'listening on GROUP,...' is printed on stderr.

Options:
  --count N        exit 0 after N notifications
  --timeout SECS   give up after SECS seconds (fractions allowed): print
                   'timeout' on stderr and exit 3

JSON output, one object per line:
  {{\"group\":\"{grp}\",\"event\":\"echo\",\"msg\":\"...\"}}
  {{\"group\":\"config\",\"event\":\"rule-new\",\"rule\":{{...}}}}
  {{\"group\":\"config\",\"event\":\"rule-flush\",\"count\":N}}
  {{\"group\":...,\"event\":\"unknown\",\"cmd\":N,\"attrs\":[{{\"type\":N,\"hex\":\"...\"}}]}}
",
            fam = family_name(),
            grp = events_group()
        ),
        Topic::Nf => "\
Usage: nlrsctl [-j] nf echo TEXT [--subsys N]
       nlrsctl [-j] nf apply FILE [--subsys N]
       nlrsctl [-j] nf listen [--count N] [--timeout SECS] [--subsys N]

nfnetlink commands. See 'nlrsctl nf COMMAND --help'.
"
        .to_owned(),
        Topic::NfApply => "\
Usage: nlrsctl [-j] nf apply FILE [--subsys N]

Apply the rule changes in FILE ('-' for stdin) as one nfnetlink batch:
either all of them take effect or none does. One change per line; blank
lines and lines starting with '#' are skipped:

  add WORDS       a new rule (NLM_F_CREATE | NLM_F_EXCL); WORDS as for
                  'rule add'
  replace WORDS   add or replace (NLM_F_CREATE | NLM_F_REPLACE)
  del id N | name NAME

On failure, every refused line is reported with its error, and nothing
is applied (exit 1).

JSON output: {\"applied\":N} or, on stderr, one error object per refused
line, with its \"line\".
"
        .to_owned(),
        Topic::NfListen => "\
Usage: nlrsctl [-j] nf listen [--count N] [--timeout SECS] [--subsys N]
       (also: nf bind)

Bind this socket as an alert listener of the nfnetlink subsystem (LISTEN)
and print each threshold alert the kernel sends it, as the 'alerts' group
of the family carries them too. The kernel forgets the listener when the
socket closes. 'listening for alerts' is printed on stderr once bound.

Options:
  --count N        exit 0 after N alerts
  --timeout SECS   give up after SECS seconds: print 'timeout', exit 3

Output: 'alert rule ID packets N threshold P/MS' per alert.
JSON output: {\"plane\":\"nfnetlink\",\"event\":\"alert\",\"rule\":N,
\"packets\":N,\"threshold\":{\"packets\":N,\"interval_ms\":N}}
"
        .to_owned(),
        Topic::Checkpoint => "\
Usage: nlrsctl [-j] checkpoint [--reset] [--subsys N]

Read every rule's counters as one snapshot over nfnetlink (CHECKPOINT). With
--reset, the counters restart from that snapshot: a packet counted after it
shows in the next checkpoint, so successive checkpoints add up to the
traffic, with nothing lost or counted twice.

Output: 'rule ID packets N bytes N' per rule.
JSON output: [{\"id\":N,\"packets\":N,\"bytes\":N},...]
"
        .to_owned(),
        Topic::Counters => "\
Usage: nlrsctl [-j] counters

Every rule's counters, read with a RULE_GET dump: 'ID NAME packets N
bytes N' per rule.

JSON output: [{\"id\":N,\"name\":...,\"packets\":N,\"bytes\":N},...]
"
        .to_owned(),
        Topic::NfEcho => format!(
            "\
Usage: nlrsctl [-j] nf echo TEXT [--subsys N]

Send an nfnetlink ECHO message of subsystem N (default {def}; the kernel
has {count} subsystem slots) with TEXT in the MSG attribute, behind an
nfgenmsg {{AF_UNSPEC, NFNETLINK_V0, res_id 0}}; print the text the kernel
sends back. TEXT is sent as given (no length check).

JSON output: {{\"msg\":\"...\",\"res_id\":N}}
",
            def = uapi::nfnl::SUBSYS_ID,
            count = uapi::nfnl::SUBSYS_COUNT
        ),
    }
}

/// The description of `topic` below clap's usage and options: [`text`]
/// without its usage lines (for the tool itself, the exit statuses).
pub fn details(topic: Topic) -> String {
    if topic == Topic::Main {
        return "Exit status: 0 success, 1 kernel or runtime error, 2 usage error,\n\
                3 monitor timeout.\n\n\
                See 'nlrsctl help COMMAND' for a command's output and JSON shape."
            .to_owned();
    }
    let t = text(topic);
    match t.split_once("\n\n") {
        Some((_, rest)) => rest.trim_end().to_owned(),
        None => t.trim_end().to_owned(),
    }
}

/// The usage lines of [`text`] without their "Usage: " label, aligned for
/// clap's usage section.
pub fn usage(topic: Topic) -> String {
    let t = text(topic);
    let block = t.split_once("\n\n").map_or(t.as_str(), |(u, _)| u);
    block
        .lines()
        .map(|l| l.trim_start_matches("Usage: ").trim_start())
        .collect::<Vec<_>>()
        .join("\n       ")
}
