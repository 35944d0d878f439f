// SPDX-License-Identifier: GPL-2.0

//! Multipart replies: messages flagged `NLM_F_MULTI`, many to an `sk_buff`,
//! ended by `NLMSG_DONE`.
//!
//! A generic netlink dump writes its entries into the buffer the core hands
//! it for each part, and the core ends the dump; an nfnetlink
//! [`Parts`](super::nfnl::Parts) reply packs them into buffers of its own
//! and ends them itself. Both write an entry with [`entry`]: its headers,
//! then its attributes, or, if those do not fit, nothing.

use super::{
    bindings,
    header::{self, Done, Header},
    msg::{end_message, Writer},
};
use kernel::prelude::*;

/// Writes one entry at the tail of `skb`: a message starting with `header`,
/// flagged `NLM_F_MULTI` and addressed to `portid` with sequence number
/// `seq`, whose attributes `build` writes. `started` sees its netlink header
/// once that fits, before `build` runs.
///
/// Fails with `EMSGSIZE` if the headers do not fit, or with the error of
/// `build`; either way `skb` is left as it was before the entry.
///
/// # Safety
///
/// `skb` must be a valid `sk_buff` that only the caller writes, for the call.
pub(crate) unsafe fn entry<H: Header>(
    skb: *mut bindings::sk_buff,
    header: &H,
    portid: u32,
    seq: u32,
    started: impl FnOnce(&mut bindings::nlmsghdr),
    build: impl FnOnce(&mut Writer) -> Result,
) -> Result {
    // SAFETY: guaranteed by the caller.
    let nlh = unsafe { header::put(skb, header, portid, seq, bindings::NLM_F_MULTI as u16)? };
    // SAFETY: `nlh` heads the message just started in `skb`, which only we
    // write; nothing else refers to it.
    started(unsafe { &mut *nlh });
    // SAFETY: `skb` is valid, its tail holds the entry just started, and
    // only we write it while `w` lives.
    let mut w = unsafe { Writer::new(skb) };
    match build(&mut w) {
        Ok(()) => {
            // SAFETY: `nlh` heads the last message in `skb`, followed by
            // what `w` wrote, which nobody trimmed.
            unsafe { end_message(nlh, w.written()) };
            Ok(())
        }
        Err(e) => {
            // SAFETY: as above; cancelling trims `skb` back to before the
            // entry.
            unsafe { bindings::rnl_helper_nlmsg_cancel(skb, nlh) };
            Err(e)
        }
    }
}

/// Ends a multipart reply in `skb` with `NLMSG_DONE`, addressed to `portid`
/// with sequence number `seq`, as `netlink_dump_done()` does. Fails with
/// `EMSGSIZE`, leaving `skb` as it was, if it does not fit.
///
/// # Safety
///
/// As for [`entry`].
pub(crate) unsafe fn done(skb: *mut bindings::sk_buff, portid: u32, seq: u32) -> Result {
    // SAFETY: guaranteed by the caller.
    unsafe { entry(skb, &Done, portid, seq, |_| (), |_| Ok(())) }
}
