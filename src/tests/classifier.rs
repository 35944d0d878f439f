// SPDX-License-Identifier: GPL-2.0

//! KUnit: the classifier finds exactly the rules the plain matcher does.

use crate::{
    classifier::Classifier,
    datapath::{Acct, Entry},
    kunit_expect, kunit_expect_eq, kunit_suite,
    matching::FlowKey,
    model::{Match, Prefix, L3},
};
use kernel::{prelude::*, sync::Arc};

/// A fixed-seed xorshift generator: the same cases on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// One of `items`.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Addresses from a small pool, so that random rules and packets meet:
/// the family's first bytes, then two of four values.
fn addr(rng: &mut Rng, l3: L3) -> [u8; 16] {
    let mut a = [0; 16];
    let (len, head): (usize, &[u8]) = match l3 {
        L3::V6 => (16, &[0x20, 0x01, 0x0d, 0xb8]),
        _ => (4, &[10]),
    };
    a[..head.len()].copy_from_slice(head);
    a[len - 2] = rng.pick(&[0, 1, 128, 255]);
    a[len - 1] = rng.pick(&[0, 1, 2, 3]);
    a
}

/// The network of `len` bits holding `addr` (4 or 16 bytes): its host
/// bits cleared.
fn net(addr: &[u8], len: u8) -> Option<Prefix> {
    let mut masked = [0u8; 16];
    for (i, b) in addr.iter().enumerate().take(16) {
        let kept = usize::from(len).saturating_sub(i * 8).min(8);
        masked[i] = if kept == 0 {
            0
        } else {
            b & (0xffu8 << (8 - kept))
        };
    }
    Prefix::new(&masked[..addr.len().min(16)], Some(len)).ok()
}

/// A prefix of a pooled address, of a length that cuts through the pooled
/// bytes or not.
fn prefix(rng: &mut Rng, l3: L3) -> Option<Prefix> {
    let a = addr(rng, l3);
    let bits: u8 = if l3 == L3::V6 { 128 } else { 32 };
    let len = rng.pick(&[0, 8, bits - 16, bits - 9, bits - 8, bits - 1, bits]);
    net(if l3 == L3::V6 { &a[..] } else { &a[..4] }, len)
}

/// `n` matches made by `f`, or `None` out of memory.
fn matches_of(n: usize, mut f: impl FnMut(usize) -> Match) -> Option<KVec<Match>> {
    let mut v = KVec::with_capacity(n, GFP_KERNEL).ok()?;
    for i in 0..n {
        v.push(f(i), GFP_KERNEL).ok()?;
    }
    Some(v)
}

const PORTS: [u16; 6] = [0, 53, 80, 443, 9500, 65535];

/// A random rule of any shape.
fn rule(rng: &mut Rng) -> Match {
    let l3 = rng.pick(&[L3::Any, L3::V4, L3::V6]);
    let (src, dst) = match l3 {
        L3::Any => (None, None),
        _ => {
            let src = (rng.below(2) == 0).then(|| prefix(rng, l3)).flatten();
            let dst = (rng.below(2) == 0).then(|| prefix(rng, l3)).flatten();
            (src, dst)
        }
    };
    let proto = rng.pick(&[0, 0, 6, 17, 17, 1]);
    let dport = match rng.below(3) {
        0 => None,
        1 => {
            let p = rng.pick(&PORTS);
            Some((p, p))
        }
        _ => {
            let (a, b) = (rng.pick(&PORTS), rng.pick(&PORTS));
            let lo = a.min(b).saturating_sub(rng.below(3) as u16);
            Some((lo, a.max(b).saturating_add(rng.below(3) as u16)))
        }
    };
    // A family without prefixes is no family.
    let l3 = if src.is_none() && dst.is_none() {
        L3::Any
    } else {
        l3
    };
    Match {
        proto,
        l3,
        src,
        dst,
        dport,
    }
}

