//! Edmonds' primal–dual blossom algorithm for maximum-weight matching, O(n³), over a dense weight
//! table: Z. Galil, "Efficient algorithms for finding maximum matching in graphs", ACM Computing
//! Surveys 18(1), 1986, §4 (also the basis of J. van Rantwijk's well-known `mwmatching.py`). The
//! data layout follows the compact dense formulation popularised as "UOJ #81": vertices `1..=n`,
//! blossoms `n+1..=2n`, a doubled dual `lab` per vertex and blossom so an edge's slack
//! `lab[u] + lab[v] - 2w` stays an integer, and for each blossom its least-slack edge to each other
//! vertex or blossom.
//!
//! Three departures from that formulation, which restarts the whole search after each augmentation
//! (n/2 times, each costing a rescan of every free vertex's row):
//!
//! - **The search forest is kept.** After augmenting between two trees, only those two trees are
//!   retired: they are skipped until the duals next have to move, then unlabelled in bulk (all
//!   their vertices are matched now, a valid state for the primal–dual method) and the
//!   least-slack edges that belonged to them or started in them are recomputed, once each.
//! - **Least-slack edges are cached** as `lab[S-vertex] + shift - 2w`, which does not change while
//!   the S-vertex stays S (all S-vertices move together by the dual step, summed in `shift`), so
//!   the hot scan never reads a far row of the weight table to compare against the current best.
//! - **A greedy start** matches free pairs joined by a heaviest edge; those edges are tight under
//!   the starting duals, so this only does up front what the first scans would do.
//!
//! Private to [`super`], which owns the public API and its documentation.

use std::collections::VecDeque;

/// Mates of a maximum-weight matching: `weights` is the symmetric `(n+1)²` table with row and column
/// 0 all zero (0 = no edge, at least one edge positive); `mate[v]` is `v`'s partner or 0.
pub(super) fn max_weight_mates(n: usize, weights: Vec<u32>) -> Vec<usize> {
    Blossom::new(n, weights).solve()
}

/// "No edge" in a blossom's table of best edges.
const NONE: (u32, u32) = (0, 0);

/// Working state. Index 0 means "none"; real vertices are `1..=n`, blossoms `n+1..=nx`.
#[derive(Debug)]
struct Blossom {
    n: usize,
    nx: usize,
    /// `(n+1)²` weights between real vertices, symmetric; row and column 0 stay 0.
    w: Vec<u32>,
    /// Doubled dual of each vertex and blossom.
    lab: Vec<i64>,
    /// For a top-level blossom or vertex: the real vertex its base is matched to, or 0.
    mate: Vec<usize>,
    /// The real S-vertex with the least-slack edge to this top-level blossom, or 0.
    slack: Vec<usize>,
    /// That edge's real endpoint inside the blossom.
    slack_end: Vec<usize>,
    /// That edge as `lab[S-vertex] + shift - 2w`, which stays put while the S-vertex stays S.
    slack_key: Vec<i64>,
    /// How far S-vertex duals have been lowered so far.
    shift: i64,
    /// The top-level blossom containing each vertex or blossom (0 for an unused blossom index).
    st: Vec<usize>,
    /// For a T-blossom: the real S-vertex it was reached from.
    pa: Vec<usize>,
    /// Label of a top-level blossom: -1 unlabelled, 0 outer (S), 1 inner (T).
    s: Vec<i8>,
    /// For a labelled top-level blossom: the root its tree grew from.
    tree: Vec<usize>,
    vis: Vec<usize>,
    stamp: usize,
    /// A blossom's sub-blossoms around its cycle, starting at the base.
    flower: Vec<Vec<usize>>,
    /// For blossom `b` (at `b - n - 1`): the least-slack real edge `(inside b, inside x)` to each `x`.
    best: Vec<Vec<(u32, u32)>>,
    /// For blossom `b` (at `b - n - 1`): which sub-blossom contains each real vertex, or 0.
    from: Vec<Vec<u32>>,
    queue: VecDeque<usize>,
    /// Trees still growing, one per free vertex.
    trees: usize,
    /// Trees augmented since the last dual step, by root; they are skipped until then.
    dead: Vec<bool>,
    /// Roots of the dead trees.
    dead_roots: Vec<usize>,
    /// Scratch list of top-level blossoms whose least-slack edge must be recomputed.
    retired: Vec<usize>,
}

