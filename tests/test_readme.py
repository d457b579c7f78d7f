"""Every ```python block of README.md runs, so the examples cannot rot.

The blocks of one README section run in order, in one namespace and one temporary
working directory (a later block may use a file or a name of an earlier one in its
section); sections are independent of each other, and start with ``bifkit`` imported
(README blocks often assume ``import bifkit``). A block runs as written except for the
substitutions listed in :data:`SUBSTITUTIONS`, each one marked with why:

* ``size``: a smaller network or run, so the test stays within seconds (the README's
  call is otherwise unchanged; the full sizes run in validation/ and the benchmarks);
* ``fix``: a bug of the README example itself, worked around here and reported (a
  warning names it in every test run until the README is fixed).

A substitution whose text is no longer in the README fails the test (update this
list when the README changes), so no substitution can silently stop applying.
A section listed in :data:`NOT_RUNNABLE` is reported as skipped with its reason (a
fragment that needs names it does not define); the skip is visible in every run.
"""
from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

import bifkit

README = Path(__file__).resolve().parents[1] / "README.md"


@dataclass(frozen=True)
class Substitution:
    section: str   # README "## " heading the block is under
    old: str       # exact text in the block
    new: str
    kind: str      # "size" or "fix"
    why: str


SUBSTITUTIONS = [
    Substitution("Network validator",
                 "N_e=10000, N_i=2500, K=1000, I_e=0.2, D_ee=2.5, D_ii=1.0,\n"
                 "                      T=2000, transient=500, seed=1)",
                 "N_e=2000, N_i=500, K=200, I_e=0.2, D_ee=2.5, D_ii=1.0,\n"
                 "                      T=300, transient=100, seed=1)",
                 "size", "E-I network 5x smaller, 6x shorter (7.7 s -> about 1 s)"),
]


#: README section -> why its python blocks cannot run as written (shown as a skip)
NOT_RUNNABLE: dict = {}


@dataclass(frozen=True)
class Block:
    section: str
    line: int      # 1-based line of the first code line in README.md
    code: str


def readme_blocks(text: str) -> list[Block]:
    """The ```python blocks of ``text`` with the ``## `` section each is under."""
    blocks, section, lines, i = [], "(top)", text.splitlines(), 0
    while i < len(lines):
        if lines[i].startswith("## "):
            section = lines[i][3:].strip()
        if re.match(r"\s*```python\s*$", lines[i]):
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith("```"):
                j += 1
            blocks.append(Block(section, i + 2, "\n".join(lines[i + 1:j])))
            i = j
        i += 1
    return blocks


BLOCKS = readme_blocks(README.read_text())


def _substituted(block: Block) -> tuple[str, list]:
    code, used = block.code, []
    for sub in SUBSTITUTIONS:
        if sub.section == block.section and sub.old in code:
            code = code.replace(sub.old, sub.new)
            used.append(sub)
    return code, used


def test_readme_has_python_examples_and_every_substitution_applies():
    assert len(BLOCKS) >= 3, "README.md: expected its python examples"
    for sub in SUBSTITUTIONS:
        hits = [b for b in BLOCKS if b.section == sub.section and sub.old in b.code]
        assert len(hits) == 1, (f"substitution ({sub.kind}: {sub.why}) no longer matches one "
                                f"block of README section {sub.section!r}: update "
                                f"tests/test_readme.py")


SECTIONS = list(dict.fromkeys(b.section for b in BLOCKS))


@pytest.mark.parametrize("section", SECTIONS)
def test_readme_section_runs(section, tmp_path, monkeypatch):
    if section in NOT_RUNNABLE:
        pytest.skip(f"README section {section!r}: {NOT_RUNNABLE[section]}")
    import matplotlib
    matplotlib.use("Agg")  # README plots must not open windows
    monkeypatch.chdir(tmp_path)  # files a README example writes go to a temporary folder
    namespace = {"__name__": "readme_example", "bifkit": bifkit}
    for block in (b for b in BLOCKS if b.section == section):
        code, used = _substituted(block)
        for sub in used:
            if sub.kind == "fix":
                warnings.warn(f"README.md line {block.line} ({block.section}): {sub.why}; "
                              "worked around in tests/test_readme.py", UserWarning)
        exec(compile(code, f"README.md:{block.section}:L{block.line}", "exec"), namespace)
    assert os.getcwd() == str(tmp_path)


def test_not_runnable_sections_exist():
    """A section that is no longer in the README (or was fixed) must leave NOT_RUNNABLE."""
    assert set(NOT_RUNNABLE) <= set(SECTIONS)
