//! Threshold alerts, as both planes carry them: `ALERT_NTF` on the
//! "alerts" group and nfnetlink `ALERT` messages to bound listeners.

use serde::Serialize;

use crate::json;
use crate::nl::{Attrs, ParseError};
use crate::rule::ThresholdJson;
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

    /// The alert in JSON, from the multicast `group` or the nfnetlink
    /// `plane`.
    pub fn to_json<'a>(&self, source: Source<'a>) -> AlertJson<'a> {
        let (group, plane) = match source {
            Source::Group(g) => (Some(g), None),
            Source::Plane(p) => (None, Some(p)),
        };
        AlertJson {
            group,
            plane,
            event: "alert",
            rule: self.rule,
            packets: self.packets,
            threshold: self.threshold.map(ThresholdJson::from),
        }
    }

    /// The alert as one JSON object.
    pub fn json(&self, source: Source<'_>) -> String {
        json::to_string(&self.to_json(source))
    }
}

/// Where an alert came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source<'a> {
    /// A multicast group of the family ("alerts").
    Group(&'a str),
    /// A plane ("nfnetlink").
    Plane(&'a str),
}

/// An alert in JSON: `{"group"|"plane":...,"event":"alert","rule":N,
/// "packets":N,"threshold":{...}}`.
#[derive(Debug, Serialize)]
pub struct AlertJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plane: Option<&'a str>,
    pub event: &'static str,
    pub rule: u32,
    pub packets: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<ThresholdJson>,
}
