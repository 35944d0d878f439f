// SPDX-License-Identifier: GPL-2.0

//! Dumps: multipart replies that resume where the previous part stopped.
//!
//! A dump is answered over as many `sk_buff`s as it needs. The core calls the
//! operation's `dumpit` again each time userspace has read the previous part;
//! the operation keeps where it got to in a [`DumpOp::Cursor`], stored in the
//! netlink callback's `ctx` scratch area, and fills the buffer with
//! [`Dump::entry`] until it is full (`EMSGSIZE`, which the core turns into
//! "more to come") or there is nothing left (`Ok`, which ends the dump with
//! `NLMSG_DONE`).
//!
//! Consistency: an operation reports the generation of what it dumps with
//! [`Dump::set_generation`]; when it differs between two parts, the entries
//! after the change carry `NLM_F_DUMP_INTR` (`nl_dump_check_consistent()`),
//! so userspace knows to dump again.

use super::super::{
    attr::Set,
    bindings,
    extack::ExtAck,
    header::Genl,
    msg::Writer,
    multipart, netns,
    request::{self, Context},
};
use super::{family::Family, ops::OpFlags};
use kernel::{error::from_result, prelude::*};

/// A "dump" operation: a multipart reply, one message per entry.
///
/// # Examples
///
/// ```ignore
/// #[derive(Clone, Copy, Default)]
/// struct Next(u32);
///
/// impl DumpOp for ItemDump {
///     type Family = MyFamily;
///     type Attrs = NoAttrs;
///     type Cursor = Next;
///     const CMD: u8 = 2;
///     const FLAGS: OpFlags = OpFlags::NONE;
///
///     fn dumpit(dump: &mut Dump<'_, Self>) -> Result {
///         let items = dump.state().items.lock();
///         dump.set_generation(items.generation());
///         for item in items.from(dump.cursor().0) {
///             dump.entry(|m| m.put_u32(ITEM_ID, item.id))?;
///             dump.cursor().0 = item.id + 1;
///         }
///         Ok(())
///     }
/// }
/// ```
pub trait DumpOp: Sized + 'static {
    /// The family the operation belongs to.
    type Family: Family;
    /// The request's attribute set (e.g. filters), validated by its policy.
    type Attrs: Set;
    /// Where the dump got to; starts as `Default::default()`. At most 48
    /// bytes (the callback's `ctx`), which the build checks.
    type Cursor: Copy + Default + 'static;
    /// The command number, of the request and of every entry.
    const CMD: u8;
    /// Permission flags.
    const FLAGS: OpFlags;

    /// Called once before the first part: checks the request's attributes
    /// and may set up the cursor. An error ends the dump before it starts.
    fn start(_attrs: &<Self::Attrs as Set>::View<'_>, _cursor: &mut Self::Cursor) -> Result {
        Ok(())
    }

    /// Writes the next part. Returns `Ok` when the dump is complete, or the
    /// `EMSGSIZE` of an entry that did not fit when there is more to come.
    fn dumpit(dump: &mut Dump<'_, Self>) -> Result;

    /// Called once when the dump ends, completed or abandoned.
    fn done(_state: &<Self::Family as Family>::State, _cursor: &Self::Cursor) {}
}

/// One part of a dump being written.
///
/// It dereferences to its [`Context`]: [`attrs`](Context::attrs) of the
/// request that started the dump, [`extack`](Context::extack) of this part
/// (a message set there is reported with the error that ends the dump),
/// [`portid`](Context::portid), [`net`](Context::net) and
/// [`state`](Context::state) of the dumping socket.
///
/// # Invariants
///
/// `skb` and `cb` are the valid arguments of the running `dumpit` call, and
/// `cb` was set up by `start_callback` for `O` (its `ctx` holds an
/// `O::Cursor`, its `data` the core's `genl_dumpit_info`, whose `info` is
/// `info`); `ctx` describes the dump's request.
pub struct Dump<'a, O: DumpOp> {
    ctx: Context<'a, <O::Family as Family>::State, O::Attrs>,
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
    info: &'a bindings::genl_info,
}

impl<'a, O: DumpOp> Dump<'a, O> {
    /// Where the dump got to.
    pub fn cursor(&mut self) -> &mut O::Cursor {
        // SAFETY: by the type invariants `cb` is valid and its `ctx` holds
        // an initialised `O::Cursor`, suitably aligned (checked at
        // `SplitOp::dumpit`), and the `&mut self` borrow is the only access
        // to it.
        unsafe { &mut *cursor_ptr::<O>(self.cb) }
    }

    /// Records the generation of the dumped data, for the consistency check.
    /// `0` means "unknown" and disables the check, so generations should
    /// skip it.
    pub fn set_generation(&mut self, generation: u32) {
        // SAFETY: `cb` is valid for the call and only this thread uses it.
        unsafe { (*self.cb).seq = generation };
    }

    /// Writes one entry, a message of command `O::CMD` whose attributes
    /// `build` adds. If it does not fit (`EMSGSIZE`) or `build` fails, the
    /// entry is removed again and the error returned; the cursor should only
    /// move past an entry once this returned `Ok`.
    pub fn entry(&mut self, build: impl FnOnce(&mut Writer) -> Result) -> Result {
        // SAFETY: `info->family` is the registered family, valid for the
        // call.
        let header = unsafe { Genl::new(self.info.family, O::CMD) };
        let cb = self.cb;
        // This is `nl_dump_check_consistent()`, done here rather than by an
        // out-of-line call for every entry.
        let check_consistent = |nlh: &mut bindings::nlmsghdr| {
            // SAFETY: `cb` is valid for the call and only this thread uses
            // it; no reference to it is live.
            let cb = unsafe { &mut *cb };
            if cb.prev_seq != 0 && cb.seq != cb.prev_seq {
                nlh.nlmsg_flags |= bindings::NLM_F_DUMP_INTR as u16;
            }
            cb.prev_seq = cb.seq;
        };
        // SAFETY: `skb` is the dump's buffer, valid for the call and written
        // by this thread only.
        unsafe {
            multipart::entry(
                self.skb,
                &header,
                self.portid(),
                self.seq(),
                check_consistent,
                build,
            )
        }
    }
}

