use crate::errno;
use crate::error::{annotate, AppError};
use crate::genl::{self, GENL_HDRLEN};
use crate::nl::attr::path_at_offset;
use crate::nl::{self, KernelError, MsgBuilder};
use crate::proto::genl_attr_name;
use crate::uapi::genl::{attr, cmd, FAMILY_VERSION};

fn echo_request(text: &[u8]) -> MsgBuilder {
    let mut b = genl::request(0x22, cmd::ECHO, FAMILY_VERSION);
    b.put_str(attr::MSG, text);
    b
}

fn kernel(errno: i32, msg: Option<&str>, offset: Option<u32>) -> nl::Error {
    nl::Error::Kernel(KernelError {
        errno,
        msg: msg.map(str::to_owned),
        offset,
        ..KernelError::default()
    })
}

#[test]
fn offset_maps_to_attribute_path() {
    let b = echo_request(b"hello");
    let m = b.bytes();
    // MSG's header starts right after nlmsghdr (16) + genlmsghdr (4).
    assert_eq!(path_at_offset(m, GENL_HDRLEN, 20), Some(vec![attr::MSG]));
    assert_eq!(path_at_offset(m, GENL_HDRLEN, 25), Some(vec![attr::MSG]));
    assert_eq!(path_at_offset(m, GENL_HDRLEN, 0), None, "nlmsghdr");
    assert_eq!(path_at_offset(m, GENL_HDRLEN, 17), None, "genlmsghdr");
    assert_eq!(path_at_offset(m, GENL_HDRLEN, 32), None, "past the end");
}

#[test]
fn offset_descends_into_nested_attributes() {
    let mut b = genl::request(0x22, 1, 1);
    b.put_u32(1, 0); // 20..28
    let n = b.nest_start(2); // 28..
    b.put_u32(1, 0); // 32..40
    b.put_str(3, b"x"); // 40..46 (+2 pad)
    b.nest_end(n);
    let m = b.bytes();
    assert_eq!(path_at_offset(m, 4, 24), Some(vec![1]));
    assert_eq!(path_at_offset(m, 4, 28), Some(vec![2]), "the nest header");
    assert_eq!(path_at_offset(m, 4, 32), Some(vec![2, 1]));
    assert_eq!(path_at_offset(m, 4, 40), Some(vec![2, 3]));
}

#[test]
fn policy_error_names_the_attribute() {
    let req = echo_request(&[b'a'; 300]);
    let e = annotate(
        kernel(
            libc::EINVAL,
            Some("Attribute failed policy validation"),
            Some(20),
        ),
        &req,
        GENL_HDRLEN,
        genl_attr_name,
    );
    let e = AppError::Nl(e);
    assert_eq!(
        e.text(),
        "Error: Attribute failed policy validation (attribute msg): Invalid argument (EINVAL)"
    );
    assert_eq!(
        e.json(),
        r#"{"error":{"errno":22,"name":"EINVAL","message":"Attribute failed policy validation","attribute":"msg"}}"#
    );
    assert_eq!(e.exit_code(), 1);
}

#[test]
fn error_parts_are_omitted_when_absent() {
    let req = echo_request(b"x");
    let plain = AppError::Nl(annotate(
        kernel(libc::EPERM, None, None),
        &req,
        4,
        genl_attr_name,
    ));
    assert_eq!(plain.text(), "Error: Operation not permitted (EPERM)");
    assert_eq!(
        plain.json(),
        r#"{"error":{"errno":1,"name":"EPERM","message":"Operation not permitted"}}"#
    );

    let msg_only = AppError::Nl(kernel(libc::EBUSY, Some("busy now"), None));
    assert_eq!(
        msg_only.text(),
        "Error: busy now: Device or resource busy (EBUSY)"
    );

    // An offset into the header names no attribute; it is shown as is.
    let hdr = AppError::Nl(annotate(
        kernel(libc::EINVAL, None, Some(16)),
        &req,
        4,
        genl_attr_name,
    ));
    assert_eq!(hdr.text(), "Error: (offset 16): Invalid argument (EINVAL)");
}

#[test]
fn unknown_attribute_types_are_named_by_number() {
    let mut req = genl::request(0x22, 1, 1);
    req.put_u32(99, 0);
    let e = AppError::Nl(annotate(
        kernel(libc::EOPNOTSUPP, Some("Unknown attribute type"), Some(20)),
        &req,
        4,
        genl_attr_name,
    ));
    assert_eq!(
        e.text(),
        "Error: Unknown attribute type (attribute 99): Operation not supported (EOPNOTSUPP)"
    );
}

#[test]
fn missing_attribute_is_named() {
    let req = genl::request(0x22, cmd::ECHO, FAMILY_VERSION);
    let err = nl::Error::Kernel(KernelError {
        errno: libc::EINVAL,
        msg: Some("Missing attribute".to_owned()),
        miss_type: Some(attr::MSG),
        ..KernelError::default()
    });
    let e = AppError::Nl(annotate(err, &req, GENL_HDRLEN, genl_attr_name));
    assert_eq!(
        e.text(),
        "Error: Missing attribute (missing attribute msg): Invalid argument (EINVAL)"
    );
    assert_eq!(
        e.json(),
        r#"{"error":{"errno":22,"name":"EINVAL","message":"Missing attribute","missing_attribute":"msg"}}"#
    );
}

#[test]
fn tool_errors_render() {
    let nf = AppError::FamilyNotFound("nlrs".to_owned());
    assert_eq!(
        nf.text(),
        "Error: family nlrs not found (is nlrs.ko loaded?)"
    );
    assert_eq!(nf.exit_code(), 1);
    assert_eq!(
        nf.json(),
        r#"{"error":{"errno":2,"name":"ENOENT","message":"family nlrs not found (is nlrs.ko loaded?)"}}"#
    );
    assert_eq!(AppError::MonitorTimeout.text(), "timeout");
    assert_eq!(AppError::MonitorTimeout.exit_code(), 3);
    let t = AppError::Nl(nl::Error::Timeout);
    assert_eq!(
        t.text(),
        "Error: timeout: no reply from the kernel: Connection timed out (ETIMEDOUT)"
    );
    let g = AppError::GroupNotFound {
        family: "nlrs".to_owned(),
        group: "nope".to_owned(),
        available: vec!["events".to_owned()],
    };
    assert_eq!(
        g.text(),
        "Error: multicast group nope not found in family nlrs (available: events)"
    );
}

#[test]
fn errno_names_and_descriptions() {
    assert_eq!(errno::name(libc::EINVAL), "EINVAL");
    assert_eq!(errno::name(libc::EMSGSIZE), "EMSGSIZE");
    assert_eq!(errno::name(libc::ENOTSUP), "EOPNOTSUPP");
    assert_eq!(errno::name(libc::E2BIG), "E2BIG");
    assert_eq!(errno::name(524), "ENOTSUPP");
    assert_eq!(errno::name(4242), "E4242");
    assert_eq!(errno::describe(libc::EINVAL), "Invalid argument");
    assert_eq!(errno::describe(libc::ENOENT), "No such file or directory");
    assert_eq!(errno::describe(524), "Operation is not supported");
}
