"""The exit-code convention of every ``bifkit`` subcommand (:func:`run_command`).

    0    success
    1    the computation ran but failed or stopped early, or its result could not be written
         (then it is printed on stdout); the message on stderr says which
    2    bad input or usage (argument, parameter, option, input or output path, a missing
         optional package): nothing was computed; one line on stderr names the culprit
    130  interrupted (Ctrl-C)

Set ``BIFKIT_TRACEBACK=1`` to see the traceback behind a message.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Callable, Optional

from .._optional import MissingOptionalDependency
from ..errors import ComputationError, InputError, OutputError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130

Handler = Callable[[argparse.Namespace], Optional[int]]


def run_command(func: Handler, args: argparse.Namespace) -> int:
    """Run a subcommand handler under the exit-code convention (module docstring).

    Output paths named in ``args.check_paths`` (attribute names, e.g. ``("out",)``)
    are checked, and their folders created, before anything is computed; so are the
    output folders named in ``args.check_dirs`` (both set by
    :func:`bifkit.cli.options.add_out_option`).  Errors become one line on stderr and
    an exit code; no traceback unless ``BIFKIT_TRACEBACK=1``.
    """
    from .._io import check_output_dir, check_output_path
    try:
        for attr in getattr(args, "check_paths", ()):
            value = getattr(args, attr, None)
            if value is not None:
                check_output_path(value, "--" + attr.replace("_", "-"))
        for attr in getattr(args, "check_dirs", ()):
            value = getattr(args, attr, None)
            if value is not None:
                check_output_dir(value, "--" + attr.replace("_", "-"))
        code = func(args)
        return EXIT_OK if code is None else int(code)
    except SystemExit as e:  # handlers that exit with a message: bad input
        if isinstance(e.code, str):
            return _fail(e.code, EXIT_BAD_INPUT, e)
        raise
    except KeyboardInterrupt as e:
        return _fail("interrupted", EXIT_INTERRUPTED, e)
    except OutputError as e:
        return _fail(f"{e}", EXIT_FAILED, e)
    except (ComputationError, MemoryError) as e:
        return _fail(f"{type(e).__name__}: {e}" if isinstance(e, MemoryError) else f"{e}",
                     EXIT_FAILED, e)
    except (InputError, ValueError, NotImplementedError, MissingOptionalDependency) as e:
        return _fail(f"{e}", EXIT_BAD_INPUT, e)
    except OSError as e:  # an input file that cannot be read
        name = f" {e.filename!r}" if getattr(e, "filename", None) else ""
        return _fail(f"{e.strerror or e}{name}", EXIT_BAD_INPUT, e)
    except Exception as e:  # a bug: say so in one line, traceback on request
        return _fail(f"internal error {type(e).__name__}: {e} (a bug; please report it "
                     f"with BIFKIT_TRACEBACK=1 output)", EXIT_FAILED, e)


def _fail(message: str, code: int, exc: BaseException) -> int:
    if os.environ.get("BIFKIT_TRACEBACK"):
        import traceback
        traceback.print_exception(exc, file=sys.stderr)
    message = str(message).strip() or type(exc).__name__
    if not message.startswith("bifkit:"):
        message = f"bifkit: {message}"
    print(message, file=sys.stderr)
    return code
