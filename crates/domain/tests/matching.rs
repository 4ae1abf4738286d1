//! Pairing the members of one coworking slot: the matching must have the largest total weight there
//! is, checked against every possible matching on small slots, and must only pair allowed pairs.

use std::collections::HashMap;

use domain::matching::pair;
use proptest::collection::vec;
use proptest::prelude::*;

/// Total weight of `pairs`, after checking they form a matching that uses only allowed edges.
fn checked_total(n: usize, edges: &[(usize, usize, u32)], pairs: &[(usize, usize)]) -> u64 {
    let weight: HashMap<(usize, usize), u32> =
        edges.iter().map(|&(i, j, w)| ((i.min(j), i.max(j)), w)).filter(|&(_, w)| w > 0).collect();
    let mut taken = vec![false; n];
    let mut total = 0;
    for &(i, j) in pairs {
        assert!(i < j && j < n, "pair ({i}, {j}) is not ordered within 0..{n}");
        assert!(!taken[i] && !taken[j], "a member is paired twice in {pairs:?}");
        (taken[i], taken[j]) = (true, true);
        total += u64::from(*weight.get(&(i, j)).unwrap_or_else(|| panic!("({i}, {j}) is not allowed")));
    }
    total
}

/// The best total over all matchings, by trying every one: the lowest unpaired member either
/// stays alone or pairs with each allowed later member in turn.
fn brute_force_best(n: usize, edges: &[(usize, usize, u32)]) -> u64 {
    let mut w = vec![vec![0u64; n]; n];
    for &(i, j, x) in edges {
        (w[i][j], w[j][i]) = (u64::from(x), u64::from(x));
    }
    fn best(w: &[Vec<u64>], free: &mut [bool]) -> u64 {
        let Some(i) = free.iter().position(|&f| f) else { return 0 };
        free[i] = false;
        let mut top = best(w, free);
        for j in i + 1..free.len() {
            if free[j] && w[i][j] > 0 {
                free[j] = false;
                top = top.max(w[i][j] + best(w, free));
                free[j] = true;
            }
        }
        free[i] = true;
        top
    }
    best(&w, &mut vec![true; n])
}

/// Up to 12 members, each pair allowed with some probability, weights from one of three ranges:
/// tiny (many ties, so many blossoms), moderate, and near `u32::MAX` (overflow). Weight 0 appears
/// too and must count as "not allowed".
fn slot() -> impl Strategy<Value = (usize, Vec<(usize, usize, u32)>)> {
    (0usize..=12, 0.1f64..=1.0, prop_oneof![Just(3u32), Just(1_000), Just(u32::MAX)]).prop_flat_map(
        |(n, density, max)| {
            let pairs: Vec<(usize, usize)> = (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).collect();
            let count = pairs.len();
            vec(prop::option::weighted(density, 0..=max), count).prop_map(move |weights| {
                let edges = pairs
                    .iter()
                    .zip(weights)
                    .filter_map(|(&(i, j), w)| {
                        w.map(|w| if (i + j) % 2 == 0 { (i, j, w) } else { (j, i, w) })
                    })
                    .collect();
                (n, edges)
            })
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn pairing_reaches_the_best_total_of_all_matchings((n, edges) in slot()) {
        let pairs = pair(n, &edges);
        prop_assert_eq!(checked_total(n, &edges, &pairs), brute_force_best(n, &edges));
    }
}

#[test]
fn a_triangle_pairs_its_heaviest_edge_and_leaves_one_alone() {
    assert_eq!(pair(3, &[(0, 1, 5), (1, 2, 4), (0, 2, 3)]), [(0, 1)]);
}

#[test]
fn an_odd_cycle_beats_taking_the_heaviest_edge_first() {
    // Greedy takes 1–2 (6) and then only a weight-1 edge: 7. The best is 0–1 and 2–3: 10.
    let cycle = [(0, 1, 5), (1, 2, 6), (2, 3, 5), (3, 4, 1), (4, 0, 1)];
    assert_eq!(pair(5, &cycle), [(0, 1), (2, 3)]);
}

#[test]
fn a_blossom_is_used_to_reach_a_stem() {
    // Triangle 0–1–2 with a stem 2–3: the heaviest edge 1–2 (10) would strand 0 and 3.
    assert_eq!(pair(4, &[(0, 1, 8), (0, 2, 9), (1, 2, 10), (2, 3, 7)]), [(0, 1), (2, 3)]);
}

#[test]
fn nested_blossoms_are_formed_relabelled_and_expanded() {
    // From J. van Rantwijk's regression tests for mwmatching.py ("create nested S-blossom,
    // relabel as T, expand"), renumbered from 0.
    let edges = [
        (0, 1, 19),
        (0, 2, 20),
        (0, 7, 8),
        (1, 2, 25),
        (1, 3, 18),
        (2, 4, 18),
        (3, 4, 13),
        (3, 6, 7),
        (4, 5, 7),
    ];
    assert_eq!(pair(8, &edges), [(0, 7), (1, 2), (3, 6), (4, 5)]);
}

#[test]
fn the_heaviest_matching_can_have_fewer_pairs() {
    // Two pairs would weigh 1 + 1; the middle pair alone weighs 10.
    assert_eq!(pair(4, &[(0, 1, 1), (1, 2, 10), (2, 3, 1)]), [(1, 2)]);
}

#[test]
fn the_search_stops_cleanly_when_nothing_bounds_the_last_dual_step() {
    // Found by the property test: after 0 pairs with 1 or 2, the one left over has no edge to
    // any free member, so only its own dual bounds the step (an overflow in debug builds).
    let pairs = pair(3, &[(1, 0, 1), (0, 2, 1)]);
    assert!(pairs == [(0, 1)] || pairs == [(0, 2)], "{pairs:?}");
}

#[test]
fn an_empty_slot_has_no_pairs() {
    assert_eq!(pair(0, &[]), []);
    assert_eq!(pair(1, &[]), []);
}

#[test]
fn members_with_no_allowed_pairs_stay_alone() {
    assert_eq!(pair(5, &[]), []);
}

#[test]
fn a_weight_zero_edge_is_never_used() {
    assert_eq!(pair(2, &[(0, 1, 0)]), []);
    assert_eq!(pair(4, &[(0, 1, 0), (2, 3, 4)]), [(2, 3)]);
}

#[test]
fn a_pair_listed_twice_counts_at_its_higher_weight() {
    // At weight 2, 0–1 would lose to 1–2 (3); at 5 it wins together with nothing else.
    assert_eq!(pair(3, &[(0, 1, 2), (1, 2, 3), (1, 0, 5)]), [(0, 1)]);
}

#[test]
fn the_largest_weights_do_not_overflow() {
    let max = u32::MAX;
    assert_eq!(pair(4, &[(0, 1, max), (1, 2, max), (2, 3, max), (0, 3, max - 1)]), [(0, 1), (2, 3)]);
}

#[test]
#[should_panic(expected = "outside 0..3")]
fn an_edge_to_a_member_outside_the_slot_is_a_bug() {
    pair(3, &[(0, 3, 1)]);
}

#[test]
#[should_panic(expected = "themself")]
fn pairing_a_member_with_themself_is_a_bug() {
    pair(3, &[(1, 1, 1)]);
}
