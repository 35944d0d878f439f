// SPDX-License-Identifier: GPL-2.0

//! KUnit: the rule set's bookkeeping and the dump cursor.

use crate::{
    kunit_expect, kunit_expect_eq, kunit_suite,
    model::{Config, Match, Name},
    rule_ops::DumpCursor,
    rules::{Inserted, Key, RuleError, RuleSet},
};
use kernel::prelude::*;

fn cfg(id: Option<u32>, name: Option<&[u8]>) -> Config {
    Config {
        id,
        name: name.and_then(Name::new),
        matcher: Match {
            proto: 6,
            ..Match::default()
        },
        threshold: None,
    }
}

fn name(s: &[u8]) -> Key {
    match Name::new(s) {
        Some(n) => Key::Name(n),
        None => Key::Id(0),
    }
}

fn ids_are_assigned_in_order() {
    let mut set = RuleSet::new(10);
    kunit_expect_eq!(set.insert(cfg(None, None), false), Ok(Inserted::New(1)));
    kunit_expect_eq!(set.insert(cfg(None, None), false), Ok(Inserted::New(2)));
    kunit_expect_eq!(set.insert(cfg(Some(3), None), false), Ok(Inserted::New(3)));
    // The next free id after the last assigned one, skipping taken ones.
    kunit_expect_eq!(set.insert(cfg(None, None), false), Ok(Inserted::New(4)));
    kunit_expect_eq!(set.len(), 4);
}

fn taken_id_needs_replace() {
    let mut set = RuleSet::new(10);
    kunit_expect_eq!(set.insert(cfg(Some(7), None), false), Ok(Inserted::New(7)));
    let gen = set.generation();
    kunit_expect_eq!(
        set.insert(cfg(Some(7), None), false),
        Err(RuleError::IdExists)
    );
    // A refused change is no change.
    kunit_expect_eq!(set.generation(), gen);
    let mut other = cfg(Some(7), Some(b"web"));
    other.matcher.proto = 17;
    kunit_expect_eq!(set.insert(other, true), Ok(Inserted::Replaced(7)));
    kunit_expect!(set.generation() != gen);
    kunit_expect_eq!(set.len(), 1);
    kunit_expect_eq!(set.get(Key::Id(7)).map(|r| r.matcher.proto), Some(17));
    kunit_expect_eq!(set.get(name(b"web")).map(|r| r.id), Some(7));
}

fn names_are_unique() {
    let mut set = RuleSet::new(10);
    kunit_expect!(set.insert(cfg(Some(1), Some(b"a")), false).is_ok());
    // Another id cannot take the name, even when replacing.
    for replace in [false, true] {
        kunit_expect_eq!(
            set.insert(cfg(Some(2), Some(b"a")), replace),
            Err(RuleError::NameExists(1))
        );
    }
    // By name alone, the name's rule is the one replaced.
    kunit_expect_eq!(
        set.insert(cfg(None, Some(b"a")), false),
        Err(RuleError::NameExists(1))
    );
    kunit_expect_eq!(
        set.insert(cfg(None, Some(b"a")), true),
        Ok(Inserted::Replaced(1))
    );
    kunit_expect_eq!(set.len(), 1);
}

fn replace_renames_and_unnames() {
    let mut set = RuleSet::new(10);
    kunit_expect!(set.insert(cfg(Some(1), Some(b"a")), false).is_ok());
    kunit_expect!(set.insert(cfg(Some(1), Some(b"b")), true).is_ok());
    kunit_expect!(set.get(name(b"a")).is_none());
    kunit_expect_eq!(set.get(name(b"b")).map(|r| r.id), Some(1));
    // The old name is free again.
    kunit_expect_eq!(
        set.insert(cfg(Some(2), Some(b"a")), false),
        Ok(Inserted::New(2))
    );
    // Replacing without a name drops it.
    kunit_expect!(set.insert(cfg(Some(1), None), true).is_ok());
    kunit_expect!(set.get(name(b"b")).is_none());
    kunit_expect!(set.get(Key::Id(1)).is_some_and(|r| r.name.is_none()));
}

fn remove_missing_is_not_found() {
    let mut set = RuleSet::new(10);
    kunit_expect!(set.insert(cfg(Some(5), Some(b"x")), false).is_ok());
    let gen = set.generation();
    kunit_expect!(matches!(set.remove(Key::Id(6)), Err(RuleError::NotFound)));
    kunit_expect!(matches!(set.remove(name(b"y")), Err(RuleError::NotFound)));
    kunit_expect_eq!(set.generation(), gen);
    kunit_expect_eq!(set.remove(name(b"x")).ok(), Some(5));
    kunit_expect_eq!(set.len(), 0);
    kunit_expect!(set.get(Key::Id(5)).is_none());
    kunit_expect!(matches!(set.remove(Key::Id(5)), Err(RuleError::NotFound)));
}

