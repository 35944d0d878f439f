// SPDX-License-Identifier: GPL-2.0

//! The `nfnetlink_colo` subsystem, in Rust.
//!
//! COLO (coarse-grain lock-stepping) keeps a secondary virtual machine in
//! step with a primary one. A proxy in the kernel watches the primary's
//! network output and tells QEMU, its peer, when a checkpoint is due; QEMU
//! drives the proxy with four requests. The C original fills a
//! `nfnl_callback` table by hand, one shared `nla_policy`, and builds its
//! `KERNEL_NOTIFY` with `nlmsg_put()`, an `nfgenmsg` and `nla_put_s32()`;
//! here each request is one [`Op`] and the notification one call.
//!
//! Messages (subsystem `colo`, id `subsys_id`, by default 12, the id the
//! COLO patches reserved as `NFNL_SUBSYS_COLO`):
//!
//! | type | message | |
//! |---|---|---|
//! | 0 | `NFCOLO_KERNEL_NOTIFY` | kernel to peer: `NFNL_COLO_COMPARE_RESULT` (s32) |
//! | 1 | `NFCOLO_DO_CHECKPOINT` | peer: a checkpoint was taken |
//! | 2 | `NFCOLO_DO_FAILOVER` | peer: the secondary takes over as primary |
//! | 3 | `NFCOLO_PROXY_INIT` | registers the sender as peer, `NFNL_COLO_MODE` required |
//! | 4 | `NFCOLO_PROXY_RESET` | unregisters the peer |
//!
//! The proxy's "compare" is a stand-in: the primary's output is counted at
//! `NF_INET_LOCAL_OUT`, and when `checkpoint_packets` packets went out since
//! the last checkpoint the peer gets one `KERNEL_NOTIFY` with a compare
//! result of 1 ("outputs differ, checkpoint now"). State is per network
//! namespace; a peer whose socket closes is forgotten.

use kernel::prelude::*;

#[path = "../src/netlink/mod.rs"]
pub mod rnl;

use core::{
    ffi::CStr,
    sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed},
};
use rnl::{
    attr::U32Range,
    error::enotconn,
    hook::{Family, Hook, HookOp, HookSwitch, Packet, Point, Verdict},
    netns::{self, NetState},
    nfnl::{self, callbacks, Callback, CbKind, Op, Request, Subsystem},
    protocol::Protocol,
    release::{OnRelease, ReleaseNotifier},
};

crate::kernel_module! {
    layer: rnl,
    type: NfnlColo,
    name: "rust_nfnl_colo",
    authors: ["nlrs developers"],
    description: "The nfnetlink_colo subsystem, in Rust",
    license: "GPL",
}

crate::module_param!(
    SUBSYS_ID: u8 = 12,
    subsys_id,
    "nfnetlink subsystem id, 1..12 (default 12, NFNL_SUBSYS_COLO)"
);

crate::module_param!(
    CHECKPOINT_PACKETS: u32 = 64,
    checkpoint_packets,
    "primary output packets that make a checkpoint due (default 64)"
);

/// `enum nfnl_colo_msg_types`.
mod msg {
    /// Kernel to peer: compare result.
    pub(crate) const KERNEL_NOTIFY: u8 = 0;
    /// Peer to kernel: a checkpoint was taken.
    pub(crate) const DO_CHECKPOINT: u8 = 1;
    /// Peer to kernel: fail over to this node.
    pub(crate) const DO_FAILOVER: u8 = 2;
    /// Peer to kernel: start proxying, in `NFNL_COLO_MODE`.
    pub(crate) const PROXY_INIT: u8 = 3;
    /// Peer to kernel: stop proxying.
    pub(crate) const PROXY_RESET: u8 = 4;
    /// `NFCOLO_MSG_MAX`.
    pub(crate) const COUNT: usize = 5;
}

/// `enum colo_mode`.
mod mode {
    /// `COLO_UNPROTECTED_MODE`: no peer.
    pub(crate) const UNPROTECTED: u32 = 0;
    /// `COLO_PRIMARY_MODE`.
    pub(crate) const PRIMARY: u32 = 1;
    /// `COLO_SECONDARY_MODE`.
    pub(crate) const SECONDARY: u32 = 2;
}