impl<'a, O: DumpOp> core::ops::Deref for Dump<'a, O> {
    type Target = Context<'a, <O::Family as Family>::State, O::Attrs>;

    fn deref(&self) -> &Self::Target {
        &self.ctx
    }
}

/// The cursor of `O` in `cb->ctx`.
///
/// # Safety
///
/// `cb` must point to a valid `netlink_callback` for the call.
unsafe fn cursor_ptr<O: DumpOp>(cb: *mut bindings::netlink_callback) -> *mut O::Cursor {
    const {
        assert!(
            core::mem::size_of::<O::Cursor>() <= 48,
            "a dump cursor must fit netlink_callback::ctx (48 bytes)"
        );
        assert!(
            core::mem::align_of::<O::Cursor>() <= core::mem::align_of::<kernel::ffi::c_long>(),
            "a dump cursor must not need more alignment than long"
        );
    };
    // Only computes the address; `addr_of_mut!` creates no reference.
    // SAFETY: the caller passes a valid `cb`.
    unsafe { core::ptr::addr_of_mut!((*cb).__bindgen_anon_1.ctx).cast() }
}

/// Called by the core before the first part, under the family's lock if it
/// has one.
///
/// # Safety
///
/// Only the generic netlink core calls this, as the `start` of `O`'s op, with
/// the dump's valid `cb` whose `data` is the dump's `genl_dumpit_info`.
pub(super) unsafe extern "C" fn start_callback<O: DumpOp>(
    cb: *mut bindings::netlink_callback,
) -> kernel::ffi::c_int {
    // SAFETY: the core passes a valid `cb`.
    let cursor = unsafe { cursor_ptr::<O>(cb) };
    // SAFETY: `ctx` is scratch space of the dump, zeroed by the core and
    // unused by it; `cursor_ptr` checked its size and alignment.
    unsafe { cursor.write(O::Cursor::default()) };
    // SAFETY: `cb->extack` is null or valid during `start`.
    let extack = unsafe { ExtAck::from_raw((*cb).extack) };
    // SAFETY: `genl_start()` set the dump's info before calling `start`;
    // `cb` is valid for the call.
    let info = unsafe { &*bindings::rnl_helper_genl_info_dump(cb) };
    // SAFETY: `genl_start()` parsed and validated the request against the
    // op's policy into `attrs` (`O::Attrs::POLICY.len()` entries, or null
    // if it had none), which lives until the dump's `done`.
    let attrs = unsafe { request::attrs::<O::Attrs>(info.attrs, extack) };
    // SAFETY: initialised above; nothing else refers to it during the call.
    let cursor = unsafe { &mut *cursor };
    from_result(|| {
        O::start(&attrs, cursor)?;
        Ok(0)
    })
}

/// Called by the core for each part.
///
/// # Safety
///
/// Only the generic netlink core calls this, as the `dumpit` of `O`'s op,
/// with the dump's buffer and its `cb`, after [`start_callback`] succeeded.
pub(super) unsafe extern "C" fn dumpit_callback<O: DumpOp>(
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
) -> kernel::ffi::c_int {
    // SAFETY: the core started the dump, so `cb->data` is its
    // `genl_dumpit_info`, alive until `done`; looked up once per part.
    let info = unsafe { &*bindings::rnl_helper_genl_info_dump(cb) };
    // INVARIANT: the core passes the running dump's buffer and callback,
    // started by `start_callback::<O>`; `info` is its info.
    let mut dump = Dump::<O> {
        // SAFETY: `genl_start()` validated the request into `info->attrs`,
        // which lives until `done`; `cb->extack` is null or valid for the
        // call. A running dump holds a reference on the family's module
        // (`cb->module`), so the module, and the registration it owns, which
        // keeps the family's state registered, stays until the dump ends;
        // the socket's namespace is alive while the socket dumps.
        ctx: unsafe {
            Context::new(
                info.attrs,
                (*cb).extack,
                super::info_net(info),
                info.snd_portid,
                info.snd_seq,
            )
        },
        skb,
        cb,
        info,
    };
    from_result(|| {
        O::dumpit(&mut dump)?;
        Ok(0)
    })
}

/// Called by the core when the dump ends.
///
/// # Safety
///
/// Only the generic netlink core calls this, as the `done` of `O`'s op, once,
/// after [`start_callback`] succeeded.
pub(super) unsafe extern "C" fn done_callback<O: DumpOp>(
    cb: *mut bindings::netlink_callback,
) -> kernel::ffi::c_int {
    // SAFETY: `cb` is valid and its `data` is still the dump's info.
    let info = unsafe { bindings::rnl_helper_genl_info_dump(cb) };
    // SAFETY: the dump's socket, and so its namespace, is alive while the
    // core ends its dump; the dump still holds its module reference, so the
    // family's state is registered, as in `dumpit_callback`.
    let state = unsafe { netns::get(super::info_net(&*info)) };
    // SAFETY: `cb` is valid; `start_callback` initialised the cursor and
    // nothing else uses it.
    O::done(state, unsafe { &*cursor_ptr::<O>(cb) });
    0
}
