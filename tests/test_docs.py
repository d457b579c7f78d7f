"""The documentation site builds with warnings as errors, and its generated parts follow the code.

``mkdocs build --strict`` (about 10 s): a broken link, a missing page or snippet, or an
API-reference target that no longer exists fails it. Needs the ``docs`` extra, which CI
installs (tools/setup.sh installs ``.[all,test]``), so this test is not skipped there.
"""
import importlib.util
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

import bifkit

ROOT = Path(__file__).resolve().parents[1]


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "_hooks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    t0 = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                          "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(out)],
                         capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"})
    assert run.returncode == 0, f"mkdocs build --strict failed:\n{run.stdout}\n{run.stderr}"
    return SimpleNamespace(path=out, seconds=time.perf_counter() - t0)


def test_docs_build_strict_and_fast(site):
    assert "strict: true" in (ROOT / "mkdocs.yml").read_text()
    assert site.seconds < 60, f"docs build took {site.seconds:.0f} s"
    for page in ("index.html", "getting-started/index.html", "curves/lc-c/index.html",
                 "network/index.html", "validation/index.html", "gallery/index.html"):
        assert (site.path / page).exists(), page


def test_every_public_name_is_in_the_api_reference(site):
    html = (site.path / "api" / "index.html").read_text()
    missing = [n for n in bifkit.__all__ if f'id="{n}"' not in html and f".{n}\"" not in html]
    assert not missing, f"public names without API docs: {missing}"


def test_generated_tables_follow_the_code(site):
    from bifkit.continuation import CURVES
    from bifkit.continuation.status import STATUSES
    from bifkit.diagrams import list_recipes
    curves = (site.path / "curves" / "index.html").read_text()
    assert all(f"<code>{s}</code>" in curves for s in STATUSES)
    assert all(c in curves for c in CURVES)
    gallery = (site.path / "gallery" / "index.html").read_text()
    assert all(f"bifkit diagram {r.name}" in gallery for r in list_recipes())
    assert "<!-- bifkit:" not in curves + gallery  # every placeholder was replaced


def test_every_curve_type_has_its_page():
    from bifkit.continuation import CURVES
    pages = ROOT / "docs" / "curves"
    missing = [c for c in CURVES if not (pages / f"{c.lower()}.md").exists()]
    assert not missing, f"curve types without a page in docs/curves/: {missing}"
    nav = (ROOT / "mkdocs.yml").read_text()
    assert all(f"curves/{c.lower()}.md" in nav for c in CURVES)


def test_unknown_placeholder_fails_the_build():
    page = SimpleNamespace(file=SimpleNamespace(src_path="x.md"))
    with pytest.raises(ValueError, match="unknown placeholder bifkit:nope"):
        _hooks().on_page_markdown("text <!-- bifkit:nope --> text", page, None, None)
