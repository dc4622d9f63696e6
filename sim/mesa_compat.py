"""Mesa, imported without its side effect on the process.

Mesa 3.3's batch runner calls ``multiprocessing.set_start_method("spawn", force=True)`` when
the package is imported, which would silently change how a host program (or drillsim's own
batches) start processes. Every drillsim module imports Mesa from here, which restores the
start method that was in force before.
"""

import multiprocessing

_before = multiprocessing.get_start_method(allow_none=True)

import mesa  # noqa: E402

if multiprocessing.get_start_method(allow_none=True) != _before:
    multiprocessing.set_start_method(_before, force=True)

__all__ = ["mesa"]