impl Blossom {
    fn new(n: usize, w: Vec<u32>) -> Self {
        let size = 2 * n + 1;
        let w_max = i64::from(w.iter().copied().max().unwrap_or(0));
        let mut lab = vec![0; size];
        lab[1..=n].fill(w_max);
        Blossom {
            n,
            nx: n,
            w,
            lab,
            mate: vec![0; size],
            slack: vec![0; size],
            slack_end: vec![0; size],
            slack_key: vec![0; size],
            shift: 0,
            st: (0..size).map(|x| if x <= n { x } else { 0 }).collect(),
            pa: vec![0; size],
            s: vec![-1; size],
            tree: vec![0; size],
            vis: vec![0; size],
            stamp: 0,
            flower: vec![Vec::new(); size],
            best: Vec::new(),
            from: Vec::new(),
            queue: VecDeque::new(),
            trees: 0,
            dead: vec![false; size],
            dead_roots: Vec::new(),
            retired: Vec::new(),
        }
    }

    fn solve(mut self) -> Vec<usize> {
        // Every vertex starts free, as the root of its own tree.
        for x in 1..=self.n {
            (self.s[x], self.tree[x]) = (0, x);
            self.queue.push_back(x);
        }
        self.trees = self.n;
        self.seed_greedily();
        loop {
            while let Some(u) = self.queue.pop_front() {
                let su = self.st[u];
                if self.s[su] == 0 && !self.is_dead(su) {
                    self.scan(u);
                }
            }
            if self.trees == 0 {
                break;
            }
            self.retire_dead_trees();
            if !self.adjust_duals() {
                break;
            }
            for x in 1..=self.nx {
                if self.st[x] == x && self.slack[x] != 0 && self.slack_value(x) == 0 {
                    let (a, c) = (self.slack[x], self.slack_end[x]);
                    let sa = self.st[a];
                    // An augmentation earlier in this loop may have retired either tree.
                    if sa != x && self.s[sa] == 0 && !self.is_dead(sa) && !self.is_dead(x) {
                        self.on_tight_edge(a, c);
                    }
                }
            }
            for b in self.n + 1..=self.nx {
                if self.st[b] == b && self.s[b] == 1 && self.lab[b] == 0 && !self.is_dead(b) {
                    self.expand_blossom(b);
                }
            }
        }
        self.mate.truncate(self.n + 1);
        self.mate
    }

    /// Matches, greedily, pairs of free vertices joined by an edge of the largest weight: those
    /// edges are tight under the starting duals, so this is what the first scans would do, without
    /// growing trees through vertices that are already matched.
    fn seed_greedily(&mut self) {
        let stride = self.n + 1;
        for u in 1..=self.n {
            if self.mate[u] != 0 {
                continue;
            }
            let row = &self.w[u * stride + 1..(u + 1) * stride];
            let tight = |v: usize| 2 * i64::from(row[v - 1]) == self.lab[u] + self.lab[v];
            if let Some(v) = (u + 1..=self.n).find(|&v| self.mate[v] == 0 && tight(v)) {
                (self.mate[u], self.mate[v]) = (v, u);
                (self.s[u], self.s[v]) = (-1, -1);
                self.trees -= 2;
            }
        }
    }

    /// The real edge `(inside x, inside y)` that stands for the pair of (possibly) blossoms `x`, `y`.
    fn edge(&self, x: usize, y: usize) -> (usize, usize) {
        if x > self.n {
            let (a, c) = self.best[x - self.n - 1][y];
            (a as usize, c as usize)
        } else if y > self.n {
            let (a, c) = self.best[y - self.n - 1][x];
            (c as usize, a as usize)
        } else {
            (x, y)
        }
    }

