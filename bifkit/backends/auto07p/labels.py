"""AUTO-07p point types (the TY column of fort.7) as bifkit labels.

AUTO's type number is ``10 * ITPST + t`` on two-parameter curves (ITPST the
type of the curve: 2 fold, 3 Hopf, 5 fold of cycles, 7 period doubling,
8 torus) and ``t`` on one-parameter curves; negative values are
codimension-two points (and user points, UZ).  Types (manual, "fort.7"):

====  ======  ===============================  ======
 t    AUTO    meaning                          bifkit
====  ======  ===============================  ======
  1   BP      branch point (equilibria)        BP
  2   LP      fold (equilibria)                LP
  3   HB      Hopf                             H
  5   LP      fold of cycles                   LPC
  6   BP      branch point of cycles           BP
  7   PD      period doubling                  PD
  8   TR      torus (Neimark-Sacker)           NS
 -1   BT      Bogdanov-Takens                  BT
 -2   CP      cusp                             CP
 -3   ZH      zero-Hopf                        ZH
-32   GH      generalised Hopf (Bautin)        GH
-5..-8 R1..R4 strong resonances                R1..R4
28/78 LPD     fold-flip                        LPD
23/83 LTR     fold-torus                       LTR
77/87 PTR     flip-torus                       PTR
 88   TTR     torus-torus                      TTR
  4   RG      regular point (NPR output)       --
 2/5  LP      on a two-parameter curve: a      --
              turning point of the curve
 -4   UZ      user point / bound reached       --
  9   EP      end point                        --
 -9   MX      no convergence                   --
====  ======  ===============================  ======
"""
from __future__ import annotations

_BASIC = {1: "BP", 2: "LP", 3: "H", 5: "LPC", 6: "BP", 7: "PD", 8: "NS",
          -1: "BT", -2: "CP", -3: "ZH", -5: "R1", -6: "R2", -7: "R3", -8: "R4"}
_SPECIAL = {-32: "GH", 28: "LPD", 78: "LPD", 23: "LTR", 83: "LTR", 77: "PTR", 87: "PTR",
            88: "TTR"}
REGULAR, USER, END, NO_CONVERGENCE = 4, -4, 9, -9


def basic_type(ty: int) -> int:
    """The one-digit type of a TY number (sign kept), as AUTO's own reader does."""
    if ty in _SPECIAL:
        return ty
    return ty % 10 if ty >= 0 else -((-ty) % 10)


def label(ty: int) -> str | None:
    """bifkit label of AUTO type ``ty``; None for regular, user, end and failure points."""
    if ty in _SPECIAL:
        return _SPECIAL[ty]
    t = basic_type(ty)
    if abs(ty) >= 10 and t in (2, 5):
        return None   # a turning point of a two-parameter curve, not a bifurcation
    return _BASIC.get(t)
