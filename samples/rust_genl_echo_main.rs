// SPDX-License-Identifier: GPL-2.0

//! The ECHO family of the generic netlink how-to, in Rust.
//!
//! Family `CONTROL_EXMPL`, one command (`DOC_EXMPL_C_ECHO`) taking one
//! NUL-terminated string attribute (`DOC_EXMPL_A_MSG`): the module logs the
//! text and sends it back. The how-to's C version fills a `genl_family`, a
//! `genl_ops` array and an `nla_policy` array by hand and reads
//! `info->attrs[DOC_EXMPL_A_MSG]`; here each of those comes from one
//! declaration, and the handler gets the validated string as a `&CStr`.
//!
//! Unlike the how-to, the string is bounded (255 bytes): an unbounded
//! `NLA_NUL_STRING` lets anyone make the kernel allocate a reply as large as
//! their request.

use kernel::{prelude::*, str::BStr};

#[path = "../src/netlink/mod.rs"]
pub mod rnl;

use core::ffi::CStr;
use rnl::{
    attr::NulStr,
    genl::{DoOp, DoRequest, Family, NoGroups, OpFlags, Registration, SplitOp},
    netns::NoState,
};

crate::kernel_module! {
    layer: rnl,
    type: GenlEcho,
    name: "rust_genl_echo",
    authors: ["nlrs developers"],
    description: "The generic netlink how-to's ECHO family, in Rust",
    license: "GPL",
}

/// `DOC_EXMPL_C_ECHO`.
const DOC_EXMPL_C_ECHO: u8 = 1;
/// `DOC_EXMPL_A_MSG`.
const DOC_EXMPL_A_MSG: u16 = 1;

crate::attr_set! {
    /// The family's only attribute set.
    pub(crate) struct ExmplAttrs {
        /// The text to echo.
        msg: NulStr<255> = DOC_EXMPL_A_MSG,
    }
}

/// The `CONTROL_EXMPL` family.
struct Exmpl;

impl Family for Exmpl {
    const NAME: &'static CStr = c"CONTROL_EXMPL";
    const VERSION: u8 = 1;
    type State = NoState;
    const OPS: &'static [SplitOp<Self>] = &[SplitOp::doit::<Echo>()];
    type Groups = NoGroups;
}

/// `DOC_EXMPL_C_ECHO`: log the message, send it back.
struct Echo;

impl DoOp for Echo {
    type Family = Exmpl;
    type Attrs = ExmplAttrs;
    const CMD: u8 = DOC_EXMPL_C_ECHO;
    const FLAGS: OpFlags = OpFlags::NONE;

    fn doit(req: &mut DoRequest<'_, Self>) -> Result {
        let msg = req.attrs().msg().required()?;
        pr_info!("received: {}\n", BStr::from_bytes(msg.to_bytes()));
        let mut reply = req.reply(DOC_EXMPL_C_ECHO)?;
        reply.put_str(DOC_EXMPL_A_MSG, msg)?;
        req.send_reply(reply)
    }
}

struct GenlEcho {
    _family: Pin<KBox<Registration<Exmpl>>>,
}

impl kernel::Module for GenlEcho {
    fn init(module: &'static ThisModule) -> Result<Self> {
        Ok(Self {
            _family: KBox::pin_init(Registration::new(module), GFP_KERNEL)?,
        })
    }
}

#[cfg(CONFIG_KUNIT)]
mod tests {
    use super::{ExmplAttrs, DOC_EXMPL_A_MSG};
    use crate::rnl::{attr::Buf, extack::ExtAck};
    use crate::{kunit_expect, kunit_expect_eq, kunit_suite};

    fn echo_attribute_parses() {
        let mut buf = Buf::new();
        kunit_expect!(buf.put(DOC_EXMPL_A_MSG, b"hi\0").is_ok());
        let parsed = buf.parse::<ExmplAttrs>(ExtAck::NONE);
        kunit_expect!(parsed.is_ok());
        if let Ok(p) = parsed {
            kunit_expect_eq!(
                p.attrs().msg().get().map(|s| s.to_bytes()),
                Some(&b"hi"[..])
            );
        }
    }

    fn unterminated_message_is_rejected() {
        let mut buf = Buf::new();
        kunit_expect!(buf.put(DOC_EXMPL_A_MSG, b"hi").is_ok());
        kunit_expect!(buf.parse::<ExmplAttrs>(ExtAck::NONE).is_err());
    }

    kunit_suite!(
        rust_genl_echo,
        "rust_genl_echo",
        [echo_attribute_parses, unterminated_message_is_rejected]
    );
}
