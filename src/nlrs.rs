// SPDX-License-Identifier: GPL-2.0

//! nlrs: a per-network-namespace packet-accounting service, controlled over
//! generic netlink (family "nlrs") and nfnetlink.
//!
//! This file wires the service together; the netlink plumbing is in
//! [`netlink`]. The wire protocol is in [`uapi`] and the requests' policies
//! in `policy`, both generated from the YNL specs (`make regen`).

use kernel::prelude::*;

mod alerts;
mod classifier;
mod codec;
mod counter;
mod datapath;
mod family;
mod hook;
mod listeners;
mod matching;
mod model;
pub mod netlink;
mod nfnl;
mod notify;
mod params;
mod pernet;
mod policy;
mod rule_ops;
mod rules;
mod stats;
#[cfg(CONFIG_KUNIT)]
mod tests;
pub mod uapi;

crate::kernel_module! {
    layer: netlink,
    type: Nlrs,
    name: "nlrs",
    authors: ["nlrs developers"],
    description: "Packet accounting over generic netlink and nfnetlink",
    license: "GPL",
}

struct Nlrs {
    _genl: Pin<KBox<netlink::genl::Registration<notify::NlrsFamily>>>,
    _nfnl: Pin<KBox<netlink::nfnl::Registration<nfnl::NlrsSubsys>>>,
    _release: Pin<KBox<netlink::release::ReleaseNotifier<nfnl::DropListeners>>>,
}

impl kernel::Module for Nlrs {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let id = params::NFNL_SUBSYS.get();
        // Listeners are forgotten from the moment there can be any.
        let release = KBox::pin_init(netlink::release::ReleaseNotifier::new(), GFP_KERNEL)?;
        let nfnl = KBox::pin_init(netlink::nfnl::Registration::new(module, id), GFP_KERNEL)?;
        // Last: nothing may fail once its dumps can start.
        let genl = KBox::pin_init(netlink::genl::Registration::new(module), GFP_KERNEL)?;
        pr_info!(
            "loaded: genl family {} (id {}), nfnetlink subsystem {}\n",
            uapi::genl::FAMILY_NAME.to_str().unwrap_or("?"),
            genl.id(),
            id
        );
        Ok(Self {
            _genl: genl,
            _nfnl: nfnl,
            _release: release,
        })
    }
}
