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


def sampled_branch(name: str, ratio: float, K_values, g0: float = 1.0):
    """Stationary states of ``name`` at the given K (Newton, each from the previous one).

    For large models (the M = 64 chain: 128 real unknowns) where a sampled curve is cheaper
    than a full EP-C run.  Returns (K, nu, stable, hopf) with ``hopf`` a list of
    (K, "stability change") where the leading eigenvalue's real part changes sign, located
    by linear interpolation in log K between samples.
    """
    import bifkit
    K_values = np.asarray(K_values, float)
    m = bifkit.load_model(name, K=float(K_values[0]), i0=ratio * g0 ** 2, g0=g0)
    x = m.pack(bifkit.find_equilibrium(m, m.default_guess()))
    nu, lead = [], []
    for K in K_values:
        mk = m.with_params(K=float(K))
        state = bifkit.find_equilibrium(mk, x)
        x = mk.pack(state)
        nu.append(mk.observables(state)["nu"])
        lead.append(mk.eigenvalues(state)[0].real)
    lead = np.array(lead)
    hopf = []
    for i in np.nonzero(np.sign(lead[:-1]) * np.sign(lead[1:]) < 0)[0]:
        a, b = np.log(K_values[i]), np.log(K_values[i + 1])
        hopf.append((float(np.exp(a - lead[i] * (b - a) / (lead[i + 1] - lead[i]))),
                     "stability change"))
    return K_values, np.array(nu), lead < 0, hopf
