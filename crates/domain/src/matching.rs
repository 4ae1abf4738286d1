//! Maximum-weight matching on a general graph: who pairs with whom among the members who booked the
//! same coworking slot.
//!
//! Any member may pair with any other, so the compatibility graph is not bipartite and the Hungarian
//! method does not apply; the work is done by Edmonds' blossom algorithm in [`blossom`].
//!
//! Written here rather than taken from crates.io: `integer-blossom` 1.2.1 and `mwmatching` 0.1.1
//! both give correct answers, but on one dense slot of 2,000 bookings the first took 4.2 s and the
//! second 5 s for only 1,000. Both restart the search after every augmentation; see [`blossom`] for
//! what this one does instead.

mod blossom;

/// Pairs members for maximum total weight: `n` members numbered `0..n`, `edges` the allowed
/// pairs `(i, j, weight)`. Returns the chosen pairs as `(i, j)` with `i < j`, sorted.
///
/// Only listed pairs may be matched; a pair that is missing (say, one member blocked the other)
/// is never chosen. A member may be left unpaired, and the result is the matching with the
/// largest total weight, not the one with the most pairs. An edge of weight 0 is treated as
/// missing: it could not add anything to the total. If a pair is listed twice, the higher
/// weight counts. Among matchings of equal weight, which one is returned is unspecified (but
/// the same for the same input).
///
/// Runs in O(n³) time and O(n²) memory whatever the number of edges (16 MB for 2,000 members).
///
/// # Panics
///
/// If an edge names a member outside `0..n` or pairs a member with themself.
pub fn pair(n: usize, edges: &[(usize, usize, u32)]) -> Vec<(usize, usize)> {
    // Vertices are numbered from 1 inside, so that 0 can mean "none".
    let mut weights = vec![0u32; (n + 1) * (n + 1)];
    let mut any = false;
    for &(i, j, w) in edges {
        assert!(i < n && j < n, "edge ({i}, {j}) names a member outside 0..{n}");
        assert_ne!(i, j, "member {i} cannot be paired with themself");
        let (a, b) = (i + 1, j + 1);
        let w = weights[a * (n + 1) + b].max(w);
        weights[a * (n + 1) + b] = w;
        weights[b * (n + 1) + a] = w;
        any |= w > 0;
    }
    if !any {
        return Vec::new();
    }
    let mate = blossom::max_weight_mates(n, weights);
    (1..=n).filter(|&u| mate[u] > u).map(|u| (u - 1, mate[u] - 1)).collect()
}