    fn weight(&self, (a, c): (usize, usize)) -> u32 {
        self.w[a * (self.n + 1) + c]
    }

    fn slack_of(&self, e: (usize, usize)) -> i64 {
        self.lab[e.0] + self.lab[e.1] - 2 * i64::from(self.weight(e))
    }

    fn is_dead(&self, x: usize) -> bool {
        self.s[x] != -1 && self.dead[self.tree[x]]
    }

    /// Current slack of top-level `x`'s least-slack edge (meaningful when `slack[x] != 0`).
    fn slack_value(&self, x: usize) -> i64 {
        self.slack_key[x] - self.shift + self.lab[self.slack_end[x]]
    }

    /// Offers the edge from S-vertex `u` to real vertex `c` inside top-level `x`, of weight `w`.
    fn update_slack(&mut self, u: usize, x: usize, c: usize, w: u32) {
        let key = self.lab[u] + self.shift - 2 * i64::from(w);
        if self.slack[x] == 0 || key + self.lab[c] < self.slack_key[x] + self.lab[self.slack_end[x]] {
            (self.slack[x], self.slack_end[x], self.slack_key[x]) = (u, c, key);
        }
    }

    fn set_slack(&mut self, x: usize) {
        self.slack[x] = 0;
        let stride = self.n + 1;
        for u in 1..=self.n {
            if self.st[u] == x || self.s[self.st[u]] != 0 {
                continue;
            }
            // Read along a row, not down a column: the table is symmetric, and a column walk
            // misses the cache on every step.
            let c = if x <= self.n { x } else { self.best[x - self.n - 1][u].0 as usize };
            let w = self.w[c * stride + u];
            if w > 0 {
                self.update_slack(u, x, c, w);
            }
        }
    }

    fn push(&mut self, x: usize) {
        if x <= self.n {
            self.queue.push_back(x);
        } else {
            for i in 0..self.flower[x].len() {
                self.push(self.flower[x][i]);
            }
        }
    }

    fn set_st(&mut self, x: usize, b: usize) {
        self.st[x] = b;
        if x > self.n {
            for i in 0..self.flower[x].len() {
                self.set_st(self.flower[x][i], b);
            }
        }
    }

    /// Position of `xr` in `b`'s cycle, reversing the cycle if needed so the position is even.
    fn even_position(&mut self, b: usize, xr: usize) -> usize {
        let flower = &mut self.flower[b];
        let pr = flower.iter().position(|&x| x == xr).expect("xr is a sub-blossom of b");
        if pr % 2 == 1 {
            flower[1..].reverse();
            flower.len() - pr
        } else {
            pr
        }
    }

    fn set_match(&mut self, u: usize, v: usize) {
        let (a, c) = self.edge(u, v);
        self.mate[u] = c;
        if u > self.n {
            let xr = self.from[u - self.n - 1][a] as usize;
            let pr = self.even_position(u, xr);
            for i in 0..pr {
                self.set_match(self.flower[u][i], self.flower[u][i ^ 1]);
            }
            self.set_match(xr, v);
            self.flower[u].rotate_left(pr);
        }
    }

    fn augment(&mut self, mut u: usize, mut v: usize) {
        loop {
            let next_v = self.st[self.mate[u]];
            self.set_match(u, v);
            if next_v == 0 {
                return;
            }
            let next_u = self.st[self.pa[next_v]];
            self.set_match(next_v, next_u);
            (u, v) = (next_u, next_v);
        }
    }

    /// The base where the tree paths from `u` and `v` meet, or 0 if they are in different trees.
    fn lowest_common_ancestor(&mut self, mut u: usize, mut v: usize) -> usize {
        self.stamp += 1;
        while u != 0 || v != 0 {
            if u != 0 {
                if self.vis[u] == self.stamp {
                    return u;
                }
                self.vis[u] = self.stamp;
                u = self.st[self.mate[u]];
                if u != 0 {
                    u = self.st[self.pa[u]];
                }
            }
            std::mem::swap(&mut u, &mut v);
        }
        0
    }

