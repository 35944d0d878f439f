//! Threshold alerts, as both planes carry them: `ALERT_NTF` on the
//! "alerts" group and nfnetlink `ALERT` messages to bound listeners.

use crate::json;
use crate::nl::{Attrs, ParseError};
use crate::rule::threshold_json;
use crate::uapi::genl::{attr, threshold};

/// One alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alert {
    /// The rule.
    pub rule: u32,
    /// Packets in the rule's interval when the alert was raised.
    pub packets: u64,
    /// The rule's threshold: packets and interval in ms.
    pub threshold: Option<(u64, u32)>,
}

impl Alert {
    pub fn decode(attrs: Attrs<'_>) -> Result<Alert, ParseError> {
        let rule = attrs
            .clone()
            .find(attr::RULE_ID)?
            .ok_or(ParseError::Missing("the RULE_ID attribute"))?
            .u32()?;
        let packets = attrs
            .clone()
            .find(attr::ALERT_PACKETS)?
            .ok_or(ParseError::Missing("the ALERT_PACKETS attribute"))?
            .u64()?;
        let threshold = match attrs.find(attr::RULE_THRESHOLD)? {
            None => None,
            Some(t) => {
                let t = t.nested();
                let p = t
                    .clone()
                    .find(threshold::PACKETS)?
                    .ok_or(ParseError::Missing("a RULE_THRESHOLD attribute"))?
                    .u64()?;
                let ms = t
                    .find(threshold::INTERVAL_MS)?
                    .ok_or(ParseError::Missing("a RULE_THRESHOLD attribute"))?
                    .u32()?;
                Some((p, ms))
            }
        };
        Ok(Alert {
            rule,
            packets,
            threshold,
        })
    }

    /// `alert rule N packets N threshold P/MS`.
    pub fn text(&self) -> String {
        let mut s = format!("alert rule {} packets {}", self.rule, self.packets);
        if let Some((p, ms)) = self.threshold {
            s += &format!(" threshold {p}/{ms}");
        }
        s
    }

    /// The JSON fields, after `prefix` (e.g. the group).
    pub fn json(&self, prefix: json::Obj) -> String {
        let mut o = prefix
            .str("event", "alert")
            .num("rule", self.rule)
            .num("packets", self.packets);
        if let Some(t) = self.threshold {
            o = o.raw("threshold", &threshold_json(t));
        }
        o.finish()
    }
}
