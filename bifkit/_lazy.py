"""Packages whose public names load on first use (PEP 562), used by ``bifkit``,
``bifkit.dynamics`` and ``bifkit.network`` (issue 16, item 4: ``import bifkit`` in
milliseconds).

A package keeps a table ``_PUBLIC`` {public name: defining module (relative)} and
calls :func:`lazy_package`; ``bifkit.<name>`` then imports the defining module at
the first access and caches the value.  Several public functions share their
name with a submodule (``bifkit.continuation``, ``bifkit.prc``,
``bifkit.dynamics.integrate``, ``bifkit.network.simulate`` ...): importing such a
submodule makes Python set it as an attribute of its package, which would hide
the function.  :class:`LazyPackage` ignores that assignment for public names, so
the name is the function in every import order; the submodules stay importable
by their dotted names.
"""
from __future__ import annotations

import importlib
import sys
import types


class LazyPackage(types.ModuleType):
    """Module type of a lazy package: a submodule never hides the public name it shares."""

    def __setattr__(self, name, value):
        public = self.__dict__.get("_PUBLIC", {})
        if (name in public and isinstance(value, types.ModuleType)
                and value.__name__ == f"{self.__name__}.{name}"):
            return
        super().__setattr__(name, value)


def load(package: str, public: dict, name: str):
    """The public ``name`` of ``package``, imported from its defining module and cached
    in the package (AttributeError for a name the package does not have)."""
    module = public.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, package), name)
    vars(sys.modules[package])[name] = value   # later look-ups are plain attribute reads
    return value


def lazy_package(package: str) -> None:
    """Give the (already imported) ``package`` the :class:`LazyPackage` module type."""
    sys.modules[package].__class__ = LazyPackage
