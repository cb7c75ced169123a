//! Elementary cycles of a directed graph, each reported once, starting at
//! its smallest node.

/// Most cycles listed per graph; a tangle beyond that is reported as such.
pub const MAX_CYCLES: usize = 100;
/// DFS steps before giving up listing (the count of simple paths can
/// explode in a dense tangle).
const MAX_STEPS: usize = 1_000_000;

/// Strongly connected components (Tarjan): `comp[v]` is v's component.
fn components(adj: &[Vec<usize>]) -> Vec<usize> {
    struct St<'g> {
        adj: &'g [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        stack: Vec<usize>,
        on_stack: Vec<bool>,
        comp: Vec<usize>,
        next: usize,
        comps: usize,
    }
    fn visit(s: &mut St, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &s.adj[v] {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                s.comp[w] = s.comps;
                if w == v {
                    break;
                }
            }
            s.comps += 1;
        }
    }
    let n = adj.len();
    let mut s = St {
        adj,
        index: vec![None; n],
        low: vec![0; n],
        stack: Vec::new(),
        on_stack: vec![false; n],
        comp: vec![0; n],
        next: 0,
        comps: 0,
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.comp
}

struct Search<'g> {
    adj: &'g [Vec<usize>],
    comp: Vec<usize>,
    path: Vec<usize>,
    on_path: Vec<bool>,
    found: Vec<Vec<usize>>,
    steps: usize,
}

impl Search<'_> {
    /// Extends `path` (which starts at `start`) through nodes greater than
    /// `start` in its component; records every way back to `start`.
    fn dfs(&mut self, start: usize, v: usize) {
        let adj = self.adj;
        for &w in &adj[v] {
            self.steps += 1;
            if self.found.len() >= MAX_CYCLES || self.steps > MAX_STEPS {
                return;
            }
            if w == start {
                self.found.push(self.path.clone());
            } else if w > start && !self.on_path[w] && self.comp[w] == self.comp[start] {
                self.path.push(w);
                self.on_path[w] = true;
                self.dfs(start, w);
                self.on_path[w] = false;
                self.path.pop();
            }
        }
    }
}

/// Every elementary cycle of the graph (`adj[v]`: v's successors, no self
/// loops), as node lists starting at the smallest node, in order; and
/// whether the listing stopped early (see [`MAX_CYCLES`]).
pub fn cycles(adj: &[Vec<usize>]) -> (Vec<Vec<usize>>, bool) {
    let mut s = Search {
        adj,
        comp: components(adj),
        path: Vec::new(),
        on_path: vec![false; adj.len()],
        found: Vec::new(),
        steps: 0,
    };
    for start in 0..adj.len() {
        s.path = vec![start];
        s.dfs(start, start);
    }
    let truncated = s.found.len() >= MAX_CYCLES || s.steps > MAX_STEPS;
    (s.found, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_cycle_once() {
        // 0 <-> 1, 1 -> 2 -> 3 -> 1, 4 -> 0 (no cycle through 4).
        let adj = vec![vec![1], vec![0, 2], vec![3], vec![1], vec![0]];
        let (found, truncated) = cycles(&adj);
        assert_eq!(found, vec![vec![0, 1], vec![1, 2, 3]]);
        assert!(!truncated);
    }

    #[test]
    fn acyclic_graph_has_none() {
        let adj = vec![vec![1, 2], vec![2], vec![]];
        assert_eq!(cycles(&adj), (vec![], false));
    }
}
