use super::{nla, nlmsg};
use crate::cmd::family::{to_json, to_text};
use crate::genl::{self, ctrl, FamilyInfo, GenlMsg, McastGroup, OpInfo};
use crate::nl::consts::*;
use crate::nl::Messages;

#[test]
fn request_has_genl_header() {
    let b = genl::request(0x22, 1, 1);
    assert_eq!(b.bytes(), nlmsg(0x22, 5, 0, 0, &[1, 1, 0, 0]).as_slice());
}

#[test]
fn getfamily_request_bytes() {
    let b = genl::getfamily_request("nlrs");
    let mut p = vec![ctrl::CMD_GETFAMILY, ctrl::VERSION, 0, 0];
    p.extend(nla(ctrl::ATTR_FAMILY_NAME, b"nlrs\0"));
    assert_eq!(
        b.bytes(),
        nlmsg(0x10, NLM_F_REQUEST | NLM_F_ACK, 0, 0, &p).as_slice()
    );
    assert_eq!(b.bytes().len(), 32);
}

/// A `CTRL_CMD_NEWFAMILY` reply as `ctrl_fill_info()` builds it: the op and
/// group lists are nested without `NLA_F_NESTED` (`nla_nest_start_noflag`).
fn newfamily_reply() -> Vec<u8> {
    let op = |id: u32, flags: u32| {
        [
            nla(ctrl::ATTR_OP_ID, &id.to_ne_bytes()),
            nla(ctrl::ATTR_OP_FLAGS, &flags.to_ne_bytes()),
        ]
        .concat()
    };
    let grp = |id: u32, name: &[u8]| {
        [
            nla(ctrl::ATTR_MCAST_GRP_ID, &id.to_ne_bytes()),
            nla(ctrl::ATTR_MCAST_GRP_NAME, name),
        ]
        .concat()
    };
    let ops = [nla(1, &op(1, 0x0a)), nla(2, &op(77, 0x05))].concat();
    let groups = [nla(1, &grp(12, b"events\0")), nla(2, &grp(13, b"other\0"))].concat();
    let attrs = [
        nla(ctrl::ATTR_FAMILY_NAME, b"nlrs\0"),
        nla(ctrl::ATTR_FAMILY_ID, &0x22u16.to_ne_bytes()),
        nla(ctrl::ATTR_VERSION, &1u32.to_ne_bytes()),
        nla(ctrl::ATTR_HDRSIZE, &0u32.to_ne_bytes()),
        nla(ctrl::ATTR_MAXATTR, &1u32.to_ne_bytes()),
        nla(ctrl::ATTR_OPS, &ops),
        nla(ctrl::ATTR_MCAST_GROUPS, &groups),
    ]
    .concat();
    let mut p = vec![1u8, 2, 0, 0]; // CTRL_CMD_NEWFAMILY, version 2
    p.extend(attrs);
    nlmsg(0x10, 0, 9, 100, &p)
}

fn expected_family() -> FamilyInfo {
    FamilyInfo {
        name: "nlrs".to_owned(),
        id: 0x22,
        version: 1,
        hdrsize: 0,
        maxattr: 1,
        ops: vec![
            OpInfo { id: 1, flags: 0x0a },
            OpInfo {
                id: 77,
                flags: 0x05,
            },
        ],
        groups: vec![
            McastGroup {
                name: "events".to_owned(),
                id: 12,
            },
            McastGroup {
                name: "other".to_owned(),
                id: 13,
            },
        ],
    }
}

#[test]
fn newfamily_reply_parses() {
    let bytes = newfamily_reply();
    let m = Messages::new(&bytes).next().unwrap().unwrap();
    let g = GenlMsg::parse(m.hdr.ty, m.payload).unwrap();
    assert_eq!(g.hdr.cmd, 1);
    let f = FamilyInfo::parse(&g.attrs).unwrap();
    assert_eq!(f, expected_family());
    assert_eq!(f.group_id("events"), Some(12));
    assert_eq!(f.group_id("other"), Some(13));
    assert_eq!(f.group_id("nope"), None);
}

#[test]
fn newfamily_reply_with_broken_op_list_is_an_error() {
    let mut bad_ops = nla(1, &nla(ctrl::ATTR_OP_ID, &1u32.to_ne_bytes()));
    bad_ops[0..2].copy_from_slice(&64u16.to_ne_bytes());
    let attrs = [
        nla(ctrl::ATTR_FAMILY_ID, &0x22u16.to_ne_bytes()),
        nla(ctrl::ATTR_OPS, &bad_ops),
    ]
    .concat();
    assert!(FamilyInfo::parse(&attrs).is_err());

    // A u32 attribute that is two bytes long.
    let attrs = nla(ctrl::ATTR_VERSION, &[1, 0]);
    assert!(FamilyInfo::parse(&attrs).is_err());
}

#[test]
fn family_json_and_text() {
    let f = expected_family();
    assert_eq!(
        to_json(&f),
        concat!(
            r#"{"name":"nlrs","id":34,"version":1,"hdrsize":0,"maxattr":1,"#,
            r#""ops":[{"id":1,"name":"echo","flags":10,"flag_names":["do","has-policy"]},"#,
            r#"{"id":77,"flags":5,"flag_names":["admin-perm","dump"]}],"#,
            r#""mcast_groups":[{"name":"events","id":12},{"name":"other","id":13}]}"#
        )
    );
    let text = to_text(&f);
    assert!(text.contains(&"id: 34".to_owned()));
    assert!(text.contains(&"  1 echo flags=do,has-policy".to_owned()));
    assert!(text.contains(&"  77 - flags=admin-perm,dump".to_owned()));
    assert!(text.contains(&"  12 events".to_owned()));
}

/// Resolves nlctrl through the host kernel (needs AF_NETLINK).
#[test]
#[ignore = "talks to the running kernel"]
fn resolve_nlctrl_on_host() {
    let mut gs = genl::GenlSocket::open().unwrap();
    let f = gs
        .resolve("nlctrl", std::time::Duration::from_secs(5))
        .unwrap()
        .expect("nlctrl exists");
    assert_eq!(f.id, ctrl::GENL_ID_CTRL);
    assert_eq!(f.group_id("notify"), Some(0x10));
    assert!(f.ops.iter().any(|o| o.id == ctrl::CMD_GETFAMILY as u32));
    assert_eq!(
        gs.resolve("nosuchfam", std::time::Duration::from_secs(5)),
        Ok(None)
    );
}

/// Joins nlctrl's "notify" group on the host kernel and waits briefly:
/// exercises NETLINK_ADD_MEMBERSHIP, NETLINK_PKTINFO and SO_RCVTIMEO.
#[test]
#[ignore = "talks to the running kernel"]
fn join_group_and_time_out_on_host() {
    let mut gs = genl::GenlSocket::open().unwrap();
    let f = gs
        .resolve("nlctrl", std::time::Duration::from_secs(5))
        .unwrap()
        .unwrap();
    let sock = gs.socket();
    sock.enable_pktinfo().unwrap();
    sock.add_membership(f.group_id("notify").unwrap()).unwrap();
    sock.set_recv_timeout(Some(std::time::Duration::from_millis(200)))
        .unwrap();
    let t0 = std::time::Instant::now();
    assert!(matches!(sock.recv(), Err(crate::nl::Error::Timeout)));
    assert!(t0.elapsed() >= std::time::Duration::from_millis(150));
}
