// SPDX-License-Identifier: GPL-2.0

//! Multipart replies to an nfnetlink message, packed into buffers of their
//! own.

use super::super::{
    bindings,
    error::emsgsize,
    header::Nfgen,
    msg::{self, Writer},
    multipart, send,
};
use kernel::prelude::*;

/// A reply in several messages: entries flagged `NLM_F_MULTI`, then
/// `NLMSG_DONE`, packed into as many `sk_buff`s as they need and sent
/// together by [`Parts::send`]. Unsent buffers are freed on drop.
///
/// Started by [`Request::reply_parts`](super::Request::reply_parts).
///
/// # Invariants
///
/// Every non-null pointer in `skbs` is an `sk_buff` this object owns, each
/// holding whole messages; entries go into the last one. `net` is the
/// request's namespace, alive while the request is handled.
pub struct Parts {
    skbs: KVec<*mut bindings::sk_buff>,
    net: *mut bindings::net,
    portid: u32,
    seq: u32,
    header: Nfgen,
}

impl Parts {
    /// Starts a reply with `header` to port `portid` of `net`, with sequence
    /// number `seq`.
    ///
    /// # Safety
    ///
    /// `net` must be the namespace of the request being handled.
    pub(super) unsafe fn new(
        net: *mut bindings::net,
        portid: u32,
        seq: u32,
        header: Nfgen,
    ) -> Result<Self> {
        // INVARIANT: no buffers yet; `net` as the caller guarantees.
        let mut parts = Self {
            skbs: KVec::new(),
            net,
            portid,
            seq,
            header,
        };
        parts.grow()?;
        Ok(parts)
    }

    /// Adds an empty buffer for the next entries.
    fn grow(&mut self) -> Result {
        self.skbs.reserve(1, GFP_KERNEL)?;
        let skb = msg::alloc(bindings::RNL_NLMSG_GOODSIZE, bindings::RNL_GFP_KERNEL)?;
        // INVARIANT: ours; cannot fail with the room reserved above.
        self.skbs.push(skb, GFP_KERNEL)?;
        Ok(())
    }

    fn last(&self) -> *mut bindings::sk_buff {
        self.skbs
            .as_slice()
            .last()
            .copied()
            .unwrap_or(core::ptr::null_mut())
    }

    /// Writes an entry into the last buffer.
    fn entry_in_last(&mut self, build: impl FnOnce(&mut Writer) -> Result) -> Result {
        // SAFETY: the last buffer is ours and holds whole messages (type
        // invariants).
        unsafe {
            multipart::entry(
                self.last(),
                &self.header,
                self.portid,
                self.seq,
                |_| (),
                build,
            )
        }
    }

    /// Adds one entry, written by `build`; called again on a fresh buffer
    /// if it did not fit in the current one.
    pub fn entry(&mut self, mut build: impl FnMut(&mut Writer) -> Result) -> Result {
        match self.entry_in_last(&mut build) {
            Err(e) if e == emsgsize() => {
                self.grow()?;
                self.entry_in_last(build)
            }
            r => r,
        }
    }

    /// Ends the reply with `NLMSG_DONE` and sends every buffer, in order,
    /// to the requester. Fails with the first send error; what was not
    /// sent is freed.
    pub fn send(mut self) -> Result {
        // SAFETY: the last buffer is ours (type invariants).
        if unsafe { multipart::done(self.last(), self.portid, self.seq) }.is_err() {
            self.grow()?;
            // SAFETY: as above, on the fresh buffer.
            unsafe { multipart::done(self.last(), self.portid, self.seq)? };
        }
        for slot in self.skbs.as_mut_slice() {
            let skb = core::mem::replace(slot, core::ptr::null_mut());
            // SAFETY: `skb` is ours, holds finished messages, and is given
            // up; `net` is alive while the request is handled.
            unsafe { send::nfnl_unicast(skb, self.net, self.portid)? };
        }
        Ok(())
    }
}

impl Drop for Parts {
    fn drop(&mut self) {
        for &skb in self.skbs.as_slice() {
            if !skb.is_null() {
                // SAFETY: ours and unsent (type invariants).
                unsafe { msg::free(skb) };
            }
        }
    }
}
