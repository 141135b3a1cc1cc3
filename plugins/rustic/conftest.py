"""rusticai-core installs on Python 3.13 only: scripts/test runs these tests in .venv-py313, and the
3.11 run, where rustic_ai cannot be imported, does not collect them."""

import importlib.util

collect_ignore = [] if importlib.util.find_spec("rustic_ai") else ["tests"]
