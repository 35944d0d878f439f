use super::nla;
use crate::cmd::policy::{add_reply, AttrPolicy, PolicyDump};
use crate::nl::Attrs;

/// A u32 attribute.
fn u32a(ty: u16, v: u32) -> Vec<u8> {
    nla(ty, &v.to_ne_bytes())
}

#[test]
fn getpolicy_replies_build_the_dump() {
    // What ctrl_dumppolicy() sends: one message mapping ops to policies,
    // then one per policy attribute.
    let ops = nla(9, &nla(1, &[u32a(1, 0), u32a(2, 1)].concat()));
    let pol0 = nla(8, &nla(0, &nla(1, &[u32a(1, 12), u32a(7, 255)].concat())));
    let pol1 = nla(
        8,
        &nla(
            1,
            &nla(
                3,
                &[
                    u32a(1, 4),
                    nla(4, &1u64.to_ne_bytes()),
                    nla(5, &9u64.to_ne_bytes()),
                ]
                .concat(),
            ),
        ),
    );
    let mut dump = PolicyDump::default();
    for m in [ops, pol0, pol1] {
        add_reply(&mut dump, Attrs::new(&m)).unwrap();
    }
    assert_eq!(dump.ops.get(&1), Some(&(Some(0), Some(1))));
    assert_eq!(
        dump.policies[&0][&1],
        AttrPolicy {
            kind: "nul-string".into(),
            fields: vec![("max_length", 255)]
        }
    );
    assert_eq!(
        dump.policies[&1][&3],
        AttrPolicy {
            kind: "u32".into(),
            fields: vec![("min_value", 1), ("max_value", 9)]
        }
    );
}

#[test]
fn truncated_policy_reply_is_an_error() {
    let mut m = nla(8, &nla(0, &nla(1, &u32a(1, 12))));
    m.truncate(m.len() - 2);
    // Fix the outer length so only the inner nest is broken.
    let n = m.len() as u16;
    m[..2].copy_from_slice(&n.to_ne_bytes());
    assert!(add_reply(&mut PolicyDump::default(), Attrs::new(&m)).is_err());
}