crate::attr_set! {
    /// `enum nfnl_colo_common_attributes`: the requests' policy.
    pub(crate) struct ColoAttrs {
        /// `NFNL_COLO_MODE`: `COLO_PRIMARY_MODE` or `COLO_SECONDARY_MODE`.
        mode: U32Range<{ mode::PRIMARY }, { mode::SECONDARY }> = 1,
    }
}

/// `NFNL_COLO_COMPARE_RESULT`, the attribute of `KERNEL_NOTIFY`.
const NFNL_COLO_COMPARE_RESULT: u16 = 1;

/// Why a request was refused.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// Another socket is the peer.
    Busy,
    /// The sender is not the peer.
    NotPeer,
    /// Failover asked of a node that is not a secondary.
    NotSecondary,
}

impl Refusal {
    fn report<O: Op>(&self, req: &Request<'_, O>) -> Error {
        let (err, text) = match self {
            Self::Busy => (EBUSY, c"another socket is the COLO peer"),
            Self::NotPeer => (enotconn(), c"this socket is not the COLO peer"),
            Self::NotSecondary => (EINVAL, c"only a secondary can fail over"),
        };
        req.extack().set_msg(text);
        err
    }
}

static COLO_NET: netns::Id = netns::Id::new();

/// The COLO node of one network namespace.
///
/// Requests change it under nfnetlink's subsystem mutex; the hook and the
/// release notifier read and clear it without that lock, hence atomics.
#[pin_data]
struct ColoNet {
    /// The switch of the output hooks: on while the node is primary.
    hooks: HookSwitch,
    /// Port id of the peer; 0 when there is none.
    peer: AtomicU32,
    /// `enum colo_mode`.
    mode: AtomicU32,
    /// Primary output packets since the last checkpoint.
    since_checkpoint: AtomicU64,
}

impl ColoNet {
    /// No peer, unprotected.
    const fn empty() -> Self {
        Self {
            hooks: HookSwitch::new(),
            peer: AtomicU32::new(0),
            mode: AtomicU32::new(mode::UNPROTECTED),
            since_checkpoint: AtomicU64::new(0),
        }
    }

    /// Whether `portid` may send `PROXY_INIT`: no other socket is the peer.
    fn may_init(&self, portid: u32) -> core::result::Result<(), Refusal> {
        match self.peer.load(Relaxed) {
            0 => Ok(()),
            p if p == portid => Ok(()),
            _ => Err(Refusal::Busy),
        }
    }

    /// `PROXY_INIT` from `portid`: it becomes (or stays) the peer.
    fn init(&self, portid: u32, mode: u32) -> core::result::Result<(), Refusal> {
        if let Err(other) = self.peer.compare_exchange(0, portid, Relaxed, Relaxed) {
            if other != portid {
                return Err(Refusal::Busy);
            }
        }
        self.since_checkpoint.store(0, Relaxed);
        self.mode.store(mode, Relaxed);
        Ok(())
    }

    fn check_peer(&self, portid: u32) -> core::result::Result<(), Refusal> {
        if portid != 0 && self.peer.load(Relaxed) == portid {
            Ok(())
        } else {
            Err(Refusal::NotPeer)
        }
    }

    /// `DO_CHECKPOINT`: the next checkpoint is due `checkpoint_packets`
    /// packets from now.
    fn checkpoint(&self, portid: u32) -> core::result::Result<(), Refusal> {
        self.check_peer(portid)?;
        self.since_checkpoint.store(0, Relaxed);
        Ok(())
    }

    /// Whether `portid` may send `DO_FAILOVER`: it is the peer of a
    /// secondary.
    fn may_failover(&self, portid: u32) -> core::result::Result<(), Refusal> {
        self.check_peer(portid)?;
        match self.mode.load(Relaxed) {
            mode::SECONDARY => Ok(()),
            _ => Err(Refusal::NotSecondary),
        }
    }

    /// `DO_FAILOVER`: the secondary becomes the primary.
    fn failover(&self, portid: u32) -> core::result::Result<(), Refusal> {
        self.check_peer(portid)?;
        self.mode
            .compare_exchange(mode::SECONDARY, mode::PRIMARY, Relaxed, Relaxed)
            .map(|_| self.since_checkpoint.store(0, Relaxed))
            .map_err(|_| Refusal::NotSecondary)
    }

    /// `PROXY_RESET`, or the peer's socket went away.
    fn reset(&self, portid: u32) -> core::result::Result<(), Refusal> {
        self.check_peer(portid)?;
        self.mode.store(mode::UNPROTECTED, Relaxed);
        self.peer.store(0, Relaxed);
        Ok(())
    }

