"""The argument parser: built-in sub-commands, then those plugins add through ``register_commands``."""

from __future__ import annotations

import argparse

from llm_resolver.cli import batch, chat, complete, demo, doctor, emulator_cmd, models_cmd, plugin_report
from llm_resolver.plugins.manager import PluginManager


def build_parser(plugins: PluginManager) -> argparse.ArgumentParser:
    from llm_resolver import __version__

    parser = argparse.ArgumentParser(
        prog="llm-resolver",
        description="Resolve an LLM from a spec and use it: one-off completions, an interactive chat, model "
        "listings, the plugin report, a demo, and a local provider emulator to try it all offline.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    complete.add_parser(commands, plugins)
    models_cmd.add_parser(commands)
    plugin_report.add_parser(commands, plugins)
    demo.add_parser(commands)
    chat.add_parser(commands, plugins)
    emulator_cmd.add_parser(commands)
    batch.add_parser(commands, plugins)
    doctor.add_parser(commands, plugins)
    # Each plugin runs on its own: one that raises is reported on stderr and the CLI carries on.
    plugins.notify("register_commands", cli=commands)
    return parser
