use super::{nla, nlmsg};
use crate::nl::{Attrs, Messages, ParseError};

#[test]
fn well_formed_stream_parses() {
    let buf = [nla(1, b"hi\0"), nla(2, &42u32.to_ne_bytes()), nla(3, &[])].concat();
    let attrs = Attrs::new(&buf).collect_all().unwrap();
    assert_eq!(attrs.len(), 3);
    assert_eq!(attrs[0].ty, 1);
    assert_eq!(attrs[0].payload, b"hi\0");
    assert_eq!(attrs[0].string(), "hi");
    assert_eq!(attrs[1].u32().unwrap(), 42);
    assert!(attrs[2].payload.is_empty());
}

#[test]
fn unpadded_last_attribute_is_accepted() {
    // "abcde\0" is 10 bytes with its header; no padding after it.
    let mut buf = nla(1, b"x\0\0\0");
    buf.extend_from_slice(&10u16.to_ne_bytes());
    buf.extend_from_slice(&2u16.to_ne_bytes());
    buf.extend_from_slice(b"abcde\0");
    let attrs = Attrs::new(&buf).collect_all().unwrap();
    assert_eq!(attrs.len(), 2);
    assert_eq!(attrs[1].string(), "abcde");
}

#[test]
fn truncated_header_is_rejected() {
    let mut buf = nla(1, &[1, 2, 3, 4]);
    buf.extend_from_slice(&[8, 0]); // half an nlattr
    let mut it = Attrs::new(&buf);
    assert!(it.next().unwrap().is_ok());
    assert_eq!(
        it.next().unwrap(),
        Err(ParseError::TruncatedHeader {
            what: "nlattr",
            offset: 8,
            remaining: 2
        })
    );
    assert!(it.next().is_none(), "iteration stops after an error");
}

#[test]
fn overrunning_length_is_rejected() {
    let mut buf = nla(1, &[0; 8]);
    buf[0..2].copy_from_slice(&40u16.to_ne_bytes());
    assert_eq!(
        Attrs::new(&buf).collect_all(),
        Err(ParseError::Overrun {
            what: "attribute",
            offset: 0,
            len: 40,
            remaining: 12
        })
    );
}

#[test]
fn length_below_header_size_is_rejected() {
    for bad in [0u16, 1, 3] {
        let mut buf = nla(1, &[0; 4]);
        buf[0..2].copy_from_slice(&bad.to_ne_bytes());
        let r = Attrs::new(&buf).collect_all();
        assert_eq!(
            r,
            Err(ParseError::ShortLength {
                what: "attribute",
                offset: 0,
                len: bad as usize
            })
        );
    }
}

#[test]
fn nested_truncation_is_reported_from_nested_iterator() {
    let mut inner = nla(1, &[1, 2, 3, 4]);
    inner[0..2].copy_from_slice(&20u16.to_ne_bytes());
    let buf = nla(5 | 0x8000, &inner);
    let outer = Attrs::new(&buf).collect_all().unwrap();
    assert!(matches!(
        outer[0].nested().collect_all(),
        Err(ParseError::Overrun { len: 20, .. })
    ));
}

#[test]
fn wrong_sized_integers_are_rejected() {
    let buf = nla(4, &[1, 2, 3]);
    let a = Attrs::new(&buf).next().unwrap().unwrap();
    assert_eq!(
        a.u32(),
        Err(ParseError::BadPayload {
            attr: 4,
            expected: "4 bytes (u32)",
            got: 3
        })
    );
    assert!(a.u16().is_err());
    assert!(a.u64().is_err());
}

#[test]
fn strings_stop_at_nul_and_tolerate_bad_utf8() {
    let buf = [
        nla(1, b"ab\0cd"),
        nla(2, b"no-nul"),
        nla(3, b"\xff\xfeok\0"),
    ]
    .concat();
    let a = Attrs::new(&buf).collect_all().unwrap();
    assert_eq!(a[0].str_bytes(), b"ab");
    assert_eq!(a[1].string(), "no-nul");
    assert_eq!(a[2].string(), "\u{fffd}\u{fffd}ok");
}

#[test]
fn find_validates_the_whole_stream() {
    let mut buf = [nla(1, b"a\0"), nla(2, b"b\0")].concat();
    assert_eq!(Attrs::new(&buf).find(2).unwrap().unwrap().string(), "b");
    assert!(Attrs::new(&buf).find(9).unwrap().is_none());
    buf.push(1); // trailing garbage
    assert!(Attrs::new(&buf).find(1).is_err());
}

#[test]
fn messages_in_one_datagram_are_split() {
    let dg = [
        nlmsg(20, 2, 1, 9, &[1, 2, 3]),
        nlmsg(3, 2, 1, 9, &0i32.to_ne_bytes()),
    ]
    .concat();
    let msgs: Vec<_> = Messages::new(&dg).collect::<Result<_, _>>().unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].hdr.ty, 20);
    assert_eq!(msgs[0].hdr.len, 19);
    assert_eq!(msgs[0].payload, &[1, 2, 3]);
    assert_eq!(msgs[1].hdr.ty, 3);
    assert_eq!(msgs[1].hdr.seq, 1);
    assert_eq!(msgs[1].hdr.pid, 9);
}

#[test]
fn malformed_messages_are_rejected() {
    let mut dg = nlmsg(20, 0, 0, 0, &[0; 8]);
    dg[0..4].copy_from_slice(&100u32.to_ne_bytes());
    assert!(matches!(
        Messages::new(&dg).next(),
        Some(Err(ParseError::Overrun { len: 100, .. }))
    ));

    dg[0..4].copy_from_slice(&8u32.to_ne_bytes());
    assert!(matches!(
        Messages::new(&dg).next(),
        Some(Err(ParseError::ShortLength { len: 8, .. }))
    ));

    let short = [0u8; 10];
    let mut it = Messages::new(&short);
    assert!(matches!(
        it.next(),
        Some(Err(ParseError::TruncatedHeader { remaining: 10, .. }))
    ));
    assert!(it.next().is_none());
}
