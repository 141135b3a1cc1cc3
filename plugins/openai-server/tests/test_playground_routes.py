"""The playground's files: served from the package with a strict content policy, nothing else."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from llm_resolver_openai_server.playground import playground_router

from .test_catalog_routes import served


@pytest.fixture
def site() -> Iterator[httpx.Client]:
    """A host's own app, with the playground under its prefix."""
    app = FastAPI()
    app.include_router(playground_router(), prefix="/llm")
    with served(app) as url, httpx.Client(base_url=f"{url}/llm", timeout=60) as client:
        yield client


def test_the_page_and_its_modules_are_served_under_the_hosts_prefix(site: httpx.Client) -> None:
    page = site.get("/playground")

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "connect-src 'self'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert '<script type="module" src="playground/app.js">' in page.text
    for name in ("app.js", "api.js", "sse.js", "view.js"):
        module = site.get(f"/playground/{name}")
        assert module.status_code == 200
        assert module.headers["content-type"] == "text/javascript; charset=utf-8"
    assert site.get("/playground/playground.css").headers["content-type"] == "text/css; charset=utf-8"


def test_the_page_loads_nothing_from_elsewhere(site: httpx.Client) -> None:
    texts = [site.get(f"/playground/{n}").text for n in ("app.js", "api.js", "sse.js", "view.js")]
    texts += [site.get("/playground").text, site.get("/playground/playground.css").text]

    for text in texts:
        assert "http://" not in text
        assert "https://" not in text
        assert "innerHTML" not in text  # what a server or a user wrote goes in as text


@pytest.mark.parametrize("name", ["nope.js", "index.html", "..%2Fplayground.py", "..%2F..%2Fpyproject.toml"])
def test_only_the_packaged_assets_are_served(site: httpx.Client, name: str) -> None:
    response = site.get(f"/playground/{name}")

    assert response.status_code == 404
    assert "playground_router" not in response.text
    assert "[project]" not in response.text


def test_an_unknown_asset_is_an_openai_shaped_404(site: httpx.Client) -> None:
    error = site.get("/playground/nope.js").json()["error"]

    assert (error["code"], error["message"]) == ("not_found", "the playground has no file 'nope.js'")
