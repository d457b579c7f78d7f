"""Calendar queue of next-spike times with lazy (lower-bound) keys, in numba.

Why this structure: a spike of a neuron with out-degree K changes the next-spike time of K targets.
Keeping an exact priority queue costs O(log N) per *synaptic event*, which alone would cap an
event-driven simulator far below 1e8 events/s. Instead each neuron sits in the queue under a
*lower bound* of its next-spike time, and the bound is refreshed only when it matters:

- future neurons sit in a ring of ``nb`` time buckets of width ``w`` (a doubly linked list per
  bucket); the bound of a neuron in bucket B is the bucket start B*w;
- the neurons whose time falls in the current bucket window are moved, when the window opens,
  into a small binary heap keyed by their exact time;
- a pulse that *delays* a neuron (inhibition) needs no queue work at all: the stale key is a valid
  lower bound, and the neuron is re-evaluated when its key comes up (the caller keeps a copy of
  the state it was queued with, so "changed since queued" is one comparison);
- a pulse that *advances* a neuron (excitation) is checked against the stored bound by the caller
  (one comparison); only if the new time lies before the bound is the neuron moved.

Invariants: every neuron with next-spike time T < (b_cur + 1) w is in the heap; a neuron in bucket
B has T >= B w; heap entries whose key differs from ``qkey[i]`` or whose neuron is no longer in the
heap (``where[i] != -1``) are stale and skipped. Spikes therefore come out in exact time order.

State layout (plain arrays so the kernels stay small and cacheable):
``head[nb]``, ``nxt[N]``, ``prv[N]``, ``where[N]`` (slot, -1 = heap, -2 = nowhere),
``qkey[N]`` (heap key), ``hkey[cap]``, ``hid[cap]``, ``ist = [heap size, current bucket]``.
``heap_push`` and ``heap_pop`` are inlined into their callers (``inline="always"``): as calls they
cost an atomic reference-count increment and decrement per array argument.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

HEAP = -1
NOWHERE = -2


def new_queue(n, nb, cap=None):
    """Allocate an empty queue for ``n`` neurons and ``nb`` buckets."""
    cap = int(cap or (2 * n + 1024))
    return dict(head=np.full(nb, -1, np.int32), nxt=np.full(n, -1, np.int32),
                prv=np.full(n, -1, np.int32), where=np.full(n, NOWHERE, np.int32),
                qkey=np.zeros(n), hkey=np.zeros(cap), hid=np.zeros(cap, np.int64),
                ist=np.zeros(2, np.int64))


@njit(cache=True, inline="always")
def unlink(i, head, nxt, prv, where):
    s = where[i]
    if s >= 0:
        a = prv[i]
        b = nxt[i]
        if a >= 0:
            nxt[a] = b
        else:
            head[s] = b
        if b >= 0:
            prv[b] = a
    where[i] = NOWHERE


@njit(cache=True, inline="always")
def link(i, s, head, nxt, prv, where):
    b = head[s]
    nxt[i] = b
    prv[i] = -1
    if b >= 0:
        prv[b] = i
    head[s] = i
    where[i] = s


@njit(cache=True)
def _compact(hkey, hid, ist, where, qkey):
    """Drop stale heap entries and re-heapify (called when the heap array is full)."""
    m = 0
    for k in range(ist[0]):
        i = hid[k]
        if where[i] == HEAP and qkey[i] == hkey[k]:
            hkey[m] = hkey[k]
            hid[m] = i
            m += 1
    ist[0] = m
    for start in range(m // 2 - 1, -1, -1):
        _sift_down(hkey, hid, start, m)


@njit(cache=True, inline="always")
def _sift_down(hkey, hid, k, size):
    key = hkey[k]
    idx = hid[k]
    while True:
        c = 2 * k + 1
        if c >= size:
            break
        if c + 1 < size and hkey[c + 1] < hkey[c]:
            c += 1
        if hkey[c] >= key:
            break
        hkey[k] = hkey[c]
        hid[k] = hid[c]
        k = c
    hkey[k] = key
    hid[k] = idx


@njit(cache=True, inline="always")
def heap_push(key, i, hkey, hid, ist, where, qkey):
    if ist[0] >= hkey.size:
        _compact(hkey, hid, ist, where, qkey)
        if ist[0] >= hkey.size:
            raise RuntimeError("event heap overflow")
    k = ist[0]
    ist[0] += 1
    while k > 0:
        parent = (k - 1) >> 1
        if hkey[parent] <= key:
            break
        hkey[k] = hkey[parent]
        hid[k] = hid[parent]
        k = parent
    hkey[k] = key
    hid[k] = i


@njit(cache=True, inline="always")
def heap_pop(hkey, hid, ist):
    """Remove the minimum; returns (key, id)."""
    key = hkey[0]
    i = hid[0]
    ist[0] -= 1
    n = ist[0]
    if n > 0:
        hkey[0] = hkey[n]
        hid[0] = hid[n]
        _sift_down(hkey, hid, 0, n)
    return key, i


@njit(cache=True, inline="always")
def enqueue(j, T, w, nb, head, nxt, prv, where, qkey, hkey, hid, ist):
    """Queue neuron j under its next-spike time T (T may be +inf).

    In the heap if T falls in the current bucket window (returns -1); otherwise linked into
    bucket B = floor(T / w), clamped to the far end of the ring (a lower bound still), and B is
    returned, so that the caller can store the bound B w in its model's form."""
    unlink(j, head, nxt, prv, where)
    b_cur = ist[1]
    if T < (b_cur + 1) * w:
        where[j] = HEAP
        qkey[j] = T
        heap_push(T, j, hkey, hid, ist, where, qkey)
        return -1
    B = b_cur + nb - 1
    if T < (b_cur + nb) * w:
        B = min(int(math.floor(T / w)), B)
    link(j, B % nb, head, nxt, prv, where)
    return B
