use super::nla;
use crate::cmd::monitor::render;
use crate::genl::GenlMsg;
use crate::uapi::genl::{attr, cmd};

fn ntf(c: u8, attrs: &[Vec<u8>]) -> GenlMsg {
    let mut p = vec![c, 1, 0, 0];
    p.extend(attrs.concat());
    GenlMsg::parse(0x22, &p).unwrap()
}

#[test]
fn echo_notification_renders() {
    let m = ntf(cmd::ECHO_NTF, &[nla(attr::MSG, b"hi \"there\"\0")]);
    assert_eq!(
        render(&m, "events", false).unwrap(),
        "echo msg=hi \"there\""
    );
    assert_eq!(
        render(&m, "events", true).unwrap(),
        r#"{"group":"events","event":"echo","msg":"hi \"there\""}"#
    );
}

#[test]
fn unknown_command_renders_attributes_in_hex() {
    let m = ntf(99, &[nla(1, b"ab\0"), nla(4, &[0xff, 0x00])]);
    assert_eq!(
        render(&m, "events", false).unwrap(),
        "cmd=99 1=616200 4=ff00"
    );
    assert_eq!(
        render(&m, "events", true).unwrap(),
        r#"{"group":"events","event":"unknown","cmd":99,"attrs":[{"type":1,"hex":"616200"},{"type":4,"hex":"ff00"}]}"#
    );
}

#[test]
fn malformed_notification_is_an_error() {
    let mut bad = nla(attr::MSG, b"abc\0");
    bad[0..2].copy_from_slice(&99u16.to_ne_bytes());
    let m = ntf(cmd::ECHO_NTF, &[bad]);
    assert!(render(&m, "events", false).is_err());
}