    fn add_blossom(&mut self, u: usize, lca: usize, v: usize) {
        let n = self.n;
        let mut b = n + 1;
        while b <= self.nx && self.st[b] != 0 {
            b += 1;
        }
        if b > self.nx {
            self.nx += 1;
            self.best.push(vec![NONE; 2 * n + 1]);
            self.from.push(vec![0; n + 1]);
        }
        (self.lab[b], self.s[b], self.tree[b], self.mate[b]) = (0, 0, self.tree[lca], self.mate[lca]);
        let mut flower = std::mem::take(&mut self.flower[b]);
        flower.clear();
        flower.push(lca);
        for (start, reverse) in [(u, true), (v, false)] {
            let mut x = start;
            while x != lca {
                let y = self.st[self.mate[x]];
                flower.extend([x, y]);
                self.push(y);
                x = self.st[self.pa[y]];
            }
            if reverse {
                flower[1..].reverse();
            }
        }
        self.flower[b] = flower;
        self.set_st(b, b);

        self.best[b - n - 1].fill(NONE);
        self.from[b - n - 1].fill(0);
        for x in n + 1..=self.nx {
            self.best[x - n - 1][b] = NONE;
        }
        for i in 0..self.flower[b].len() {
            let xs = self.flower[b][i];
            for x in (1..=self.nx).filter(|&x| x != b) {
                let candidate = self.edge(xs, x);
                if self.weight(candidate) == 0 {
                    continue;
                }
                let current = self.edge(b, x);
                if current == (0, 0) || self.slack_of(candidate) < self.slack_of(current) {
                    let (a, c) = (candidate.0 as u32, candidate.1 as u32);
                    self.best[b - n - 1][x] = (a, c);
                    if x > n {
                        self.best[x - n - 1][b] = (c, a);
                    }
                }
            }
            if xs <= n {
                self.from[b - n - 1][xs] = xs as u32;
            } else {
                for x in 1..=n {
                    if self.from[xs - n - 1][x] != 0 {
                        self.from[b - n - 1][x] = xs as u32;
                    }
                }
            }
        }
        self.set_slack(b);
    }

    /// Dissolves T-blossom `b` whose dual has reached zero, relabelling its sub-blossoms.
    fn expand_blossom(&mut self, b: usize) {
        // The sub-blossoms still carry labels from before they were absorbed, possibly from a
        // tree retired since; clear them so no stale S-vertex is taken as a slack source.
        for i in 0..self.flower[b].len() {
            let child = self.flower[b][i];
            self.set_st(child, child);
            self.s[child] = -1;
        }
        let xr = self.from[b - self.n - 1][self.edge(b, self.pa[b]).0] as usize;
        let pr = self.even_position(b, xr);
        let tree = self.tree[b];
        for i in (0..pr).step_by(2) {
            let (xs, xns) = (self.flower[b][i], self.flower[b][i + 1]);
            self.pa[xs] = self.edge(xns, xs).0;
            (self.s[xs], self.s[xns]) = (1, 0);
            (self.tree[xs], self.tree[xns]) = (tree, tree);
            self.slack[xs] = 0;
            self.set_slack(xns);
            self.push(xns);
        }
        (self.s[xr], self.pa[xr], self.tree[xr]) = (1, self.pa[b], tree);
        for i in pr + 1..self.flower[b].len() {
            let xs = self.flower[b][i];
            self.s[xs] = -1;
            self.set_slack(xs);
        }
        self.st[b] = 0;
    }