    /// One output packet: the peer to notify if it makes a checkpoint due.
    fn output(&self, limit: u64) -> Option<u32> {
        if self.mode.load(Relaxed) != mode::PRIMARY {
            return None;
        }
        // Exactly one packet sees the count reach the limit.
        let n = self.since_checkpoint.fetch_add(1, Relaxed) + 1;
        let peer = self.peer.load(Relaxed);
        (n == limit && peer != 0).then_some(peer)
    }
}

impl NetState for ColoNet {
    const ID: &'static netns::Id = &COLO_NET;
    /// The primary's output, IPv4 and IPv6; on while the node is primary.
    const HOOKS: &'static [HookOp<Self>] = &[
        HookOp::new(Family::Ipv4, Point::LocalOut, 0),
        HookOp::new(Family::Ipv6, Point::LocalOut, 0),
    ];

    fn new() -> impl PinInit<Self, Error> {
        let Self {
            hooks,
            peer,
            mode,
            since_checkpoint,
        } = Self::empty();
        try_pin_init!(Self {
            hooks,
            peer,
            mode,
            since_checkpoint,
        })
    }
}

impl Hook for ColoNet {
    fn switch(&self) -> &HookSwitch {
        &self.hooks
    }

    fn hook(&self, pkt: &Packet<'_>) -> Verdict {
        if let Some(peer) = self.output(CHECKPOINT_PACKETS.get().into()) {
            // A full or closed peer misses this one; the next checkpoint
            // cycle notifies again.
            let _ = nfnl::unicast_in(pkt.net(), SUBSYS_ID.get(), msg::KERNEL_NOTIFY, peer, |w| {
                w.put_s32(NFNL_COLO_COMPARE_RESULT, 1)
            });
        }
        Verdict::Accept
    }
}

/// The `colo` subsystem.
struct Colo;

impl Subsystem for Colo {
    const NAME: &'static CStr = c"colo";
    const CALLBACKS: &'static [nfnl::RawCallback] = &callbacks::<{ msg::COUNT }>(&[
        Callback::notify_only(msg::KERNEL_NOTIFY),
        Callback::op::<DoCheckpoint>(),
        Callback::op::<DoFailover>(),
        Callback::op::<ProxyInit>(),
        Callback::op::<ProxyReset>(),
    ]);
    type State = ColoNet;
}

/// `NFCOLO_PROXY_INIT`: registers the sender as the peer, in the given
/// mode; a primary's output is watched from now on.
struct ProxyInit;

impl Op for ProxyInit {
    type Subsystem = Colo;
    type Attrs = ColoAttrs;
    const MSG: u8 = msg::PROXY_INIT;
    const KIND: CbKind = CbKind::Mutex;

    /// Refusals come first, so a refused request changes nothing; then
    /// the hooks, which may fail to register; then the state.
    fn call(req: &mut Request<'_, Self>) -> Result {
        let mode = req.attrs().mode().required()?;
        let node = req.state();
        node.may_init(req.portid()).map_err(|r| r.report(req))?;
        node.hooks.set(mode == mode::PRIMARY)?;
        node.init(req.portid(), mode).map_err(|r| r.report(req))
    }
}

/// `NFCOLO_DO_CHECKPOINT`: the peer took a checkpoint.
struct DoCheckpoint;

impl Op for DoCheckpoint {
    type Subsystem = Colo;
    type Attrs = ColoAttrs;
    const MSG: u8 = msg::DO_CHECKPOINT;
    const KIND: CbKind = CbKind::Mutex;

    fn call(req: &mut Request<'_, Self>) -> Result {
        req.state()
            .checkpoint(req.portid())
            .map_err(|r| r.report(req))
    }
}

/// `NFCOLO_DO_FAILOVER`: the secondary takes over.
struct DoFailover;

impl Op for DoFailover {
    type Subsystem = Colo;
    type Attrs = ColoAttrs;
    const MSG: u8 = msg::DO_FAILOVER;
    const KIND: CbKind = CbKind::Mutex;

    fn call(req: &mut Request<'_, Self>) -> Result {
        let node = req.state();
        node.may_failover(req.portid()).map_err(|r| r.report(req))?;
        node.hooks.set(true)?;
        node.failover(req.portid()).map_err(|r| r.report(req))
    }
}

