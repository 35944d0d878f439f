//! Rules: parsed from command-line words, encoded as `RULE_*` attributes,
//! decoded from replies and notifications, printed as text or JSON.

use std::net::IpAddr;

use serde::Serialize;

use crate::json;
use crate::nl::{Attrs, MsgBuilder, ParseError};
use crate::uapi::genl::{attr, counters, rule_match, threshold};

/// An address prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefix {
    pub addr: IpAddr,
    pub len: u8,
}

impl std::fmt::Display for Prefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// A rule, as the kernel reports it or as a command gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    pub id: Option<u32>,
    pub name: Option<String>,
    pub proto: Option<u8>,
    pub src: Option<Prefix>,
    pub dst: Option<Prefix>,
    pub dport: Option<(u16, Option<u16>)>,
    pub threshold: Option<(u64, u32)>,
    /// Packets and bytes (replies only).
    pub counters: Option<(u64, u64)>,
}

/// Protocol names accepted and printed.
const PROTOS: &[(&str, u8)] = &[
    ("icmp", 1),
    ("tcp", 6),
    ("udp", 17),
    ("icmpv6", 58),
    ("sctp", 132),
    ("udplite", 136),
];

fn proto_name(p: u8) -> String {
    PROTOS
        .iter()
        .find(|(_, n)| *n == p)
        .map(|(s, _)| s.to_string())
        .unwrap_or_else(|| p.to_string())
}

fn parse_proto(s: &str) -> Result<u8, String> {
    PROTOS
        .iter()
        .find(|(n, _)| *n == s)
        .map(|(_, p)| *p)
        .or_else(|| s.parse().ok())
        .ok_or_else(|| format!("proto: '{s}' is not a protocol name or number 0-255"))
}

fn parse_prefix(key: &str, s: &str) -> Result<Prefix, String> {
    let (a, l) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let addr: IpAddr = a
        .parse()
        .map_err(|_| format!("{key}: '{a}' is not an IPv4 or IPv6 address"))?;
    let bits = if addr.is_ipv4() { 32 } else { 128 };
    let len = match l {
        None => bits,
        // The kernel checks the length against the address; sending it as
        // given lets its error (and extack) show.
        Some(l) => l
            .parse::<u8>()
            .map_err(|_| format!("{key}: '{l}' is not a prefix length"))?,
    };
    Ok(Prefix { addr, len })
}

fn parse_num<T: std::str::FromStr>(key: &str, s: &str) -> Result<T, String> {
    s.parse()
        .map_err(|_| format!("{key}: '{s}' is not a valid number"))
}

impl Rule {
    /// Parses `KEY VALUE` words: `id N`, `name NAME`, `proto P`,
    /// `src PREFIX`, `dst PREFIX`, `dport LO[-HI]`, `threshold PACKETS/MS`.
    /// `keys` limits which keys are accepted.
    pub fn from_words(words: &[String], keys: &[&str]) -> Result<Rule, String> {
        let mut r = Rule::default();
        let mut it = words.iter();
        while let Some(k) = it.next() {
            if !keys.contains(&k.as_str()) {
                return Err(format!(
                    "unknown keyword '{k}' (expected one of: {})",
                    keys.join(", ")
                ));
            }
            let v = it.next().ok_or_else(|| format!("{k} needs a value"))?;
            match k.as_str() {
                "id" => r.id = Some(parse_num("id", v)?),
                "name" => r.name = Some(v.clone()),
                "proto" => r.proto = Some(parse_proto(v)?),
                "src" => r.src = Some(parse_prefix("src", v)?),
                "dst" => r.dst = Some(parse_prefix("dst", v)?),
                "dport" => {
                    r.dport = Some(match v.split_once('-') {
                        Some((lo, hi)) => (parse_num("dport", lo)?, Some(parse_num("dport", hi)?)),
                        None => (parse_num("dport", v)?, None),
                    })
                }
                "threshold" => {
                    let (p, ms) = v
                        .split_once('/')
                        .ok_or_else(|| format!("threshold: '{v}' is not PACKETS/MS"))?;
                    r.threshold = Some((parse_num("threshold", p)?, parse_num("threshold", ms)?));
                }
                _ => unreachable!("keys are checked above"),
            }
        }
        Ok(r)
    }

