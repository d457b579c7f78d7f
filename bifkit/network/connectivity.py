"""Random connectivity with prescribed in-degrees, stored as sorted out-lists.

An event-driven simulator needs, for every spiking neuron, the list of its targets. We draw the
*in*-lists (each neuron picks its presynaptic partners, which is how in-degrees are prescribed in
Bi et al. 2021, Sec. 2.1, and in Ullner et al. 2018) and transpose them into CSR out-lists whose
targets are sorted, so that targets of one population form one contiguous segment (the populations
occupy contiguous index ranges).

In-degree laws (one per (post, pre) population block):

- ``("fixed", K)``: every neuron has exactly K partners (sampled without replacement, no autapses).
- ``("lorentz", K, hwhm)``: k = round(K + hwhm * tan(pi (u - 1/2))), redrawn while outside
  [0, n_pre - (1 if same population)] -- a truncated Lorentzian of median K and half width hwhm
  (Bi et al. 2021, eq. 3, with hwhm = D sqrt(K)).
- ``("binomial", K)``: Erdos-Renyi, k ~ Binomial(n_pre, K/n_pre).

Partial symmetry (seed 000, first abstract): ``reciprocity=r`` makes, within each population, a
fraction about r of the links reciprocated (beyond the chance level K/N): before the random fill,
each neuron j proposes round(r k_j / 2) partners i with free in-slots, and the pair gets both links
i -> j and j -> i. In-degrees are kept exactly (a proposal is dropped if either side is full).

All randomness comes from the numba generator seeded with ``seed``: the same seed gives the same
network bit for bit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit


@dataclass(frozen=True)
class Connectivity:
    """Sorted out-lists of a network with contiguous populations.

    Attributes
    ----------
    sizes : tuple of int
        Population sizes; population y holds neurons ``starts[y] <= j < starts[y + 1]``.
    starts : ndarray of int64, shape (P + 1,)
    seg : ndarray of int64, shape (N, P + 1)
        ``targets[seg[j, y]:seg[j, y + 1]]`` are the targets of neuron j in population y.
    targets : ndarray of uint32 (unsigned: numba then skips negative-index wraparound)
        Concatenated sorted out-lists.
    indegree : ndarray of int64, shape (N, P)
        ``indegree[i, y]`` = number of presynaptic partners of i in population y.
    """

    sizes: tuple
    starts: np.ndarray
    seg: np.ndarray
    targets: np.ndarray
    indegree: np.ndarray

    @property
    def n(self) -> int:
        return int(self.starts[-1])

    @property
    def n_synapses(self) -> int:
        return int(self.targets.size)

    def outdegree(self) -> np.ndarray:
        """Out-degree of every neuron (all target populations together)."""
        return self.seg[:, -1] - self.seg[:, 0]

    def reciprocity(self) -> float:
        """Fraction of links j -> i for which i -> j exists too (O(E log E), for checks)."""
        src = np.repeat(np.arange(self.n, dtype=np.int64), self.outdegree())
        key = src * self.n + self.targets
        rev = self.targets.astype(np.int64) * self.n + src
        return float(np.isin(rev, key).mean()) if key.size else 0.0


_LAWS = {"fixed": 0, "lorentz": 1, "binomial": 2}


@njit(cache=True)
def _seed(seed):
    np.random.seed(seed)


@njit(cache=True)
def _draw_degrees(n_post, n_pre, same, law, K, hwhm):
    kmax = n_pre - 1 if same else n_pre
    out = np.empty(n_post, np.int64)
    for i in range(n_post):
        if law == 0:
            k = int(K)
        elif law == 1:
            while True:
                k = int(np.round(K + hwhm * np.tan(np.pi * (np.random.random() - 0.5))))
                if 0 <= k <= kmax:
                    break
        else:
            k = np.random.binomial(kmax, min(1.0, K / kmax))
        out[i] = k
    return out


@njit(cache=True)
def _fill_block(inlist, bptr, fill, deg, pre0, n_post, n_pre, same, recip, perm, mark, stamp):
    """Fill the in-lists of one (post, pre) block.

    ``inlist[bptr[i]:bptr[i] + deg[i]]`` receives the partners of post i (global indices);
    ``perm`` is a scratch permutation of range(n_pre), ``mark``/``stamp`` a membership marker.
    """
    # 1. reciprocated pairs (same population only)
    if same and recip > 0.0:
        for jj in range(n_post):
            want = int(np.round(recip * deg[jj] * 0.5))
            for _ in range(want):
                ii = np.random.randint(n_pre)
                if ii == jj or fill[ii] >= deg[ii] or fill[jj] >= deg[jj]:
                    continue
                # duplicate check (linear in the current fill, the lists are short at this stage)
                dup = False
                for m in range(fill[jj]):
                    if inlist[bptr[jj] + m] == pre0 + ii:
                        dup = True
                        break
                if dup:
                    continue
                inlist[bptr[jj] + fill[jj]] = pre0 + ii
                fill[jj] += 1
                inlist[bptr[ii] + fill[ii]] = pre0 + jj
                fill[ii] += 1
    # 2. random fill without replacement (partial Fisher-Yates on a persistent permutation,
    #    which yields uniform subsets from any starting order)
    for ii in range(n_post):
        stamp += 1
        for m in range(fill[ii]):
            mark[inlist[bptr[ii] + m] - pre0] = stamp
        if same:
            mark[ii] = stamp
        need = deg[ii] - fill[ii]
        top = 0
        while need > 0 and top < n_pre:
            r = top + np.random.randint(n_pre - top)
            tmp = perm[top]
            perm[top] = perm[r]
            perm[r] = tmp
            cand = perm[top]
            top += 1
            if mark[cand] == stamp:
                continue
            mark[cand] = stamp
            inlist[bptr[ii] + fill[ii]] = pre0 + cand
            fill[ii] += 1
            need -= 1
    return stamp


@njit(cache=True)
def _transpose(inlist_flat, inptr, n, starts, npop):
    """In-lists (flat) -> sorted CSR out-lists and population segments."""
    outdeg = np.zeros(n, np.int64)
    for e in range(inlist_flat.size):
        outdeg[inlist_flat[e]] += 1
    ptr = np.zeros(n + 1, np.int64)
    for j in range(n):
        ptr[j + 1] = ptr[j] + outdeg[j]
    pos = ptr[:-1].copy()
    targets = np.empty(inlist_flat.size, np.uint32)
    for i in range(n):  # posts in increasing order -> each out-list comes out sorted
        for e in range(inptr[i], inptr[i + 1]):
            j = inlist_flat[e]
            targets[pos[j]] = i
            pos[j] += 1
    seg = np.empty((n, npop + 1), np.int64)
    for j in range(n):
        y = 0
        seg[j, 0] = ptr[j]
        for k in range(ptr[j], ptr[j + 1]):
            while targets[k] >= starts[y + 1]:
                y += 1
                seg[j, y] = k
        while y < npop:
            y += 1
            seg[j, y] = ptr[j + 1]
    return seg, targets


def build_connectivity(sizes, laws, seed, reciprocity=0.0) -> Connectivity:
    """Draw a network.

    Parameters
    ----------
    sizes : sequence of int
        Population sizes (P populations, contiguous index ranges).
    laws : dict
        ``laws[(x, y)]`` = in-degree law of the block post x <- pre y, e.g. ``("fixed", 100)``,
        ``("lorentz", 1000, 79.1)``, ``("binomial", 1000)``; a missing block has no links.
    seed : int
        Seed of the generator (connectivity only; the simulator seeds initial states separately).
    reciprocity : float
        Extra fraction of reciprocated links within each population, in [0, 1].
    """
    sizes = tuple(int(s) for s in sizes)
    P = len(sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(starts[-1])
    _seed(int(seed) % (2**32))
    deg = np.zeros((n, P), np.int64)
    for (x, y), law in laws.items():
        kind = _LAWS[law[0]]
        K = float(law[1])
        hwhm = float(law[2]) if kind == 1 else 0.0
        deg[starts[x]:starts[x + 1], y] = _draw_degrees(sizes[x], sizes[y], x == y, kind, K, hwhm)
    inptr = np.concatenate([[0], np.cumsum(deg.sum(axis=1))]).astype(np.int64)
    stamp = 0
    mark = np.zeros(max(sizes), np.int64)
    flat = np.empty(inptr[-1], np.int32)
    for y in range(P):
        perm = np.arange(sizes[y], dtype=np.int64)
        for x in range(P):
            if (x, y) not in laws:
                continue
            d = np.ascontiguousarray(deg[starts[x]:starts[x + 1], y])
            # block y of post i sits after the blocks < y in the flat in-list of i
            bptr = inptr[starts[x]:starts[x + 1]] + deg[starts[x]:starts[x + 1], :y].sum(axis=1)
            fill = np.zeros(sizes[x], np.int64)
            stamp = _fill_block(flat, bptr, fill, d, starts[y], sizes[x], sizes[y], x == y,
                                float(reciprocity) if x == y else 0.0, perm, mark, stamp)
    seg, targets = _transpose(flat, inptr, n, starts, P)
    return Connectivity(sizes, starts, seg, targets, deg)