/// `NFCOLO_PROXY_RESET`: the peer leaves.
struct ProxyReset;

impl Op for ProxyReset {
    type Subsystem = Colo;
    type Attrs = ColoAttrs;
    const MSG: u8 = msg::PROXY_RESET;
    const KIND: CbKind = CbKind::Mutex;

    fn call(req: &mut Request<'_, Self>) -> Result {
        let node = req.state();
        node.reset(req.portid()).map_err(|r| r.report(req))?;
        node.hooks.off();
        Ok(())
    }
}

/// Forgets a peer whose socket is released. Its hooks stay on, idle, until
/// the next request or the namespace's end.
struct ForgetPeer;

impl OnRelease for ForgetPeer {
    type State = ColoNet;
    const PROTOCOL: Protocol = Protocol::Netfilter;

    fn released(state: &ColoNet, portid: u32) {
        let _ = state.reset(portid);
    }
}

struct NfnlColo {
    _subsys: Pin<KBox<nfnl::Registration<Colo>>>,
    _release: Pin<KBox<ReleaseNotifier<ForgetPeer>>>,
}

impl kernel::Module for NfnlColo {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let release = KBox::pin_init(ReleaseNotifier::new(), GFP_KERNEL)?;
        let subsys = KBox::pin_init(nfnl::Registration::new(module, SUBSYS_ID.get()), GFP_KERNEL)?;
        Ok(Self {
            _subsys: subsys,
            _release: release,
        })
    }
}

#[cfg(CONFIG_KUNIT)]
mod tests {
    use super::{mode, ColoAttrs, ColoNet, Refusal};
    use crate::rnl::{attr::Buf, extack::ExtAck};
    use crate::{kunit_expect, kunit_expect_eq, kunit_suite};

    fn mode_policy() {
        for (m, ok) in [(0u32, false), (1, true), (2, true), (3, false)] {
            let mut buf = Buf::new();
            kunit_expect!(buf.put(ColoAttrs::MODE, &m.to_ne_bytes()).is_ok());
            kunit_expect_eq!(buf.parse::<ColoAttrs>(ExtAck::NONE).is_ok(), ok);
        }
    }

    fn one_peer_at_a_time() {
        let n = ColoNet::empty();
        kunit_expect_eq!(n.init(10, mode::PRIMARY), Ok(()));
        kunit_expect_eq!(n.may_init(10), Ok(()));
        kunit_expect_eq!(n.may_init(11), Err(Refusal::Busy));
        kunit_expect_eq!(n.init(11, mode::PRIMARY), Err(Refusal::Busy));
        kunit_expect_eq!(n.checkpoint(11), Err(Refusal::NotPeer));
        kunit_expect_eq!(n.reset(11), Err(Refusal::NotPeer));
        kunit_expect_eq!(n.reset(10), Ok(()));
        kunit_expect_eq!(n.init(11, mode::SECONDARY), Ok(()));
    }

    fn notifies_once_per_checkpoint() {
        let n = ColoNet::empty();
        kunit_expect_eq!(n.output(3), None);
        kunit_expect_eq!(n.init(7, mode::PRIMARY), Ok(()));
        let due = [(); 5].map(|()| n.output(3));
        kunit_expect_eq!(due, [None, None, Some(7), None, None]);
        kunit_expect_eq!(n.checkpoint(7), Ok(()));
        kunit_expect_eq!(n.output(1), Some(7));
    }

    fn failover_only_from_secondary() {
        let n = ColoNet::empty();
        kunit_expect_eq!(n.may_failover(5), Err(Refusal::NotPeer));
        kunit_expect_eq!(n.init(5, mode::SECONDARY), Ok(()));
        kunit_expect_eq!(n.may_failover(6), Err(Refusal::NotPeer));
        kunit_expect_eq!(n.may_failover(5), Ok(()));
        kunit_expect_eq!(n.output(1), None);
        kunit_expect_eq!(n.failover(5), Ok(()));
        kunit_expect_eq!(n.failover(5), Err(Refusal::NotSecondary));
        kunit_expect_eq!(n.may_failover(5), Err(Refusal::NotSecondary));
        kunit_expect_eq!(n.output(1), Some(5));
    }

    kunit_suite!(
        rust_nfnl_colo,
        "rust_nfnl_colo",
        [
            mode_policy,
            one_peer_at_a_time,
            notifies_once_per_checkpoint,
            failover_only_from_secondary
        ]
    );
}