    /// Adds the rule's attributes to a request.
    pub fn encode(&self, b: &mut MsgBuilder) {
        if let Some(id) = self.id {
            b.put_u32(attr::RULE_ID, id);
        }
        if let Some(n) = &self.name {
            b.put_str(attr::RULE_NAME, n.as_bytes());
        }
        if self.proto.is_some() || self.src.is_some() || self.dst.is_some() || self.dport.is_some()
        {
            let nest = b.nest_start(attr::RULE_MATCH);
            if let Some(p) = self.proto {
                b.put_u8(rule_match::PROTO, p);
            }
            for (p, t4, t6, tl) in [
                (
                    &self.src,
                    rule_match::SRC4,
                    rule_match::SRC6,
                    rule_match::SRC_PLEN,
                ),
                (
                    &self.dst,
                    rule_match::DST4,
                    rule_match::DST6,
                    rule_match::DST_PLEN,
                ),
            ] {
                if let Some(p) = p {
                    match p.addr {
                        IpAddr::V4(a) => b.put(t4, &a.octets()),
                        IpAddr::V6(a) => b.put(t6, &a.octets()),
                    };
                    b.put_u8(tl, p.len);
                }
            }
            if let Some((lo, hi)) = self.dport {
                b.put_u16(rule_match::DPORT_LO, lo);
                if let Some(hi) = hi {
                    b.put_u16(rule_match::DPORT_HI, hi);
                }
            }
            b.nest_end(nest);
        }
        if let Some((packets, ms)) = self.threshold {
            let nest = b.nest_start(attr::RULE_THRESHOLD);
            b.put_u64(threshold::PACKETS, packets);
            b.put_u32(threshold::INTERVAL_MS, ms);
            b.nest_end(nest);
        }
    }

    /// Decodes a rule from `RULE_*` attributes.
    pub fn decode(attrs: Attrs<'_>) -> Result<Rule, ParseError> {
        let mut r = Rule::default();
        for a in attrs.collect_all()? {
            match a.ty {
                attr::RULE_ID => r.id = Some(a.u32()?),
                attr::RULE_NAME => r.name = Some(a.string()),
                attr::RULE_MATCH => decode_match(&mut r, a.nested())?,
                attr::RULE_THRESHOLD => {
                    let t = a.nested();
                    let p = t.clone().find(threshold::PACKETS)?;
                    let ms = t.find(threshold::INTERVAL_MS)?;
                    if let (Some(p), Some(ms)) = (p, ms) {
                        r.threshold = Some((p.u64()?, ms.u32()?));
                    }
                }
                attr::RULE_COUNTERS => {
                    let c = a.nested();
                    let p = c.clone().find(counters::PACKETS)?;
                    let by = c.find(counters::BYTES)?;
                    if let (Some(p), Some(by)) = (p, by) {
                        r.counters = Some((p.u64()?, by.u64()?));
                    }
                }
                _ => {}
            }
        }
        if r.id.is_none() {
            return Err(ParseError::Missing("the RULE_ID attribute"));
        }
        Ok(r)
    }

    /// One line of text: `id 1 name web proto tcp dst 10.0.0.0/8 ...`.
    pub fn text(&self) -> String {
        let mut s = format!("id {}", self.id.unwrap_or(0));
        if let Some(n) = &self.name {
            s += &format!(" name {n}");
        }
        if let Some(p) = self.proto {
            s += &format!(" proto {}", proto_name(p));
        }
        if let Some(p) = &self.src {
            s += &format!(" src {p}");
        }
        if let Some(p) = &self.dst {
            s += &format!(" dst {p}");
        }
        match self.dport {
            Some((lo, Some(hi))) if hi != lo => s += &format!(" dport {lo}-{hi}"),
            Some((lo, _)) => s += &format!(" dport {lo}"),
            None => {}
        }
        if let Some((p, ms)) = self.threshold {
            s += &format!(" threshold {p}/{ms}");
        }
        if let Some((p, b)) = self.counters {
            s += &format!(" packets {p} bytes {b}");
        }
        s
    }

