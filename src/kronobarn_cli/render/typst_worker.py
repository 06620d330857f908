"""A child process that compiles one county typst template, so its time and memory are bounded.

Run as `python -m kronobarn_cli.render.typst_worker`: the request comes as JSON on standard input;
the PDF goes to standard output (exit 0), or the compile error as JSON (exit 3). It imports nothing
of kronobarn, so it starts in a tenth of a second. `pdf.py` kills it when it runs too long.
"""

from __future__ import annotations

import json
import sys
import warnings
from datetime import datetime
from typing import Any

COMPILE_ERROR = 3


def compile_request(request: dict[str, Any]) -> Any:
    """typst's compile of one request: a template that reads only its root, its own fonts
    and packages, at the given time (`pdf.py` builds the request, here or in this process)."""
    import typst  # noqa: PLC0415 (a PDF is rare)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return typst.compile(
            request["input"],
            root=request["root"],
            font_paths=[request["root"]],
            ignore_system_fonts=True,
            sys_inputs=request["sys_inputs"],
            package_path=request["package_path"],
            package_cache_path=request["package_cache_path"],
            timestamp=datetime.fromisoformat(request["timestamp"]),
        )


def main() -> int:
    request = json.loads(sys.stdin.buffer.read())
    try:
        import resource  # noqa: PLC0415 (not on Windows)

        limit = int(request["memory_bytes"])
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # pragma: no cover - no limit where none exists
        pass
    import typst  # noqa: PLC0415

    try:
        document = compile_request(request)
    except typst.TypstError as exc:
        error = {"message": exc.message, "diagnostic": exc.diagnostic}
        sys.stdout.write(json.dumps(error))
        return COMPILE_ERROR
    except MemoryError:
        sys.stdout.write(json.dumps({"message": "memory", "diagnostic": ""}))
        return COMPILE_ERROR
    sys.stdout.buffer.write(document)
    return 0


if __name__ == "__main__":
    sys.exit(main())
