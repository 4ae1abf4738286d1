//! The best suggestions for one member among many: a skill index scores first those who share a
//! skill, and a cheap upper bound passes over the rest once they cannot make the list.

use std::collections::HashMap;

use super::{clamp, max_without_skills, rate, tally, Between, Depth, Mode, Prepared, Suggestion, WEIGHTS};

/// Who offers and who needs each skill among a list of candidates: built once, so that
/// [`top`] scores first the few who share a skill with the viewer instead of checking everyone.
#[derive(Debug, Clone, Default)]
pub struct SkillIndex {
    offered_by: HashMap<String, Vec<u32>>,
    needed_by: HashMap<String, Vec<u32>>,
    len: usize,
}

impl SkillIndex {
    /// Indexes `candidates` by position.
    ///
    /// # Panics
    ///
    /// With more than `u32::MAX` candidates.
    pub fn new(candidates: &[Prepared<'_>]) -> SkillIndex {
        let mut index = SkillIndex { len: candidates.len(), ..SkillIndex::default() };
        for (i, c) in candidates.iter().enumerate() {
            let i = u32::try_from(i).expect("fewer than 2^32 candidates");
            for s in &c.offers {
                index.offered_by.entry((*s).to_owned()).or_default().push(i);
            }
            for s in &c.needs {
                index.needed_by.entry((*s).to_owned()).or_default().push(i);
            }
        }
        index
    }

    /// Candidates who offer something `me` needs or need something `me` offers, ascending.
    fn related(&self, me: &Prepared<'_>) -> Vec<usize> {
        let lists = me
            .needs
            .iter()
            .filter_map(|s| self.offered_by.get(*s))
            .chain(me.offers.iter().filter_map(|s| self.needed_by.get(*s)));
        let mut all: Vec<usize> = lists.flatten().map(|&i| i as usize).collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// The best `limit` suggestions for `me` among `candidates`, best first (ties: lower index
/// first), with reasons worded in `me`'s zone. `index` must have been built from `candidates`.
/// `between(i)` tells what `me` shares with candidate `i`; `skip(i)` leaves one out (blocked,
/// suspended, myself). Candidates without a skill in common are scored only while they could
/// still make the list.
///
/// # Panics
///
/// If `index` was built from a list of another length.
pub fn top<'a>(
    me: &Prepared<'a>,
    candidates: &[Prepared<'a>],
    index: &SkillIndex,
    mode: Mode,
    limit: usize,
    skip: impl Fn(usize) -> bool,
    between: impl Fn(usize) -> Between,
) -> Vec<(usize, Suggestion)> {
    assert_eq!(index.len, candidates.len(), "the skill index belongs to another candidate list");
    if limit == 0 {
        return Vec::new();
    }
    // Ranked by score alone (no reasons worded yet): (score, index), best first.
    let mut best: Vec<(u32, usize)> = Vec::with_capacity(limit + 1);
    let consider = |i: usize, best: &mut Vec<(u32, usize)>, related: bool| {
        let full = best.len() == limit;
        if full && !related {
            // Cheap first: could they beat the last place at all?
            let Some(most) =
                tally(&WEIGHTS, me, &candidates[i], between(i), mode, None, Depth::BoundWithoutSkills)
            else {
                return;
            };
            let most = clamp(most);
            if best.last().is_some_and(|&(s, j)| s > most || (s == most && j < i)) {
                return;
            }
        }
        let Some(total) = tally(&WEIGHTS, me, &candidates[i], between(i), mode, None, Depth::Score) else {
            return;
        };
        let score = clamp(total);
        let ahead = |&(s, j): &(u32, usize)| s > score || (s == score && j < i);
        if full && best.last().is_some_and(ahead) {
            return;
        }
        let at = best.partition_point(ahead);
        best.insert(at, (score, i));
        best.truncate(limit);
    };
    let related = index.related(me);
    for &i in &related {
        if !skip(i) {
            consider(i, &mut best, true);
        }
    }
    // Whoever shares no skill can score at most this; once the list is full of better ones, stop.
    let ceiling = max_without_skills(&WEIGHTS).round() as u32;
    let mut next_related = related.iter().peekable();
    for i in 0..candidates.len() {
        if best.len() == limit && best.last().is_some_and(|&(s, _)| s > ceiling) {
            break;
        }
        if next_related.next_if_eq(&&i).is_some() {
            continue;
        }
        if !skip(i) {
            consider(i, &mut best, false);
        }
    }
    best.into_iter()
        .filter_map(|(_, i)| {
            let scored = rate(&WEIGHTS, me, &candidates[i], between(i), mode)?;
            Some((i, scored.explain(me.member.zone)))
        })
        .collect()
}