/// A random packet.
fn packet(rng: &mut Rng) -> FlowKey {
    let l3 = rng.pick(&[L3::V4, L3::V6]);
    let proto = rng.pick(&[6, 17, 1, 58]);
    let dport = match proto {
        6 | 17 if rng.below(8) != 0 => {
            let p = rng.pick(&PORTS);
            Some(
                p.saturating_add(rng.pick(&[0, 0, 1]))
                    .saturating_sub(rng.pick(&[0, 0, 1])),
            )
        }
        _ => None,
    };
    FlowKey {
        l3,
        proto,
        src: addr(rng, l3),
        dst: addr(rng, l3),
        dport,
    }
}

/// Entries of `matches`, with ids their indices and one shared account.
fn entries<'a>(matches: &'a [Match], acct: &Arc<Acct>) -> impl Iterator<Item = Entry> + 'a {
    let acct = acct.clone();
    matches.iter().enumerate().map(move |(i, m)| Entry {
        id: i as u32,
        matcher: *m,
        threshold: None,
        acct: acct.clone(),
    })
}

/// `n` matches made by `f` and their classifier, or `None` out of memory.
fn compiled(n: usize, f: impl FnMut(usize) -> Match) -> Option<(KVec<Match>, Classifier)> {
    let matches = matches_of(n, f)?;
    let acct = Acct::new().ok()?;
    let mut c = Classifier::new();
    c.reserve(matches.len(), 0).ok()?;
    c.build(entries(&matches, &acct)).ok()?;
    Some((matches, c))
}

/// Whether the classifier finds exactly the entries the plain matcher
/// takes for `key`, each once.
fn agrees(c: &Classifier, matches: &[Match], key: &FlowKey) -> bool {
    agrees_with(c, matches.len(), |id| matches.get(id).copied(), key)
}

/// Whether the classifier finds exactly the entries the plain matcher
/// takes for `key` among `rule(0)` to `rule(n - 1)` (`None`: no rule of
/// that id), each once.
fn agrees_with(
    c: &Classifier,
    n: usize,
    rule: impl Fn(usize) -> Option<Match>,
    key: &FlowKey,
) -> bool {
    let mut seen = KVec::new();
    if seen.extend_with(n, 0u8, GFP_KERNEL).is_err() {
        return false;
    }
    let mut stray = false;
    c.for_each_match(key, |e| match seen.get_mut(e.id as usize) {
        Some(n) => *n += 1,
        None => stray = true,
    });
    !stray && (0..n).all(|id| seen[id] == u8::from(rule(id).is_some_and(|m| m.matches(key))))
}

/// Random rule sets of every shape, mixed, against random packets.
fn agrees_with_the_matcher_on_random_rules() {
    let mut rng = Rng(0x6e6c_7273_2019);
    let mut matched = 0;
    for round in 0..40 {
        let n = 1 + rng.below(if round < 30 { 40 } else { 600 }) as usize;
        let Some((matches, c)) = compiled(n, |_| rule(&mut rng)) else {
            kunit_expect!(false);
            return;
        };
        kunit_expect_eq!(c.len(), n);
        for _ in 0..300 {
            let key = packet(&mut rng);
            matched += matches.iter().filter(|m| m.matches(&key)).count();
            if !agrees(&c, &matches, &key) {
                // Names the round and packet that disagree.
                kunit_expect_eq!(Some((round, key)), None);
                return;
            }
        }
    }
    // The pools make rules and packets meet: the agreement is not only on
    // empty answers.
    kunit_expect!(matched > 10_000);
}

/// Nested, overlapping and equal port ranges of one group: the interval
/// search finds every range holding the port, at every port that matters.
fn ranges_of_one_group_are_all_found() {
    let mut rng = Rng(7);
    let ranges = compiled(200, |_| {
        let (a, b) = (rng.below(1000) as u16, rng.below(1000) as u16);
        Match {
            proto: 17,
            dport: Some((a.min(b), a.max(b))),
            ..Match::default()
        }
    });
    let Some((matches, c)) = ranges else {
        kunit_expect!(false);
        return;
    };
    // All of one shape and key: one probe.
    kunit_expect_eq!(c.tuples(), 1);
    for port in 0..1002 {
        let key = FlowKey {
            l3: L3::V4,
            proto: 17,
            src: [0; 16],
            dst: [0; 16],
            dport: Some(port),
        };
        if !agrees(&c, &matches, &key) {
            kunit_expect_eq!(Some(port), None);
        }
    }
}

