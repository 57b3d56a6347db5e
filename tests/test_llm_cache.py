"""The response cache: canonical keys, atomic entries, corrupt entries are misses, concurrent writers."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from pathlib import Path

from codearena.llm.cache import ResponseCache

REPO = Path(__file__).resolve().parent.parent

REQUEST = {
    "model": "openai/m",
    "api_base": "http://127.0.0.1:1/v1",
    "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "build a clock"}],
    "sampling": {"temperature": 0.0, "max_tokens": 100},
    "extra": {},
}


def test_key_is_canonical_and_covers_every_field():
    key = ResponseCache.key(REQUEST)
    assert len(key) == 64 and int(key, 16) >= 0
    reordered = {k: REQUEST[k] for k in reversed(list(REQUEST))}
    reordered["sampling"] = {"max_tokens": 100, "temperature": 0.0}
    assert ResponseCache.key(reordered) == key
    changes = {
        "model": "openai/other",
        "api_base": "http://127.0.0.1:2/v1",
        "messages": REQUEST["messages"][:1] + [{"role": "user", "content": "build a clock!"}],
        "sampling": {"temperature": 0.7, "max_tokens": 100},
        "extra": {"top_p": 0.9},
    }
    keys = {ResponseCache.key({**REQUEST, field: value}) for field, value in changes.items()}
    assert len(keys) == len(changes) and key not in keys


def test_put_get_layout_and_no_temporary_files(tmp_path):
    cache = ResponseCache(tmp_path / "c")
    key = ResponseCache.key(REQUEST)
    assert cache.get(key) is None
    cache.put(key, {"text": "héllo", "usage": {"total_tokens": 3}})
    path = tmp_path / "c" / key[:2] / f"{key}.json"
    assert path.is_file()
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    got = cache.get(key)
    assert got["text"] == "héllo" and got["usage"] == {"total_tokens": 3} and got["key"] == key


def test_disabled_cache_stores_nothing(tmp_path):
    cache = ResponseCache(None)
    key = ResponseCache.key(REQUEST)
    cache.put(key, {"text": "x"})
    assert not cache.enabled and cache.get(key) is None
    assert list(tmp_path.iterdir()) == []


def test_corrupt_entries_are_misses_and_reported(tmp_path, caplog):
    cache = ResponseCache(tmp_path)
    key = ResponseCache.key(REQUEST)
    path = cache.path(key)
    path.parent.mkdir(parents=True)
    bad_contents = ['{"text": "half a wri', "[1, 2]", json.dumps({"text": "x", "key": "0" * 64}), ""]
    with caplog.at_level(logging.WARNING, logger="codearena.llm.cache"):
        for text in bad_contents:
            path.write_text(text)
            assert cache.get(key) is None
    assert cache.corrupt == len(bad_contents)
    assert caplog.text.count(str(path)) == len(bad_contents)
    cache.put(key, {"text": "recomputed"})  # the next success repairs the entry
    assert cache.get(key)["text"] == "recomputed"


WRITER = """
import sys
from codearena.llm.cache import ResponseCache
cache = ResponseCache(sys.argv[1])
me = sys.argv[2]
for i in range(300):
    cache.put(sys.argv[3], {"writer": me, "i": i, "text": me * (1000 + 37 * i)})
"""


def test_two_processes_writing_one_key_leave_a_valid_entry(tmp_path):
    key = ResponseCache.key(REQUEST)
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), name, key], cwd=REPO)
        for name in ("a", "b")
    ]
    cache = ResponseCache(tmp_path)
    reads = 0
    while any(p.poll() is None for p in procs):
        got = cache.get(key)  # a reader racing the writers sees a miss or a whole entry, never a torn one
        if got is not None:
            reads += 1
            assert got["text"] == got["writer"] * (1000 + 37 * got["i"])
        time.sleep(0.001)
    assert [p.wait() for p in procs] == [0, 0]
    final = cache.get(key)
    assert final is not None and final["i"] == 299 and final["text"] == final["writer"] * (1000 + 37 * 299)
    assert cache.corrupt == 0
    assert [p.name for p in cache.path(key).parent.iterdir()] == [f"{key}.json"]  # no temporary files left
    assert reads > 0