    /// The rule as its JSON object serializes.
    pub fn to_json(&self) -> RuleJson<'_> {
        RuleJson {
            id: self.id.unwrap_or(0),
            name: self.name.as_deref(),
            matches: MatchJson {
                proto: self.proto,
                src: self.src.map(|p| p.to_string()),
                dst: self.dst.map(|p| p.to_string()),
                dport_lo: self.dport.map(|(lo, _)| lo),
                dport_hi: self.dport.map(|(lo, hi)| hi.unwrap_or(lo)),
            },
            threshold: self.threshold.map(ThresholdJson::from),
            counters: self
                .counters
                .map(|(packets, bytes)| CountersJson { packets, bytes }),
        }
    }

    /// A JSON object.
    pub fn json(&self) -> String {
        json::to_string(&self.to_json())
    }
}

/// A rule in JSON: `{"id":N,"name":...,"match":{...},"threshold":{...},
/// "counters":{...}}`, members without a value left out.
#[derive(Debug, Serialize)]
pub struct RuleJson<'a> {
    pub id: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(rename = "match")]
    pub matches: MatchJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<ThresholdJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counters: Option<CountersJson>,
}

/// What a rule matches, in JSON; `{}` matches everything.
#[derive(Debug, Serialize)]
pub struct MatchJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proto: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dport_lo: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dport_hi: Option<u16>,
}

/// A threshold in JSON: packets per interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ThresholdJson {
    pub packets: u64,
    pub interval_ms: u32,
}

impl From<(u64, u32)> for ThresholdJson {
    fn from((packets, interval_ms): (u64, u32)) -> Self {
        ThresholdJson {
            packets,
            interval_ms,
        }
    }
}

/// Packet and byte counters in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CountersJson {
    pub packets: u64,
    pub bytes: u64,
}

fn decode_match(r: &mut Rule, m: Attrs<'_>) -> Result<(), ParseError> {
    let (mut src, mut dst, mut src_len, mut dst_len) = (None, None, None, None);
    let mut hi = None;
    for a in m.collect_all()? {
        let addr = |p: &[u8]| -> Option<IpAddr> {
            match p.len() {
                4 => Some(IpAddr::from(<[u8; 4]>::try_from(p).ok()?)),
                16 => Some(IpAddr::from(<[u8; 16]>::try_from(p).ok()?)),
                _ => None,
            }
        };
        match a.ty {
            rule_match::PROTO => r.proto = Some(a.u8()?),
            rule_match::SRC4 | rule_match::SRC6 => src = addr(a.payload),
            rule_match::DST4 | rule_match::DST6 => dst = addr(a.payload),
            rule_match::SRC_PLEN => src_len = Some(a.u8()?),
            rule_match::DST_PLEN => dst_len = Some(a.u8()?),
            rule_match::DPORT_LO => r.dport = Some((a.u16()?, None)),
            rule_match::DPORT_HI => hi = Some(a.u16()?),
            _ => {}
        }
    }
    let full = |a: &IpAddr| if a.is_ipv4() { 32 } else { 128 };
    r.src = src.map(|addr| Prefix {
        addr,
        len: src_len.unwrap_or(full(&addr)),
    });
    r.dst = dst.map(|addr| Prefix {
        addr,
        len: dst_len.unwrap_or(full(&addr)),
    });
    if let Some((lo, _)) = r.dport {
        r.dport = Some((lo, hi));
    }
    Ok(())
}