/// Destination prefixes of every length, nested, disjoint and repeated,
/// in one group: every address finds each prefix holding it.
fn prefixes_of_one_group_nest() {
    let mut rng = Rng(11);
    let nets = compiled(300, |_| {
        let a = [
            10,
            rng.pick(&[0, 1, 2]),
            rng.pick(&[0, 7, 255]),
            rng.pick(&[0, 1, 64, 255]),
        ];
        Match {
            l3: L3::V4,
            dst: net(&a, rng.below(32) as u8),
            ..Match::default()
        }
    });
    let Some((matches, c)) = nets else {
        kunit_expect!(false);
        return;
    };
    // All networks of one family: one probe, then the search.
    kunit_expect_eq!(c.tuples(), 1);
    for x in [0u8, 1, 2, 3] {
        for y in [0u8, 7, 8, 255] {
            for z in [0u8, 1, 64, 65, 255] {
                let mut dst = [0; 16];
                dst[..4].copy_from_slice(&[10, x, y, z]);
                let key = FlowKey {
                    l3: L3::V4,
                    proto: 6,
                    src: [0; 16],
                    dst,
                    dport: None,
                };
                if !agrees(&c, &matches, &key) {
                    kunit_expect_eq!(Some((x, y, z)), None);
                }
            }
        }
    }
}

