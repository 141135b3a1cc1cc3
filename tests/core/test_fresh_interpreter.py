"""Import-time and process-wide behaviour, each checked in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys


def run_python(code: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "OPENAI_"))}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env, check=False
    )


def test_import_does_not_import_litellm() -> None:
    result = run_python("import llm_resolver; import sys; assert 'litellm' not in sys.modules")
    assert result.returncode == 0, result.stderr


def test_resolving_an_llm_begins_litellm_s_import_in_the_background() -> None:
    """Resolving does not wait for LiteLLM (seconds of import), but starts it on a thread so the
    first call does not pay for it."""
    code = """
import sys, time
from llm_resolver import Dependencies, Scope
from llm_resolver.backend import loader
assert 'litellm' not in sys.modules, 'importing llm_resolver imported litellm'
deps = Dependencies.from_yaml('llm: {class_name: litellm, properties: {model: openai/gpt-4o-mini}}')
started = time.monotonic()
llm = deps.get('llm', Scope(org='acme'))
assert llm.model == 'openai/gpt-4o-mini', llm
assert time.monotonic() - started < 1.0, 'resolving waited for the import'
assert not loader.loaded(), 'resolving imported litellm in the caller'
deadline = time.monotonic() + 60
while not loader.loaded() and time.monotonic() < deadline:
    time.sleep(0.05)
assert loader.loaded(), 'the background import never finished'
"""
    result = run_python(code, OPENAI_API_KEY="sk-from-the-environment")
    assert result.returncode == 0, result.stderr


def test_litellm_imported_after_llm_resolver_reads_its_local_price_map() -> None:
    """An application importing LiteLLM itself (to set one of its globals) after llm_resolver: the
    offline defaults are already in the environment, so LiteLLM fetches nothing."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "OPENAI_", "LITELLM_"))}
    env["LITELLM_MODEL_COST_MAP_URL"] = "http://127.0.0.1:1/"  # closed: any fetch fails and is logged
    code = "import llm_resolver, litellm; assert litellm.model_cost['gpt-4o-mini']"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "cost map" not in result.stderr


def test_threads_asking_first_for_the_default_plugin_manager_share_one() -> None:
    code = """
import threading
from concurrent.futures import ThreadPoolExecutor
from llm_resolver.plugins.default import default_plugin_manager

start = threading.Barrier(8)

def get(_):
    start.wait()
    return default_plugin_manager()

with ThreadPoolExecutor(8) as pool:
    managers = list(pool.map(get, range(8)))
assert len({id(m) for m in managers}) == 1, 'several default plugin managers were built'
assert 'litellm' in managers[0].resolvers()
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr


def test_import_loads_no_pydantic_and_none_of_the_package_s_modules() -> None:
    """``import llm_resolver`` is cheap: each public name is imported on first access."""
    code = """
import sys
import llm_resolver
ours = sorted(m for m in sys.modules if m.startswith('llm_resolver.'))
assert ours == ['llm_resolver.backend', 'llm_resolver.backend.loader', 'llm_resolver.lazy'], ours
assert 'pydantic' not in sys.modules
assert llm_resolver.LiteLLMConfig.__name__ == 'LiteLLMConfig'
missing = [name for name in llm_resolver.__all__ if not hasattr(llm_resolver, name)]
assert not missing, missing
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr


def test_resolving_imports_none_of_the_call_path_on_the_caller_s_thread() -> None:
    """Resolving checks the config and stops: the call stages, the message and response types,
    asyncio and the server's command are imported on the background thread (or by the first call),
    so a host resolving many specs at start-up does not pay for them; so are the tools' docstring
    parser and the content loaders' module (a plugin tool is built when a config names it). Every
    in-repo plugin loads."""
    code = """
import sys, threading
from llm_resolver import DependencySpec

spec = DependencySpec(class_name='litellm', properties={'model': 'openai/gpt-4o-mini', 'api_key': 'x'})
caller = threading.get_ident()
imported = []

class Recorder:
    def find_spec(self, name, path=None, target=None):
        if threading.get_ident() == caller:
            imported.append(name)
        return None

sys.meta_path.insert(0, Recorder())
llm = spec.to_resolver().get_or_resolve()
sys.meta_path.pop(0)
heavy = ('asyncio', 'ssl', 'tenacity', 'llm_resolver.pipeline.run', 'llm_resolver.pipeline.attempts',
         'llm_resolver.types.messages', 'llm_resolver.types.responses', 'llm_resolver.backend.litellm_backend',
         'llm_resolver.cache.response_cache', 'llm_resolver_openai_server.command',
         'llm_resolver_cost_ledger.ledger', 'llm_resolver.tools.docstrings', 'llm_resolver.vision.loader')
found = sorted(m for m in imported if m in heavy)
assert not found, f'resolving imported {found}'
assert 'calc' in llm.plugins.registrations(), 'the plugins did not load'
assert llm.complete  # the handle is whole
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
