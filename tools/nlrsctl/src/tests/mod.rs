//! Host unit tests: no kernel module needed. Kernel messages are built by
//! hand, byte by byte, the way the kernel lays them out.

mod ack;
mod attrs;
mod batch;
mod builder;
mod clap;
mod cli;
mod errors;
mod genl;
mod json;
mod monitor;
mod names;
mod nfnl;
mod policy;
mod rule;
mod shapes;
mod stats;

/// An attribute as the kernel writes it: header, payload, zero padding.
pub fn nla(ty: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&((4 + payload.len()) as u16).to_ne_bytes());
    v.extend_from_slice(&ty.to_ne_bytes());
    v.extend_from_slice(payload);
    while v.len() % 4 != 0 {
        v.push(0);
    }
    v
}

/// A nested attribute (`NLA_F_NESTED` set) around `inner`.
pub fn nest(ty: u16, inner: &[Vec<u8>]) -> Vec<u8> {
    nla(ty | 0x8000, &inner.concat())
}

/// A netlink message: header then `payload` (padded).
pub fn nlmsg(ty: u16, flags: u16, seq: u32, pid: u32, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&((16 + payload.len()) as u32).to_ne_bytes());
    v.extend_from_slice(&ty.to_ne_bytes());
    v.extend_from_slice(&flags.to_ne_bytes());
    v.extend_from_slice(&seq.to_ne_bytes());
    v.extend_from_slice(&pid.to_ne_bytes());
    v.extend_from_slice(payload);
    while v.len() % 4 != 0 {
        v.push(0);
    }
    v
}