/// Many rules of few shapes make few tuples: the probes a packet makes do
/// not grow with the rules.
fn probes_grow_with_shapes_not_rules() {
    let shapes = compiled(2000, |i| {
        let i = i as u32;
        let host = [10, 1, (i >> 8) as u8, i as u8];
        match i % 4 {
            0 => Match {
                proto: 17,
                dport: Some((i as u16, i as u16)),
                ..Match::default()
            },
            1 => Match {
                l3: L3::V4,
                dst: Prefix::new(&host, None).ok(),
                ..Match::default()
            },
            2 => Match {
                l3: L3::V4,
                src: Prefix::new(&[10, (i >> 8) as u8, i as u8, 0], Some(24)).ok(),
                ..Match::default()
            },
            _ => Match {
                proto: 6,
                dport: Some((i as u16, i as u16 + 10)),
                ..Match::default()
            },
        }
    });
    let Some((matches, c)) = shapes else {
        kunit_expect!(false);
        return;
    };
    kunit_expect_eq!(c.tuples(), 4);
    let key = FlowKey {
        l3: L3::V4,
        proto: 17,
        src: [10, 0, 7, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        dst: [10, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        dport: Some(4),
    };
    let mut ids = KVec::new();
    c.for_each_match(&key, |e| {
        let _ = ids.push(e.id, GFP_ATOMIC);
    });
    ids.sort_unstable();
    // UDP port 4 (rule 4) and host 10.1.0.5 (rule 5) at least.
    let want: KVec<u32> = {
        let mut v = KVec::new();
        for (i, m) in matches.iter().enumerate() {
            if m.matches(&key) {
                let _ = v.push(i as u32, GFP_KERNEL);
            }
        }
        v
    };
    kunit_expect!(want.len() >= 2);
    kunit_expect_eq!(ids.as_slice(), want.as_slice());
}

/// An empty classifier matches nothing; one is built once, within its
/// room.
fn builds_once_within_its_room() {
    let Ok(acct) = Acct::new() else {
        kunit_expect!(false);
        return;
    };
    let any = [Match::default(); 3];
    let key = FlowKey {
        l3: L3::V4,
        proto: 1,
        src: [0; 16],
        dst: [0; 16],
        dport: None,
    };
    let mut c = Classifier::new();
    let mut hits = 0;
    c.for_each_match(&key, |_| hits += 1);
    kunit_expect_eq!(hits, 0);
    kunit_expect!(c.reserve(2, 0).is_ok());
    // Room is reserved 16 or an eighth more than asked: past it, the build
    // fails.
    let many = [Match::default(); 40];
    kunit_expect_eq!(c.build(entries(&many, &acct)), Err(ENOSPC));
    let mut c = Classifier::new();
    kunit_expect!(c.reserve(3, 0).is_ok());
    kunit_expect!(c.build(entries(&any, &acct)).is_ok());
    kunit_expect_eq!(c.build(entries(&any, &acct)), Err(EBUSY));
    c.for_each_match(&key, |_| hits += 1);
    kunit_expect_eq!(hits, 3);
}

/// A transaction's few changes merged into the old classifier give what a
/// build gives: random rules, then random additions, replacements and
/// removals (some of one rule twice), against random packets.
fn merges_few_changes_as_a_build_would() {
    let mut rng = Rng(0x6d65_7267_65);
    let Ok(acct) = Acct::new() else {
        kunit_expect!(false);
        return;
    };
    let entry = |id: usize, m: Match| Entry {
        id: id as u32,
        matcher: m,
        threshold: None,
        acct: acct.clone(),
    };
    for round in 0..30 {
        let n = 8 + rng.below(if round < 20 { 60 } else { 800 }) as usize;
        let k = 1 + rng.below((n / 8) as u64) as usize;
        let (Some(mut now), Ok(mut changed)) = (
            matches_of(n + k, |_| rule(&mut rng)).map(|v| {
                let mut o = KVec::new();
                for (i, m) in v.iter().enumerate() {
                    let _ = o.push((i < n).then_some(*m), GFP_KERNEL);
                }
                o
            }),
            KVec::<u32>::with_capacity(k, GFP_KERNEL),
        ) else {
            kunit_expect!(false);
            return;
        };
        let mut old = Classifier::new();
        let built = old
            .reserve(n, 0)
            .and_then(|()| old.build((0..n).filter_map(|id| now[id].map(|m| entry(id, m)))));
        kunit_expect!(built.is_ok() && now.len() == n + k);
        // Ids from n on are free: additions.
        for _ in 0..k {
            let id = rng.below((n + k) as u64) as usize;
            now[id] = match rng.below(3) {
                0 => None,
                _ => Some(rule(&mut rng)),
            };
            let _ = changed.push(id as u32, GFP_KERNEL);
        }
        let mut c = Classifier::new();
        let merged = c.reserve(n + k, k).and_then(|()| {
            c.build_from(&old, changed.iter().copied(), |id| {
                now[id as usize].map(|m| entry(id as usize, m))
            })
        });
        kunit_expect_eq!(merged, Ok(()));
        c.release_scratch();
        kunit_expect_eq!(c.len(), now.iter().flatten().count());
        for _ in 0..200 {
            let key = packet(&mut rng);
            if !agrees_with(&c, now.len(), |id| now[id], &key) {
                // Names the round and packet that disagree.
                kunit_expect_eq!(Some((round, key)), None);
                return;
            }
        }
        // More changes than reserved: refused.
        let mut c = Classifier::new();
        let refused = c.reserve(n + k, 1).and_then(|()| {
            c.build_from(&old, [0, 1, 2].into_iter(), |id| {
                now[id as usize].map(|m| entry(id as usize, m))
            })
        });
        kunit_expect_eq!(refused, Err(ENOSPC));
    }
}

kunit_suite!(
    nlrs_classifier,
    "nlrs_classifier",
    [
        agrees_with_the_matcher_on_random_rules,
        ranges_of_one_group_are_all_found,
        prefixes_of_one_group_nest,
        probes_grow_with_shapes_not_rules,
        builds_once_within_its_room,
        merges_few_changes_as_a_build_would,
    ]
);
