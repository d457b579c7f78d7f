"""MkDocs hook: tables generated from the code, so the pages follow it.

A page writes a placeholder comment, e.g. ``<!-- bifkit:statuses -->``, and
``on_page_markdown`` replaces it with a Markdown table read from bifkit itself:

============================  =====================================================
``bifkit:curves``             curve types, free parameters, labels each detects
``bifkit:statuses``           ``bifkit.continuation.status.STATUSES``
``bifkit:extras``             ``bifkit._optional.EXTRAS`` with pyproject's pins
``bifkit:gallery``            the figure recipes with their cached PNGs
``bifkit:public_api``         one mkdocstrings block per name of ``bifkit.__all__``
============================  =====================================================

An unknown placeholder, or a table whose source is gone, fails the build (the
docs are then out of date with the code).
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"<!-- bifkit:([a-z_]+) -->")


def _table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def curves_table() -> str:
    from bifkit.continuation import CURVE_TYPES
    from bifkit.continuation.options import DETECTABLE
    rows = []
    for name, (nfree, _) in CURVE_TYPES.items():
        labels = ", ".join(DETECTABLE.get(name, ())) or "(none: the curve itself is special)"
        page = ROOT / "docs" / "curves" / f"{name.lower()}.md"  # tests/test_docs.py wants one
        rows.append((f"[{name}]({page.name})" if page.exists() else name, nfree, labels))
    return _table(("curve", "free parameters", "special points detected"), rows)


def statuses_table() -> str:
    from bifkit.continuation.status import STATUSES
    return _table(("status", "meaning"), [(f"`{k}`", v) for k, v in STATUSES.items()])


def extras_table() -> str:
    from bifkit._optional import EXTRAS
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    opt = pins["optional-dependencies"]
    rows = [(f"`{e}`", ", ".join(f"`{r}`" for r in opt[e]), ", ".join(pkgs))
            for e, pkgs in EXTRAS.items()]
    rows.append(("`all`", ", ".join(f"`{r}`" for r in opt["all"]), "every extra"))
    return _table(("extra", "pip requirements", "packages"), rows)


def gallery_table() -> str:
    from bifkit.diagrams import list_recipes
    rows = []
    for r in list_recipes():
        png = ROOT / "docs" / "figures" / f"{r.name}.png"
        image = f"![{r.name}](figures/{png.name})" if png.exists() else "(no cached image yet)"
        rows.append((image, r.title, f"`bifkit diagram {r.name}` (quick: `--quick`)"))
    return _table(("figure (cached output)", "what it shows", "command"), rows)


def public_api() -> str:
    """``::: module.qualname`` for every public name (where it is defined, so that
    mkdocstrings renders the real object, not a re-export)."""
    import bifkit
    blocks = []
    for name in bifkit.__all__:
        obj = getattr(bifkit, name)
        module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
        target = (f"{module}.{qualname}" if module and qualname
                  else f"{_defining_module(name, obj)}.{name}")
        blocks.append(f"::: {target}\n    options:\n      heading_level: 2\n"
                      f"      show_root_full_path: false\n")
    return "\n".join(blocks)


def _defining_module(name: str, obj) -> str:
    """The deepest bifkit module holding ``obj`` as ``name`` (for data such as REGIMES,
    which have no ``__module__``; ``bifkit`` itself loads its names lazily)."""
    import sys
    holders = [m for m, mod in list(sys.modules.items())
               if m.startswith("bifkit") and getattr(mod, name, None) is obj]
    return max(holders, key=lambda m: m.count(".")) if holders else "bifkit"


TABLES = {"curves": curves_table, "statuses": statuses_table, "extras": extras_table,
          "gallery": gallery_table, "public_api": public_api}


def on_page_markdown(markdown, page, config, files):
    def replace(match):
        name = match.group(1)
        if name not in TABLES:
            raise ValueError(f"{page.file.src_path}: unknown placeholder bifkit:{name}; "
                             f"one of {sorted(TABLES)}")
        return TABLES[name]()
    return PLACEHOLDER.sub(replace, markdown)