    /// Acts on the tight edge `(a, c)` from S-vertex `a`: grows a tree, forms a blossom or
    /// augments. Returns whether it augmented (after which `a`'s tree is dead).
    fn on_tight_edge(&mut self, a: usize, c: usize) -> bool {
        let (u, v) = (self.st[a], self.st[c]);
        match self.s[v] {
            -1 => {
                let nu = self.st[self.mate[v]];
                (self.pa[v], self.s[v], self.s[nu]) = (a, 1, 0);
                (self.tree[v], self.tree[nu]) = (self.tree[u], self.tree[u]);
                (self.slack[v], self.slack[nu]) = (0, 0);
                self.push(nu);
            }
            0 => match self.lowest_common_ancestor(u, v) {
                0 => {
                    let (tu, tv) = (self.tree[u], self.tree[v]);
                    self.augment(u, v);
                    self.augment(v, u);
                    (self.dead[tu], self.dead[tv]) = (true, true);
                    self.dead_roots.extend([tu, tv]);
                    self.trees -= 2;
                    return true;
                }
                lca => self.add_blossom(u, lca, v),
            },
            _ => {}
        }
        false
    }

    /// Unlabels the trees augmented since the last dual step (all their vertices are matched now,
    /// which is a valid state for the primal–dual method) and recomputes every least-slack edge
    /// that belonged to them or started from one of their S-vertices. Done in bulk, just before
    /// the duals move, so that each of those edges is recomputed once however many trees died.
    fn retire_dead_trees(&mut self) {
        if self.dead_roots.is_empty() {
            return;
        }
        let mut retired = std::mem::take(&mut self.retired);
        retired.clear();
        for x in 1..=self.nx {
            if self.st[x] == x && self.is_dead(x) {
                (self.s[x], self.slack[x]) = (-1, 0);
                retired.push(x);
            }
        }
        for x in 1..=self.nx {
            let from = self.slack[x];
            if self.st[x] == x && from != 0 && self.s[self.st[from]] != 0 {
                retired.push(x);
            }
        }
        for &x in &retired {
            self.set_slack(x);
        }
        self.retired = retired;
        for root in std::mem::take(&mut self.dead_roots) {
            self.dead[root] = false;
        }
    }

    /// Scans the edges of S-vertex `u`, acting on tight ones and recording the least slack of
    /// the others.
    fn scan(&mut self, u: usize) {
        let row = u * (self.n + 1);
        for v in 1..=self.n {
            let w = self.w[row + v];
            let sv = self.st[v];
            if w == 0 || self.st[u] == sv || self.is_dead(sv) {
                continue;
            }
            if self.lab[u] + self.lab[v] == 2 * i64::from(w) {
                if self.on_tight_edge(u, v) {
                    return;
                }
            } else {
                self.update_slack(u, sv, v, w);
            }
        }
    }

    /// Moves the duals by the largest step that keeps them feasible, making at least one more
    /// edge tight or one T-blossom's dual zero. Returns false instead once the free vertices'
    /// duals would reach zero: then no augmenting path can add weight, and the matching is optimal.
    fn adjust_duals(&mut self) -> bool {
        let (n, nx) = (self.n, self.nx);
        let mut d = i64::MAX;
        for b in n + 1..=nx {
            if self.st[b] == b && self.s[b] == 1 {
                d = d.min(self.lab[b] / 2);
            }
        }
        for x in (1..=nx).filter(|&x| self.st[x] == x && self.slack[x] != 0) {
            match self.s[x] {
                -1 => d = d.min(self.slack_value(x)),
                0 => d = d.min(self.slack_value(x) / 2),
                _ => {}
            }
        }
        // Free vertices are S-roots and carry the smallest dual of all. Decide before moving
        // anything: `d` may still be unbounded here.
        let lowest_outer = (1..=n).filter(|&u| self.s[self.st[u]] == 0).map(|u| self.lab[u]).min();
        if lowest_outer.is_none_or(|lowest| lowest <= d) {
            return false;
        }
        for u in 1..=n {
            match self.s[self.st[u]] {
                0 => self.lab[u] -= d,
                1 => self.lab[u] += d,
                _ => {}
            }
        }
        for b in (n + 1..=nx).filter(|&b| self.st[b] == b) {
            match self.s[b] {
                0 => self.lab[b] += 2 * d,
                1 => self.lab[b] -= 2 * d,
                _ => {}
            }
        }
        self.shift += d;
        true
    }
}
