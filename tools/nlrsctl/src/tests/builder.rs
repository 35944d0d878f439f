use super::{nla, nlmsg};
use crate::nl::consts::*;
use crate::nl::{Attrs, MsgBuilder};

#[test]
fn header_only_message_has_length_16() {
    let b = MsgBuilder::new(0x1234, NLM_F_REQUEST | NLM_F_ACK);
    assert_eq!(b.bytes(), nlmsg(0x1234, 5, 0, 0, &[]).as_slice());
    assert_eq!(b.flags(), 5);
}

#[test]
fn odd_length_string_is_nul_terminated_and_padded() {
    let mut b = MsgBuilder::new(30, NLM_F_REQUEST);
    b.push_header(&[1, 1, 0, 0]);
    b.put_str(1, b"hello");
    let bytes = b.bytes();
    // 16 nlmsghdr + 4 genlmsghdr + 4 nla header + 6 ("hello\0") + 2 pad.
    assert_eq!(bytes.len(), 32);
    assert_eq!(u32::from_ne_bytes(bytes[0..4].try_into().unwrap()), 32);
    // nla_len counts header + payload, not padding.
    assert_eq!(u16::from_ne_bytes([bytes[20], bytes[21]]), 10);
    assert_eq!(u16::from_ne_bytes([bytes[22], bytes[23]]), 1);
    assert_eq!(&bytes[24..30], b"hello\0");
    assert_eq!(&bytes[30..32], &[0, 0]);

    let mut expected = vec![1u8, 1, 0, 0];
    expected.extend(nla(1, b"hello\0"));
    assert_eq!(bytes, nlmsg(30, 1, 0, 0, &expected).as_slice());
}

#[test]
fn odd_family_header_is_padded() {
    let mut b = MsgBuilder::new(30, 0);
    b.push_header(&[7, 7, 7]);
    assert_eq!(b.bytes().len(), 20);
    assert_eq!(&b.bytes()[16..], &[7, 7, 7, 0]);
}

#[test]
fn integer_attributes_have_exact_sizes() {
    let mut b = MsgBuilder::new(30, 0);
    b.put_u8(1, 0xab)
        .put_u16(2, 0x1234)
        .put_u32(3, 0xdeadbeef)
        .put_u64(4, 0x0102_0304_0506_0708);
    let expected = [
        nla(1, &[0xab]),
        nla(2, &0x1234u16.to_ne_bytes()),
        nla(3, &0xdeadbeefu32.to_ne_bytes()),
        nla(4, &0x0102_0304_0506_0708u64.to_ne_bytes()),
    ]
    .concat();
    assert_eq!(expected.len(), 8 + 8 + 8 + 12);
    assert_eq!(b.bytes(), nlmsg(30, 0, 0, 0, &expected).as_slice());

    let attrs = Attrs::new(&b.bytes()[16..]).collect_all().unwrap();
    assert_eq!(attrs[0].u8().unwrap(), 0xab);
    assert_eq!(attrs[1].u16().unwrap(), 0x1234);
    assert_eq!(attrs[2].u32().unwrap(), 0xdeadbeef);
    assert_eq!(attrs[3].u64().unwrap(), 0x0102_0304_0506_0708);
}

#[test]
fn nested_attribute_covers_its_children() {
    let mut b = MsgBuilder::new(30, 0);
    b.put_u32(1, 7);
    let n = b.nest_start(2);
    b.put_str(1, b"abc").put_u8(2, 9);
    b.nest_end(n);
    b.put_u16(3, 5);

    let inner = [nla(1, b"abc\0"), nla(2, &[9])].concat();
    let expected = [
        nla(1, &7u32.to_ne_bytes()),
        nla(2 | NLA_F_NESTED, &inner),
        nla(3, &5u16.to_ne_bytes()),
    ]
    .concat();
    assert_eq!(b.bytes(), nlmsg(30, 0, 0, 0, &expected).as_slice());

    let attrs = Attrs::new(&b.bytes()[16..]).collect_all().unwrap();
    assert_eq!(attrs.len(), 3);
    assert!(attrs[1].nested);
    assert_eq!(attrs[1].ty, 2, "NLA_F_NESTED is masked off the type");
    assert_eq!(attrs[1].payload.len(), 16);
    let kids = attrs[1].nested().collect_all().unwrap();
    assert_eq!(kids[0].string(), "abc");
    assert_eq!(kids[1].u8().unwrap(), 9);
    assert_eq!(attrs[2].u16().unwrap(), 5);
}

#[test]
fn seq_and_pid_are_stamped() {
    let mut b = MsgBuilder::new(30, NLM_F_REQUEST);
    b.put_str(1, b"x");
    b.set_seq_pid(0x01020304, 77);
    assert_eq!(
        b.bytes(),
        nlmsg(30, 1, 0x01020304, 77, &nla(1, b"x\0")).as_slice()
    );
}
