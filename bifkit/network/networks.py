"""The catalogue of network families: ``simulate``, ``sweep`` and the CLI look networks up here.

=================  ============================================================  ===========
name               network                                                       engine
=================  ============================================================  ===========
inhibitory_qif     inhibitory QIF, shot noise (Ageeva & Goldobin 2025)           ``run_qif``
ei_qif             E-I QIF, Lorentzian in-degrees (Bi, di Volo, Torcini 2021)    ``run_qif``
lif_massive        massively coupled LIF (Ullner, Politi, Torcini 2018)          ``run_lif``
theta_massive      theta/QIF variant of the same (Ullner et al. 2018, eq. 5)     ``run_theta``
=================  ============================================================  ===========

A new network is a ``family.NetworkFamily`` (parameters, validation, ``build`` returning the spec
of an existing engine) given to ``register``; see ``qif.py`` for two examples.
"""
from __future__ import annotations

from .family import EXCITABLE_MSG, RUN_DEFAULTS, NetworkFamily, run_options, split_params
from .lif import LIF_MASSIVE
from .qif import EI_QIF, INHIBITORY_QIF, QIFSpec
from .theta import THETA_MASSIVE

__all__ = ["NETWORKS", "get_family", "register", "unregister", "resolve", "QIFSpec",
           "EXCITABLE_MSG", "RUN_DEFAULTS", "split_params", "run_options"]

NETWORKS: dict[str, NetworkFamily] = {
    f.name: f for f in (INHIBITORY_QIF, EI_QIF, LIF_MASSIVE, THETA_MASSIVE)}


def get_family(network: str) -> NetworkFamily:
    """The family called ``network``; ValueError listing the known ones otherwise."""
    try:
        return NETWORKS[network]
    except (KeyError, TypeError):
        raise ValueError(f"unknown network {network!r}; known: {sorted(NETWORKS)}") from None


def register(family: NetworkFamily) -> NetworkFamily:
    """Add ``family`` to the catalogue (ValueError if its name is taken); returns it."""
    if not isinstance(family, NetworkFamily):
        raise TypeError(f"register() needs a NetworkFamily, got {type(family).__name__}")
    if family.name in NETWORKS:
        raise ValueError(f"a network called {family.name!r} is already registered")
    NETWORKS[family.name] = family
    return family


def unregister(name: str) -> None:
    """Remove a family added with ``register`` (the papers' families stay)."""
    if name in ("inhibitory_qif", "ei_qif", "lif_massive", "theta_massive"):
        raise ValueError(f"{name!r} is one of the built-in networks and cannot be removed")
    get_family(name)
    del NETWORKS[name]


def resolve(network: str, params: dict):
    """Split ``params`` into (engine spec, run options); ValueError on any bad input."""
    return get_family(network).resolve(params)