fn cap_is_enforced() {
    let mut set = RuleSet::new(2);
    kunit_expect!(set.insert(cfg(None, None), false).is_ok());
    kunit_expect!(set.insert(cfg(None, Some(b"n")), false).is_ok());
    kunit_expect_eq!(set.insert(cfg(None, None), false), Err(RuleError::Full(2)));
    kunit_expect_eq!(
        set.insert(cfg(Some(9), Some(b"m")), false),
        Err(RuleError::Full(2))
    );
    // A refused insert leaves the name free and the count as it was.
    kunit_expect!(set.get(name(b"m")).is_none());
    kunit_expect_eq!(set.len(), 2);
    // Replacing at the cap adds nothing, so it is allowed.
    kunit_expect_eq!(
        set.insert(cfg(Some(1), None), true),
        Ok(Inserted::Replaced(1))
    );
    kunit_expect!(set.remove(Key::Id(1)).is_ok());
    kunit_expect!(set.insert(cfg(None, None), false).is_ok());
}

fn flush_empties_everything() {
    let mut set = RuleSet::new(10);
    for n in [&b"a"[..], b"b", b"c"] {
        kunit_expect!(set.insert(cfg(None, Some(n)), false).is_ok());
    }
    let gen = set.generation();
    kunit_expect_eq!(set.flush(), Ok(3));
    kunit_expect_eq!(set.len(), 0);
    kunit_expect!(set.generation() != gen);
    kunit_expect!(set.get(name(b"b")).is_none());
    // Flushing nothing changes nothing.
    let gen = set.generation();
    kunit_expect_eq!(set.flush(), Ok(0));
    kunit_expect_eq!(set.generation(), gen);
    kunit_expect!(set.insert(cfg(None, Some(b"b")), false).is_ok());
}

fn names_are_bounded() {
    kunit_expect!(Name::new(b"").is_none());
    kunit_expect!(Name::new(&[b'x'; 31]).is_some());
    kunit_expect!(Name::new(&[b'x'; 32]).is_none());
    kunit_expect!(Name::new(b"a\0b").is_none());
    kunit_expect_eq!(
        Name::new(b"web").map(|n| n.as_bytes_with_nul().len()),
        Some(4)
    );
}

/// Dumps `set` in parts of at most `part` rules, as the dump op does,
/// calling `between` after each part; returns the ids seen.
fn paged_dump(
    set: &mut RuleSet,
    part: usize,
    mut between: impl FnMut(&mut RuleSet, usize),
) -> Result<KVec<u32>> {
    let mut seen = KVec::new();
    let mut cursor = DumpCursor::default();
    for round in 0.. {
        if cursor.end {
            break;
        }
        let mut n = 0;
        let full = set.for_each_from(cursor.next, |r| {
            if n == part {
                return Err(EMSGSIZE_STANDIN);
            }
            seen.push(r.id, GFP_KERNEL)?;
            cursor.dumped(r.id);
            n += 1;
            Ok(())
        });
        match full {
            Ok(()) => break,
            Err(e) if e == EMSGSIZE_STANDIN => between(set, round),
            Err(e) => return Err(e),
        }
    }
    Ok(seen)
}

/// Stands in for "the part is full" in [`paged_dump`].
const EMSGSIZE_STANDIN: Error = EAGAIN;

fn dump_cursor_resumes_without_gaps() {
    let mut set = RuleSet::new(100);
    for _ in 0..10 {
        kunit_expect!(set.insert(cfg(None, None), false).is_ok());
    }
    let seen = paged_dump(&mut set, 3, |_, _| {});
    kunit_expect_eq!(
        seen.as_deref().ok(),
        Some(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10][..])
    );
}

fn dump_cursor_survives_changes() {
    let mut set = RuleSet::new(100);
    for _ in 0..10 {
        kunit_expect!(set.insert(cfg(None, None), false).is_ok());
    }
    // After the first part (1..=3): delete 2 (already sent) and 5 (not
    // yet), add 11. Rules present throughout appear once, in order.
    let seen = paged_dump(&mut set, 3, |s, round| {
        if round == 0 {
            let _ = s.remove(Key::Id(2));
            let _ = s.remove(Key::Id(5));
            let _ = s.insert(cfg(None, None), false);
        }
    });
    kunit_expect_eq!(
        seen.as_deref().ok(),
        Some(&[1, 2, 3, 4, 6, 7, 8, 9, 10, 11][..])
    );
}

fn dump_cursor_ends_at_the_last_id() {
    let mut set = RuleSet::new(10);
    kunit_expect!(set.insert(cfg(Some(u32::MAX), None), false).is_ok());
    kunit_expect!(set.insert(cfg(Some(1), None), false).is_ok());
    let seen = paged_dump(&mut set, 1, |_, _| {});
    kunit_expect_eq!(seen.as_deref().ok(), Some(&[1, u32::MAX][..]));
    let mut c = DumpCursor::default();
    c.dumped(u32::MAX);
    kunit_expect!(c.end);
}

kunit_suite!(
    nlrs_rules,
    "nlrs_rules",
    [
        ids_are_assigned_in_order,
        taken_id_needs_replace,
        names_are_unique,
        replace_renames_and_unnames,
        remove_missing_is_not_found,
        cap_is_enforced,
        flush_empties_everything,
        names_are_bounded,
        dump_cursor_resumes_without_gaps,
        dump_cursor_survives_changes,
        dump_cursor_ends_at_the_last_id,
    ]
);
