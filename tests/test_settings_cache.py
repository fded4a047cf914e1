"""The cache is shared (Redis) when CACHE_URL or REDIS_URL names one, and each process's own memory otherwise."""

import runpy
import socket
from pathlib import Path

import pytest
from django.core.cache.backends.redis import RedisCache

BASE = Path(__file__).resolve().parent.parent / "config" / "settings" / "base.py"
REDIS = "redis://127.0.0.1:6379/15"


def _caches(monkeypatch: pytest.MonkeyPatch, **environment: str) -> dict[str, dict[str, str]]:
    for name in ("CACHE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE))["CACHES"]


def test_without_a_cache_url_each_process_caches_in_its_own_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _caches(monkeypatch)["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize("name", ["CACHE_URL", "REDIS_URL"])
def test_a_cache_url_makes_the_cache_redis(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    default = _caches(monkeypatch, **{name: REDIS})["default"]
    assert (default["BACKEND"], default["LOCATION"]) == ("django.core.cache.backends.redis.RedisCache", REDIS)


def test_cache_url_wins_over_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    default = _caches(monkeypatch, CACHE_URL=REDIS, REDIS_URL="redis://elsewhere:6379/0")["default"]
    assert default["LOCATION"] == REDIS


def test_two_clients_of_the_redis_cache_see_one_value() -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("no Redis at 127.0.0.1:6379 (it is optional: the cache is then each process's own memory)")
    first, second = (RedisCache(REDIS, {"KEY_PREFIX": "commonweal-test"}) for _ in range(2))
    first.set("figures-version", 41, 30)
    assert second.get("figures-version") == 41
    second.delete("figures-version")
    assert first.get("figures-version") is None


@pytest.mark.parametrize(
    "module", ["config.settings.base", "config.settings.production", "config.settings.test", "benchmarks.settings_load"]
)
def test_every_settings_module_names_every_storage_the_code_uses(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    """A settings module that sets STORAGES itself must still name "spend": the spend pages read it."""
    monkeypatch.setenv("SECRET_KEY", "settings-test-only-0123456789abcdefghijklmnopqrstuvwxyz-not-a-real-secret")
    path = Path(__file__).resolve().parent.parent / (module.replace(".", "/") + ".py")
    assert {"default", "spend", "staticfiles"} <= set(runpy.run_path(str(path), run_name=module)["STORAGES"])
