// SPDX-License-Identifier: GPL-2.0

//! A module outside the nlrs tree on the netlink layer: the integration
//! test `test_oot.py` builds it from a temporary directory holding only
//! this file, its Kbuild and a copy of `src/netlink/`, the way
//! `Documentation/genl-guide.rst` tells a third party to, then loads it and
//! drives it.
//!
//! Family `rnl_kv`: a key-value store per network namespace. `SET` stores
//! a value (and tells the "changes" group), `GET` reads one, `GET` as a
//! dump lists them all, and `CLEAR`, for `CAP_NET_ADMIN` only, empties the
//! store.

use kernel::{prelude::*, sync::Mutex};

#[path = "rnl/mod.rs"]
pub mod rnl;

use core::ffi::CStr;
use rnl::{
    attr::U32,
    genl::{DoOp, DoRequest, Dump, DumpOp, Family, McGroup, OpFlags, Registration, SplitOp},
    netns::{Id, NetState},
};

crate::kernel_module! {
    layer: rnl,
    type: KvModule,
    name: "rnl_kv",
    authors: ["nlrs developers"],
    description: "A key-value store over generic netlink, outside the nlrs tree",
    license: "GPL",
}

const CMD_SET: u8 = 1;
const CMD_GET: u8 = 2;
const CMD_CLEAR: u8 = 3;
const CMD_CHANGED: u8 = 4;

const ATTR_KEY: u16 = 1;
const ATTR_VALUE: u16 = 2;
const ATTR_COUNT: u16 = 3;

/// Pairs per namespace.
const MAX_PAIRS: usize = 64;

crate::attr_set! {
    /// A key and maybe its value.
    pub(crate) struct KvAttrs {
        /// The key.
        key: U32 = ATTR_KEY,
        /// The value.
        value: U32 = ATTR_VALUE,
    }
}

crate::attr_set! {
    /// No attributes.
    pub(crate) struct NoAttrs {}
}

crate::genl_groups! {
    /// The family's multicast groups.
    enum KvGroups {
        /// Every `SET`, with its key and value.
        Changes = McGroup::new(c"changes"),
    }
}

static KV_ID: Id = Id::new();

/// The pairs of one namespace.
#[pin_data]
struct Store {
    #[pin]
    pairs: Mutex<KVec<(u32, u32)>>,
}

impl NetState for Store {
    const ID: &'static Id = &KV_ID;

    fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            pairs <- kernel::new_mutex!(KVec::new()),
        })
    }
}

struct Kv;

impl Family for Kv {
    const NAME: &'static CStr = c"rnl_kv";
    const VERSION: u8 = 1;
    type State = Store;
    const OPS: &'static [SplitOp<Self>] = &[
        SplitOp::doit::<Set>(),
        SplitOp::doit::<Get>(),
        SplitOp::dumpit::<List>(),
        SplitOp::doit::<Clear>(),
    ];
    type Groups = KvGroups;
}

/// `SET`: stores `VALUE` under `KEY`.
struct Set;

impl DoOp for Set {
    type Family = Kv;
    type Attrs = KvAttrs;
    const CMD: u8 = CMD_SET;
    const FLAGS: OpFlags = OpFlags::NONE;

    fn doit(req: &mut DoRequest<'_, Self>) -> Result {
        let key = req.attrs().key().required()?;
        let value = req.attrs().value().required()?;
        {
            let mut pairs = req.state().pairs.lock();
            if let Some(p) = pairs.iter_mut().find(|p| p.0 == key) {
                p.1 = value;
            } else if pairs.len() >= MAX_PAIRS {
                req.extack().set_msg(c"the store is full");
                return Err(ENOSPC);
            } else {
                pairs.push((key, value), GFP_KERNEL)?;
            }
        }
        // Listeners that cannot be told lose the notification only.
        let _ = req.notify(KvGroups::Changes, CMD_CHANGED, |w| {
            w.put_u32(ATTR_KEY, key)?;
            w.put_u32(ATTR_VALUE, value)
        });
        Ok(())
    }
}

/// `GET`: the value under `KEY`.
struct Get;

impl DoOp for Get {
    type Family = Kv;
    type Attrs = KvAttrs;
    const CMD: u8 = CMD_GET;
    const FLAGS: OpFlags = OpFlags::NONE;

    fn doit(req: &mut DoRequest<'_, Self>) -> Result {
        let key = req.attrs().key().required()?;
        let found = req
            .state()
            .pairs
            .lock()
            .iter()
            .find(|p| p.0 == key)
            .copied();
        let Some((key, value)) = found else {
            return Err(req.attrs().key().error(ENOENT, format_args!("no such key")));
        };
        let mut reply = req.reply(CMD_GET)?;
        reply.put_u32(ATTR_KEY, key)?;
        reply.put_u32(ATTR_VALUE, value)?;
        req.send_reply(reply)
    }
}

/// `GET` as a dump: every pair, in the order they were first set.
struct List;

impl DumpOp for List {
    type Family = Kv;
    type Attrs = NoAttrs;
    type Cursor = usize;
    const CMD: u8 = CMD_GET;
    const FLAGS: OpFlags = OpFlags::NONE;

    fn dumpit(dump: &mut Dump<'_, Self>) -> Result {
        let pairs = dump.state().pairs.lock();
        while let Some(&(key, value)) = pairs.get(*dump.cursor()) {
            dump.entry(|w| {
                w.put_u32(ATTR_KEY, key)?;
                w.put_u32(ATTR_VALUE, value)
            })?;
            *dump.cursor() += 1;
        }
        Ok(())
    }
}

/// `CLEAR`: forgets every pair; replies with how many there were.
struct Clear;

impl DoOp for Clear {
    type Family = Kv;
    type Attrs = NoAttrs;
    const CMD: u8 = CMD_CLEAR;
    const FLAGS: OpFlags = OpFlags::ADMIN_PERM;

    fn doit(req: &mut DoRequest<'_, Self>) -> Result {
        let mut reply = req.reply(CMD_CLEAR)?;
        let n = {
            let mut pairs = req.state().pairs.lock();
            let n = pairs.len();
            *pairs = KVec::new();
            n
        };
        reply.put_u32(ATTR_COUNT, n as u32)?;
        req.send_reply(reply)
    }
}

struct KvModule {
    _family: Pin<KBox<Registration<Kv>>>,
}

impl kernel::Module for KvModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
        Ok(Self {
            _family: KBox::pin_init(Registration::new(module), GFP_KERNEL)?,
        })
    }
}
