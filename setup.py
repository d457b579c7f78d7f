"""Package list for setuptools (everything else is in pyproject.toml).

Two sub-packages live outside ``bifkit/``: ``bifkit.models`` in ``models/`` and
``bifkit.diagrams`` in ``diagrams/`` (``package-dir`` in pyproject.toml). pyproject's
``packages.find`` cannot rename directories, so the packages are discovered here: every
package under ``bifkit/``, ``models/`` and ``diagrams/`` is installed without listing it.
"""
from setuptools import find_packages, setup

MAPPED = {"bifkit.models": "models", "bifkit.diagrams": "diagrams"}

packages = find_packages(where=".", include=["bifkit", "bifkit.*"])
for name, directory in MAPPED.items():
    packages += [name] + [f"{name}.{sub}" for sub in find_packages(where=directory)]

setup(packages=packages)
