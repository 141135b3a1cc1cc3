"""The ``llm-resolver`` command line: ``complete``, ``plugins``, ``demo`` and plugin-added commands."""

from __future__ import annotations

import atexit
import functools
import gc
import sys
from collections.abc import Sequence

from llm_resolver.cli.errors import EXIT_CONFIG, EXIT_INTERRUPTED, report
from llm_resolver.cli.parser import build_parser
from llm_resolver.errors import LLMError
from llm_resolver.plugins.default import default_plugin_manager
from llm_resolver.plugins.manager import PluginManager


def main(argv: Sequence[str] | None = None, *, plugins: PluginManager | None = None) -> int:
    """Run one command and return its exit code: 0 ok, 1 the call failed, 2 bad configuration or
    usage, 130 interrupted. ``plugins`` defaults to the process-wide manager (entry points)."""
    if argv is None:  # the process's own command line: this command is what the process is for
        _skip_collection_at_exit()
    try:
        manager = plugins if plugins is not None else default_plugin_manager()
        parser = build_parser(manager)
        args = parser.parse_args(argv)
        if not hasattr(args, "func"):
            parser.print_help(sys.stderr)
            return EXIT_CONFIG
        result = args.func(args)
        return result if isinstance(result, int) else 0
    except LLMError as error:
        return report(error, sys.stderr)
    except KeyboardInterrupt:
        sys.stderr.write("llm-resolver: interrupted\n")
        return EXIT_INTERRUPTED
    except SystemExit as exit_:
        # argparse exits for --help and usage errors; callers of main() get a code, not an exception.
        return _status(exit_.code)


@functools.cache
def _skip_collection_at_exit() -> None:
    """At interpreter exit, after threads are joined and the other ``atexit`` handlers ran, exempt every
    object from the garbage collection Python runs while shutting down: over LiteLLM's and the provider
    SDKs' modules that pass takes seconds after a command's last output, to free memory the exit frees
    anyway. Only for the installed script (``main()`` reading ``sys.argv``): a program that calls
    ``main([...])`` keeps its own shutdown, and its own ResourceWarnings about what it leaked."""
    atexit.register(gc.freeze)


def _status(code: object) -> int:
    """The status the interpreter would exit with for ``sys.exit(code)``."""
    if code is None or isinstance(code, int):
        return code or 0
    sys.stderr.write(f"{code}\n")
    return 1


__all__ = ["main"]
