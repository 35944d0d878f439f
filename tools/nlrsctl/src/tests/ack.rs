use super::{nest, nla, nlmsg};
use crate::nl::ack::parse_ack;
use crate::nl::consts::*;
use crate::nl::{KernelError, Messages, ParseError};

/// The request the errors below answer: genl ECHO with MSG "hello".
fn request() -> Vec<u8> {
    let mut p = vec![1u8, 1, 0, 0];
    p.extend(nla(1, b"hello\0"));
    nlmsg(0x22, NLM_F_REQUEST | NLM_F_ACK, 55, 1000, &p)
}

/// An `NLMSG_ERROR` as `netlink_ack()` builds it.
fn error_msg(err: i32, capped: bool, tlvs: &[Vec<u8>]) -> Vec<u8> {
    let req = request();
    let mut p = err.to_ne_bytes().to_vec();
    let mut flags = 0;
    if capped {
        p.extend_from_slice(&req[..16]);
        flags |= NLM_F_CAPPED;
    } else {
        p.extend_from_slice(&req);
    }
    if !tlvs.is_empty() {
        flags |= NLM_F_ACK_TLVS;
        p.extend(tlvs.concat());
    }
    nlmsg(NLMSG_ERROR, flags, 55, 1000, &p)
}

fn decode(bytes: &[u8]) -> crate::nl::ack::Ack {
    let m = Messages::new(bytes).next().unwrap().unwrap();
    assert_eq!(m.hdr.ty, NLMSG_ERROR);
    parse_ack(m.hdr.flags, m.payload).unwrap()
}

#[test]
fn success_ack_without_tlvs() {
    let ack = decode(&error_msg(0, true, &[]));
    assert_eq!(ack.result, Ok(None));
    let req = ack.request.unwrap();
    assert_eq!(req.seq, 55);
    assert_eq!(req.len as usize, request().len());
}

#[test]
fn success_ack_with_warning_message() {
    let ack = decode(&error_msg(
        0,
        true,
        &[nla(NLMSGERR_ATTR_MSG, b"deprecated\0")],
    ));
    assert_eq!(ack.result, Ok(Some("deprecated".to_owned())));
}

#[test]
fn error_without_extack_echoing_the_request() {
    let ack = decode(&error_msg(-libc::EPERM, false, &[]));
    assert_eq!(
        ack.result,
        Err(KernelError {
            errno: libc::EPERM,
            ..KernelError::default()
        })
    );
}

#[test]
fn error_with_extack_tlvs_capped() {
    let policy = nest(
        NLMSGERR_ATTR_POLICY,
        &[nla(1, &5u32.to_ne_bytes()), nla(7, &255u32.to_ne_bytes())],
    );
    let tlvs = [
        nla(NLMSGERR_ATTR_MSG, b"Attribute failed policy validation\0"),
        nla(NLMSGERR_ATTR_OFFS, &20u32.to_ne_bytes()),
        nla(NLMSGERR_ATTR_COOKIE, &[1, 2, 3, 4, 5, 6, 7, 8]),
        policy,
    ];
    let ack = decode(&error_msg(-libc::EINVAL, true, &tlvs));
    let err = ack.result.unwrap_err();
    assert_eq!(err.errno, libc::EINVAL);
    assert_eq!(
        err.msg.as_deref(),
        Some("Attribute failed policy validation")
    );
    assert_eq!(err.offset, Some(20));
    assert_eq!(err.miss_type, None);
}

#[test]
fn error_with_extack_tlvs_after_full_request() {
    let tlvs = [
        nla(NLMSGERR_ATTR_MSG, b"bad\0"),
        nla(NLMSGERR_ATTR_OFFS, &20u32.to_ne_bytes()),
    ];
    let bytes = error_msg(-libc::ERANGE, false, &tlvs);
    // 16 + 4 (error) + 32 (request) + 8 ("bad\0") + 8 (offs)
    assert_eq!(bytes.len(), 68);
    let err = decode(&bytes).result.unwrap_err();
    assert_eq!(err.errno, libc::ERANGE);
    assert_eq!(err.msg.as_deref(), Some("bad"));
    assert_eq!(err.offset, Some(20));
}

#[test]
fn error_with_missing_attribute() {
    let tlvs = [
        nla(NLMSGERR_ATTR_MSG, b"Missing attribute\0"),
        nla(NLMSGERR_ATTR_MISS_TYPE, &1u32.to_ne_bytes()),
        nla(NLMSGERR_ATTR_MISS_NEST, &20u32.to_ne_bytes()),
    ];
    let err = decode(&error_msg(-libc::EINVAL, true, &tlvs))
        .result
        .unwrap_err();
    assert_eq!(err.miss_type, Some(1));
    assert_eq!(err.miss_nest, Some(20));
    assert_eq!(err.offset, None);
}

#[test]
fn truncated_error_payloads_are_rejected() {
    assert!(matches!(
        parse_ack(0, &[0, 0]),
        Err(ParseError::TruncatedHeader { .. })
    ));
    // TLVs announced but the echoed header is cut short.
    let mut p = (-22i32).to_ne_bytes().to_vec();
    p.extend_from_slice(&[0; 6]);
    assert!(parse_ack(NLM_F_ACK_TLVS | NLM_F_CAPPED, &p).is_err());
    // Uncapped: the echoed request claims more bytes than are there.
    let mut p = (-22i32).to_ne_bytes().to_vec();
    p.extend_from_slice(&request()[..16]);
    assert!(matches!(
        parse_ack(NLM_F_ACK_TLVS, &p),
        Err(ParseError::Overrun { .. })
    ));
    // A malformed TLV stream.
    let mut p = (-22i32).to_ne_bytes().to_vec();
    p.extend_from_slice(&request()[..16]);
    p.extend_from_slice(&[200, 0, 1, 0]);
    assert!(parse_ack(NLM_F_ACK_TLVS | NLM_F_CAPPED, &p).is_err());
}
