"""Readers for AUTO-07p's output files and a writer for its solution file.

* ``fort.7`` (bifurcation diagram): one line per continuation step,
  ``BR PT TY LAB`` then the principal parameter, the L2 norm, the first state
  components (for periodic orbits their maxima) and the other parameters of
  ``ICP``.  The sign of PT is the stability (negative: stable).
* ``fort.8`` (solutions): labelled solutions, each a header of 16 integers
  (IBR NTOT ITP LAB NFPR ISW NTPL NAR NROWPR NTST NCOL NPAR NPARI NDM IPS IPRIV)
  followed by NTPL rows ``t, U(1..NAR-1)``, optionally the direction
  (ICP indices, RLDOT, NTPL rows of UDOT) and PAR(1..NPAR).
* ``fort.9`` (diagnostics): eigenvalues (``Eigenvalue  i:  re im``), Floquet
  multipliers (``Multiplier  i  re im  Abs. Val.``), test functions
  (``GH   Function:`` = AUTO's first Lyapunov coefficient along Hopf curves)
  and messages, all keyed by branch and point number.

Written from AUTO-07p's documentation (manual ch. 10, "Output files") and the
formats of the files themselves; the Debian package's Python reader is not
used (it fails under numpy 2).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np


# --------------------------------------------------------------------------- #
# fort.7                                                                       #
# --------------------------------------------------------------------------- #
@dataclass
class DiagramRow:
    """One line of fort.7."""

    br: int
    pt: int          # signed: negative = stable
    ty: int          # AUTO's type number (0 = no label)
    lab: int
    values: np.ndarray

    @property
    def stable(self) -> bool:
        return self.pt < 0


def _float(tok: str) -> float:
    # AUTO writes 3-digit exponents; very large ones may lose the "E" (1.7976+308)
    try:
        return float(tok)
    except ValueError:
        m = re.fullmatch(r"([-+]?\d*\.?\d*)([-+]\d+)", tok)
        if m:
            return float(f"{m.group(1)}e{m.group(2)}")
        raise


def read_fort7(text: str) -> list:
    """Rows of a fort.7 file (header lines, which start with ``0``, skipped)."""
    rows = []
    for line in text.splitlines():
        tok = line.split()
        if len(tok) < 5 or tok[0] == "0":
            continue
        rows.append(DiagramRow(int(tok[0]), int(tok[1]), int(tok[2]), int(tok[3]),
                               np.array([_float(t) for t in tok[4:]])))
    return rows


# --------------------------------------------------------------------------- #
# fort.8                                                                       #
# --------------------------------------------------------------------------- #
HEADER_FIELDS = ("IBR", "NTOT", "ITP", "LAB", "NFPR", "ISW", "NTPL", "NAR", "NROWPR", "NTST",
                 "NCOL", "NPAR", "NPARI", "NDM", "IPS", "IPRIV")


@dataclass
class Solution:
    """One labelled solution of fort.8.

    ``t`` (NTPL,) mesh times in [0, 1]; ``u`` (NTPL, NAR-1) values (the first
    ``ndm`` columns are the model's state, the rest belong to AUTO's extended
    system on two-parameter curves); ``par`` PAR(1..NPAR); ``text`` the raw
    block (written back to fort.3 to restart from this solution exactly).
    """

    header: dict
    t: np.ndarray
    u: np.ndarray
    par: np.ndarray
    icp: list = field(default_factory=list)
    text: str = ""

    br = property(lambda self: self.header["IBR"])
    pt = property(lambda self: self.header["NTOT"])
    ty = property(lambda self: self.header["ITP"])
    lab = property(lambda self: self.header["LAB"])

    @property
    def ndm(self) -> int:
        return self.header["NDM"] or self.u.shape[1]

    @property
    def state(self) -> np.ndarray:
        """The model state at t = 0."""
        return self.u[0, :self.ndm]


def read_fort8(text: str) -> list:
    """All solutions of a fort.8 (or fort.3) file."""
    lines = text.splitlines()
    out, i = [], 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        ints = [int(v) for v in lines[i].split()]
        if len(ints) == 12:
            ints += [0, 0, 0, 0]
        h = dict(zip(HEADER_FIELDS, ints))
        block = lines[i + 1:i + 1 + h["NROWPR"]]
        raw = "\n".join(lines[i:i + 1 + h["NROWPR"]]) + "\n"
        i += 1 + h["NROWPR"]
        nums = [_float(v) for ln in block for v in ln.split()]
        ntpl, nar, npar, nfpr = h["NTPL"], h["NAR"], h["NPAR"], h["NFPR"]
        ndim = nar - 1
        sol = np.array(nums[:ntpl * nar]).reshape(ntpl, nar)
        rest = nums[ntpl * nar:]
        icp = []
        if len(rest) > npar:   # direction present: ICP, RLDOT, UDOT
            icp = [int(v) for v in rest[:nfpr]]
        par = np.array(rest[-npar:])
        if len(rest) not in (npar, npar + 2 * nfpr + ntpl * ndim):
            raise ValueError(f"fort.8 solution label {h['LAB']}: {len(rest)} trailing numbers, "
                             f"expected {npar} or {npar + 2 * nfpr + ntpl * ndim}")
        out.append(Solution(h, sol[:, 0], sol[:, 1:], par, icp, raw))
    return out


def write_solution(u, par, *, t=None, itp=9, lab=1, ibr=1, nfpr=1, isw=1, ntst=0, ncol=0,
                   ips=1) -> str:
    """A solution block (fort.3 format) without direction vector.

    ``u`` is a state vector (equilibrium, NTPL = 1) or an array (NTPL, n) of
    orbit values at the mesh times ``t`` in [0, 1] (periodic orbits).
    """
    u = np.atleast_2d(np.asarray(u, float))
    ntpl, n = u.shape
    t = np.zeros(1) if t is None else np.asarray(t, float)
    if len(t) != ntpl:
        raise ValueError(f"{len(t)} mesh times for {ntpl} solution rows")
    par = [float(v) for v in par]
    npar = len(par)
    nrowpr = (n // 7 + 1) * ntpl + (npar + 6) // 7
    lines = ["%6d%6d%6d%6d%6d%6d%8d%6d%8d%5d%5d%5d%5d%5d%5d%5d" % (
        ibr, 1, itp, lab, nfpr, isw, ntpl, n + 1, nrowpr, ntst, ncol, npar, 0, n, ips, 0)]

    def rows(values):
        return ["    " + "".join("%19.10E" % v for v in values[k:k + 7])
                for k in range(0, len(values), 7)]

    for j in range(ntpl):
        lines += rows([t[j], *u[j]])
    lines += rows(par)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- #
# fort.9                                                                       #
# --------------------------------------------------------------------------- #
_EIG = re.compile(r"^\s*(-?\d+)\s+(-?\d+)\s+Eigenvalue\s*(\d+):\s*(\S+)\s+(\S+)")
_MUL = re.compile(r"^\s*(-?\d+)\s+(-?\d+)\s+Multiplier\s*(\d+)\s+(\S+)\s+(\S+)")
_GH = re.compile(r"^\s*(-?\d+)\s+(-?\d+)\s+GH\s+Function:\s*(\S+)")
_HEAD = re.compile(r"^\s*(-?\d+)\s+(-?\d+)\s+(Eigenvalues|Multipliers)\s*:")


@dataclass
class Diagnostics:
    """What fort.9 says per point: {(br, pt): array} for eigenvalues, multipliers, l1."""

    eigenvalues: dict
    multipliers: dict
    gh: dict
    messages: list


def read_fort9(text: str) -> Diagnostics:
    """Eigenvalues, Floquet multipliers and GH test values per (branch, point).

    When a point is printed more than once (location of a special point), the
    last block wins: it belongs to the converged point written to fort.7.
    """
    eig, mul, gh, msgs = {}, {}, {}, []
    current = None
    for line in text.splitlines():
        m = _HEAD.match(line)
        if m:
            key = (abs(int(m.group(1))), abs(int(m.group(2))))
            target = eig if m.group(3) == "Eigenvalues" else mul
            target[key] = []
            current = target[key]
            continue
        m = _EIG.match(line) or _MUL.match(line)
        if m and current is not None:
            current.append(complex(_float(m.group(4)), _float(m.group(5))))
            continue
        m = _GH.match(line)
        if m:
            gh[(abs(int(m.group(1))), abs(int(m.group(2))))] = _float(m.group(3))
            continue
        s = line.strip()
        if s and any(w in s for w in ("NOTE", "No convergence", "Retrying", "inaccurate",
                                      "STOP", "Error", "WARNING")):
            msgs.append(s)
    to_arr = lambda d: {k: np.array(v, dtype=complex) for k, v in d.items()}  # noqa: E731
    return Diagnostics(to_arr(eig), to_arr(mul), gh, msgs)
