# SPDX-License-Identifier: GPL-2.0
# Do not edit directly, auto-generated from:
#	Documentation/netlink/specs/nlrs.yaml
#	Documentation/netlink/specs/nlrs_nfnl.yaml
# by tools/ynl-gen-rust/ynl_gen_rust.py --mode python (make regen).
"""The specs' numbers, and what the kernel may send in each message."""

GENL_FAMILY_NAME = "nlrs"
GENL_FAMILY_VERSION = 1
GENL_MSG_MAX_LEN = 4095
GENL_RULE_NAME_MAX_LEN = 31
GENL_INTERVAL_MS_MAX = 3600000
GENL_CMD_ECHO = 1
GENL_CMD_ECHO_NTF = 2
GENL_CMD_STATS_GET = 3
GENL_CMD_RULE_NEW = 4
GENL_CMD_RULE_DEL = 5
GENL_CMD_RULE_GET = 6
GENL_CMD_RULE_FLUSH = 7
GENL_CMD_RULE_NEW_NTF = 8
GENL_CMD_RULE_DEL_NTF = 9
GENL_CMD_RULE_FLUSH_NTF = 10
GENL_CMD_ALERT_NTF = 11
GENL_ATTR_MSG = 1
GENL_ATTR_STATS_REQUESTS = 2
GENL_ATTR_STATS_REJECTS = 3
GENL_ATTR_STATS_NTF_SENT = 4
GENL_ATTR_STATS_NTF_DROPPED = 5
GENL_ATTR_RULE_ID = 6
GENL_ATTR_RULE_NAME = 7
GENL_ATTR_RULE_MATCH = 8
GENL_ATTR_RULE_THRESHOLD = 9
GENL_ATTR_RULE_COUNTERS = 10
GENL_ATTR_RULE_REPLACE = 11
GENL_ATTR_RULE_COUNT = 12
GENL_ATTR_STATS_HOOK_PACKETS = 13
GENL_ATTR_STATS_HOOK_BYTES = 14
GENL_ATTR_STATS_ALERTS = 15
GENL_ATTR_CHECKPOINT_RESET = 16
GENL_ATTR_ALERT_PACKETS = 17
GENL_ATTR_STATS_LISTENERS = 18
GENL_RULE_MATCH_PROTO = 1
GENL_RULE_MATCH_SRC4 = 2
GENL_RULE_MATCH_SRC6 = 3
GENL_RULE_MATCH_SRC_PLEN = 4
GENL_RULE_MATCH_DST4 = 5
GENL_RULE_MATCH_DST6 = 6
GENL_RULE_MATCH_DST_PLEN = 7
GENL_RULE_MATCH_DPORT_LO = 8
GENL_RULE_MATCH_DPORT_HI = 9
GENL_THRESHOLD_PACKETS = 1
GENL_THRESHOLD_INTERVAL_MS = 2
GENL_COUNTERS_PACKETS = 1
GENL_COUNTERS_BYTES = 2
GENL_MCGRP_EVENTS = "events"
GENL_MCGRP_ALERTS = "alerts"
GENL_MCGRP_CONFIG = "config"

# {attribute type: (name, type, nested set or None)} of each set.
GENL_SET_RULE_MATCH = {
    1: ('proto', 'u8', None),
    2: ('src4', 'binary4', None),
    3: ('src6', 'binary16', None),
    4: ('src-plen', 'u8', None),
    5: ('dst4', 'binary4', None),
    6: ('dst6', 'binary16', None),
    7: ('dst-plen', 'u8', None),
    8: ('dport-lo', 'u16', None),
    9: ('dport-hi', 'u16', None),
}
GENL_SET_THRESHOLD = {
    1: ('packets', 'u64', None),
    2: ('interval-ms', 'u32', None),
}
GENL_SET_COUNTERS = {
    1: ('packets', 'u64', None),
    2: ('bytes', 'u64', None),
}
GENL_SET_NLRS = {
    1: ('msg', 'string', None),
    2: ('stats-requests', 'u64', None),
    3: ('stats-rejects', 'u64', None),
    4: ('stats-ntf-sent', 'u64', None),
    5: ('stats-ntf-dropped', 'u64', None),
    6: ('rule-id', 'u32', None),
    7: ('rule-name', 'string', None),
    8: ('rule-match', 'nest', GENL_SET_RULE_MATCH),
    9: ('rule-threshold', 'nest', GENL_SET_THRESHOLD),
    10: ('rule-counters', 'nest', GENL_SET_COUNTERS),
    11: ('rule-replace', 'flag', None),
    12: ('rule-count', 'u32', None),
    13: ('stats-hook-packets', 'u64', None),
    14: ('stats-hook-bytes', 'u64', None),
    15: ('stats-alerts', 'u64', None),
    16: ('checkpoint-reset', 'flag', None),
    17: ('alert-packets', 'u64', None),
    18: ('stats-listeners', 'u32', None),
}

