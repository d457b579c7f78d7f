"""Package list for setuptools (everything else is in pyproject.toml).

Two sub-packages live outside ``bifkit/``: ``bifkit.models`` in ``models/`` and
``bifkit.diagrams`` in ``diagrams/`` (``package-dir`` in pyproject.toml). pyproject's
``packages.find`` cannot rename directories, so the packages are discovered here: every
package under ``bifkit/``, ``models/`` and ``diagrams/`` is installed without listing it.
"""
from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).resolve().parent
#: installed name -> directory (the same mapping as package-dir in pyproject.toml)
MAPPED = {"bifkit.models": "models", "bifkit.diagrams": "diagrams"}


def discover_packages() -> list:
    """Every package (directory with ``__init__.py``) under bifkit/, models/ and diagrams/."""
    packages = find_packages(where=str(ROOT), include=["bifkit", "bifkit.*"])
    for name, directory in MAPPED.items():
        packages += [name] + [f"{name}.{sub}" for sub in find_packages(where=str(ROOT / directory))]
    return sorted(packages)


if __name__ == "__main__":
    setup(packages=discover_packages())
