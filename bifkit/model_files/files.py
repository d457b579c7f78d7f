"""Model files by suffix: ``.toml`` (:mod:`.toml_file`) and XPPAUT ``.ode`` (:mod:`.xpp_file`)."""
from __future__ import annotations

import os
from pathlib import Path

# (resolved path, modification time, size) -> ModelDefinition: reading a file
# again in the same process reuses its definition unless the file changed
_READ: dict = {}


def load_model_file(path):
    """The :class:`~bifkit.model.ModelDefinition` of a ``.toml`` or ``.ode`` file.

    Raises ValueError for a missing file, an unknown suffix, or a file the
    reader rejects (the message names the file and the line).
    """
    path = Path(os.fspath(path))
    if not path.is_file():
        raise ValueError(f"model file {str(path)!r} does not exist")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _READ:
        _READ[key] = _read(path)
    return _READ[key]


def _read(path: Path):
    suffix = path.suffix.lower()
    if suffix == ".toml":
        from .toml_file import read_toml_model
        return read_toml_model(path)
    if suffix == ".ode":
        from .xpp_file import read_ode_model
        return read_ode_model(path)
    raise ValueError(f"model file {str(path)!r}: unknown suffix {suffix!r} "
                     f"(expected .toml or .ode)")
