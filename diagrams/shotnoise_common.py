"""Shared pieces of the shot-noise recipes (Ageeva & Goldobin 2025; Goldobin et al. 2024/25):
which mean-field models exist, and their stationary branches in K."""
from __future__ import annotations

import numpy as np

from .common import model_has

# name -> (label, colour, marker) as in Ageeva & Goldobin 2025, Figs. 2-3
MEAN_FIELDS = {
    "shotnoise_chain": ("exact chain (M=64)", "k", "s"),
    "shotnoise_2cc": ("2CC", "tab:red", "D"),
    "shotnoise_oa": ("OA", "tab:blue", "o"),
}


def available_mean_fields(names=tuple(MEAN_FIELDS)) -> list[str]:
    """The subset of ``names`` that bifkit can load now (the chain arrives later)."""
    return [n for n in names if model_has(n)]


def stationary_branch(name: str, ratio: float, K_range=(10.0, 1e4), g0: float = 1.0,
                      ds_max: float = 0.05):
    """EP-C in log10 K of model ``name`` at i0 = ratio g0^2: (K, nu, stable, hopf points)."""
    import bifkit
    m = bifkit.load_model(name, K=K_range[0], i0=ratio * g0 ** 2, g0=g0)
    x = bifkit.find_equilibrium(m, m.default_guess())
    br = bifkit.continuation(m, "EP-C", x, ["K"], bounds={"K": K_range}, log_params=["K"],
                             ds_max=ds_max)
    return br.params["K"], _nu_along(m, br), br.stable, br.special_points("H")


def _nu_along(m, br) -> np.ndarray:
    """The observable nu at every point of an EP-C branch."""
    obs = m.compiled.obs
    k = m.observable_names.index("nu")
    return np.array([obs(0.0, br.x[i], br.p[i])[k] for i in range(len(br))])
