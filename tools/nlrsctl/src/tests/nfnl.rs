use super::{nla, nlmsg};
use crate::nfnl::{self, NfMsg, NfgenMsg, NFNETLINK_V0};
use crate::nl::consts::*;
use crate::uapi;

#[test]
fn res_id_is_big_endian_on_the_wire() {
    let h = NfgenMsg {
        family: 2,
        version: NFNETLINK_V0,
        res_id: 0x1234,
    };
    assert_eq!(h.to_bytes(), [2, 0, 0x12, 0x34]);
    assert_eq!(NfgenMsg::parse(&[2, 0, 0x12, 0x34]).unwrap(), h);
}

#[test]
fn message_type_combines_subsystem_and_message() {
    assert_eq!(nfnl::msg_type(5, 0), 0x0500);
    assert_eq!(nfnl::msg_type(12, 3), 0x0c03);
    assert_eq!(nfnl::subsys_of(0x0c03), 12);
    assert_eq!(nfnl::msg_of(0x0c03), 3);
}

#[test]
fn echo_request_layout() {
    let mut b = nfnl::fill_hdr(
        uapi::nfnl::SUBSYS_ID,
        uapi::nfnl::msg::ECHO,
        NLM_F_REQUEST | NLM_F_ACK,
        libc::AF_UNSPEC as u8,
        0,
    );
    b.put_str(uapi::nfnl::attr::MSG, b"ping");
    let mut p = vec![0u8, 0, 0, 0];
    p.extend(nla(1, b"ping\0"));
    let ty = (uapi::nfnl::SUBSYS_ID as u16) << 8;
    assert_eq!(b.bytes(), nlmsg(ty, 5, 0, 0, &p).as_slice());
}

#[test]
fn reply_parses_res_id_and_attrs() {
    let mut p = vec![0u8, 0, 0x01, 0x02];
    p.extend(nla(1, b"pong\0"));
    let m = NfMsg::parse(0x0500, &p).unwrap();
    assert_eq!(m.subsys, 5);
    assert_eq!(m.msg_type, 0);
    assert_eq!(m.nfgen.res_id, 0x0102);
    assert_eq!(m.attrs().find(1).unwrap().unwrap().string(), "pong");
    assert!(NfMsg::parse(0x0500, &[0, 0]).is_err());
}