# {message type: (operation, its set, the attribute types it may carry)}
# of what the kernel sends: replies, notifications and events.
GENL_REPLIES = {
    1: ('echo', GENL_SET_NLRS, (1,)),
    2: ('echo-ntf', GENL_SET_NLRS, (1,)),
    3: ('stats-get', GENL_SET_NLRS, (2, 3, 4, 5, 12, 13, 14, 15, 18)),
    4: ('rule-new', GENL_SET_NLRS, (6, 7, 8, 9, 10)),
    6: ('rule-get', GENL_SET_NLRS, (6, 7, 8, 9, 10)),
    7: ('rule-flush', GENL_SET_NLRS, (12,)),
    8: ('rule-new-ntf', GENL_SET_NLRS, (6, 7, 8, 9, 10, 11)),
    9: ('rule-del-ntf', GENL_SET_NLRS, (6, 7, 8, 9, 10)),
    10: ('rule-flush-ntf', GENL_SET_NLRS, (12,)),
    11: ('alert-ntf', GENL_SET_NLRS, (6, 9, 17)),
}

NFNL_SUBSYS_ID = 5
NFNL_ECHO_MAX_LEN = 255
NFNL_RULE_NAME_MAX_LEN = 31
NFNL_INTERVAL_MS_MAX = 3600000
NFNL_MAX_LISTENERS = 16
NFNL_SUBSYS_COUNT = 13
NFNL_MSG_ECHO = 0
NFNL_MSG_RULE_NEW = 1
NFNL_MSG_RULE_DEL = 2
NFNL_MSG_CHECKPOINT = 3
NFNL_MSG_LISTEN = 4
NFNL_MSG_UNLISTEN = 5
NFNL_MSG_ALERT = 6
NFNL_BATCH_ATTRS_GENID = 1
NFNL_ATTR_MSG = 1
NFNL_ATTR_RULE_ID = 6
NFNL_ATTR_RULE_NAME = 7
NFNL_ATTR_RULE_MATCH = 8
NFNL_ATTR_RULE_THRESHOLD = 9
NFNL_ATTR_RULE_COUNTERS = 10
NFNL_ATTR_RULE_REPLACE = 11
NFNL_ATTR_CHECKPOINT_RESET = 16
NFNL_ATTR_ALERT_PACKETS = 17
NFNL_RULE_MATCH_PROTO = 1
NFNL_RULE_MATCH_SRC4 = 2
NFNL_RULE_MATCH_SRC6 = 3
NFNL_RULE_MATCH_SRC_PLEN = 4
NFNL_RULE_MATCH_DST4 = 5
NFNL_RULE_MATCH_DST6 = 6
NFNL_RULE_MATCH_DST_PLEN = 7
NFNL_RULE_MATCH_DPORT_LO = 8
NFNL_RULE_MATCH_DPORT_HI = 9
NFNL_THRESHOLD_PACKETS = 1
NFNL_THRESHOLD_INTERVAL_MS = 2
NFNL_COUNTERS_PACKETS = 1
NFNL_COUNTERS_BYTES = 2

# {attribute type: (name, type, nested set or None)} of each set.
NFNL_SET_BATCH_ATTRS = {
    1: ('genid', 'u32', None),
}
NFNL_SET_RULE_MATCH = GENL_SET_RULE_MATCH
NFNL_SET_THRESHOLD = GENL_SET_THRESHOLD
NFNL_SET_COUNTERS = GENL_SET_COUNTERS
NFNL_SET_NLRS = {
    1: ('msg', 'string', None),
    6: ('rule-id', 'u32', None),
    7: ('rule-name', 'string', None),
    8: ('rule-match', 'nest', NFNL_SET_RULE_MATCH),
    9: ('rule-threshold', 'nest', NFNL_SET_THRESHOLD),
    10: ('rule-counters', 'nest', NFNL_SET_COUNTERS),
    11: ('rule-replace', 'flag', None),
    16: ('checkpoint-reset', 'flag', None),
    17: ('alert-packets', 'u64', None),
}

# {message type: (operation, its set, the attribute types it may carry)}
# of what the kernel sends: replies, notifications and events.
NFNL_REPLIES = {
    0: ('echo', NFNL_SET_NLRS, (1,)),
    3: ('checkpoint', NFNL_SET_NLRS, (6, 10)),
    6: ('alert', NFNL_SET_NLRS, (6, 9, 17)),
}
