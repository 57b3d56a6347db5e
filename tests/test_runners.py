"""Runners for real: the Python runner in bubblewrap, the HTML runner in Chromium."""

from __future__ import annotations

import textwrap
import time

import pytest
from PIL import Image

from codearena.runners import RUNNERS, RunContext, Sample, run_sample, unsupported
from codearena.runners.common import is_blank, truncate
from codearena.sandbox import get_backend

pytestmark = pytest.mark.timeout(120)

SETTINGS = {"timeout_s": 8, "cpu_s": 8, "output_chars": 400, "viewport": [800, 600], "max_page_height": 1200,
            "settle_ms": 300}


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    root = tmp_path_factory.mktemp("runners")
    context = RunContext(workdir=root / "work", outdir=root / "out", backend=get_backend("local"),
                         settings=dict(SETTINGS))
    context.workdir.mkdir()
    yield context
    context.close()


def run(ctx, env: str, code: str, uid: str = "u1", **settings) -> dict:
    old = dict(ctx.settings)
    ctx.settings.update(settings)
    try:
        return run_sample(Sample(uid=uid, model="m", env=env, code=textwrap.dedent(code)), ctx)
    finally:
        ctx.settings.clear()
        ctx.settings.update(old)


def image(ctx, relpath: str) -> Image.Image:
    return Image.open(ctx.outdir / relpath).convert("RGB")


def has_pixel(img: Image.Image, predicate) -> bool:
    return any(predicate(colour) for _, colour in img.getcolors(img.width * img.height))


# -- Python -------------------------------------------------------------------------------------------

def test_python_hello_world(ctx):
    r = run(ctx, "python", "print('hello world')")
    assert (r["status"], r["exit_code"], r["stdout"], r["stderr"]) == ("ok", 0, "hello world\n", "")
    assert r["env"] == "python" and r["environment"] == "Python Runner" and r["backend"] == "local"
    assert len(r["code_sha256"]) == 64 and r["duration_s"] > 0


def test_python_error_keeps_streams_apart_and_traceback_lines_match_the_code(ctx):
    code = """\
        import sys
        print("to stdout")
        print("to stderr", file=sys.stderr)

        def fail():
            raise ValueError("boom")
        fail()
    """
    r = run(ctx, "python", code)
    assert r["status"] == "error" and r["exit_code"] == 1
    assert r["stdout"] == "to stdout\n"
    assert r["stderr"].startswith("to stderr\nTraceback (most recent call last):\n")
    assert 'File "/sandbox/main.py", line 7, in <module>' in r["stderr"]
    assert 'File "/sandbox/main.py", line 6, in fail' in r["stderr"]
    assert "run_python" not in r["stderr"] and "runpy" not in r["stderr"]  # no wrapper frames
    assert r["stderr"].endswith("ValueError: boom\n")


def test_python_exit_code_is_kept(ctx):
    r = run(ctx, "python", "import sys; sys.exit(3)")
    assert (r["status"], r["exit_code"]) == ("error", 3)


def test_python_long_output_keeps_head_and_tail(ctx):
    r = run(ctx, "python", "for i in range(5000): print(f'line {i}')\nraise SystemExit('fatal at the end')")
    assert r["stdout_truncated"] and not r["stderr_truncated"]
    assert r["stdout"].startswith("line 0\nline 1\n") and r["stdout"].endswith("line 4999\n")
    assert "characters omitted" in r["stdout"] and len(r["stdout"]) < 500
    assert r["stderr"] == "fatal at the end\n"


def test_truncate_keeps_exactly_head_and_tail():
    text = "a" * 50 + "b" * 100 + "c" * 50
    cut, truncated = truncate(text, 100)
    assert truncated and cut.startswith("a" * 50 + "\n[... 100 characters omitted ...]\n")
    assert cut.endswith("\n" + "c" * 50)
    assert truncate("short", 100) == ("short", False)


def test_python_timeout(ctx):
    r = run(ctx, "python", "import time\nprint('started', flush=True)\ntime.sleep(60)", timeout_s=1.5)
    assert r["status"] == "timeout" and r["exit_code"] is None
    assert r["stdout"] == "started\n" and "timed out after 1.5 s" in r["stderr"]
    assert r["duration_s"] < 5


def test_python_matplotlib_figures_saved_in_order(ctx):
    code = """\
        import matplotlib.pyplot as plt
        plt.plot([1, 2, 3], [3, 1, 2], color="red")
        plt.title("first")
        plt.show()
        plt.figure()
        plt.bar(["a", "b"], [1, 2], color="blue")
        # never shown: saved when the program ends
    """
    r = run(ctx, "python", code, uid="mpl/1")
    assert r["status"] == "ok", r["stderr"]
    assert len(r["figures"]) == 2
    assert all(f.startswith("figures/mpl_1-") and f.endswith(f"_{i}.png") for i, f in enumerate(r["figures"]))
    first, second = (image(ctx, f) for f in r["figures"])
    assert not is_blank(ctx.outdir / r["figures"][0])
    # the red line plot comes first, the blue bar chart second
    assert has_pixel(first, lambda p: p[0] > 200 and p[1] < 80 and p[2] < 80)
    assert has_pixel(second, lambda p: p[2] > 150 and p[0] < 80)


def test_python_images_written_by_the_program_are_collected_but_not_symlinks(ctx):
    code = """\
        import os
        from PIL import Image
        Image.new("RGB", (40, 30), (0, 200, 0)).save("chart.jpg")
        os.symlink("/etc/passwd", "leak.png")
    """
    r = run(ctx, "python", code)
    assert r["status"] == "ok", r["stderr"]
    assert r["figures"] == ["figures/u1_0.png"]
    img = image(ctx, r["figures"][0])
    assert img.size == (40, 30) and img.getpixel((5, 5))[1] > 180


def test_python_plotly_without_kaleido_is_rendered_from_html(ctx):
    code = """\
        import plotly.graph_objects as go
        go.Figure(go.Bar(x=["a", "b"], y=[1, 3], marker_color="rgb(255,0,0)")).show()
    """
    r = run(ctx, "python", code)
    assert r["status"] == "ok", r["stderr"]
    assert len(r["figures"]) == 1
    assert has_pixel(image(ctx, r["figures"][0]), lambda p: p[0] > 230 and p[1] < 30 and p[2] < 30)


def test_python_missing_module_reports_the_distribution(ctx):
    r = run(ctx, "python", "import cv2\nprint(cv2.__version__)")
    assert r["status"] == "missing_dependency"
    assert r["missing_dependencies"] == ["opencv-python"]
    assert "No module named 'cv2'" in r["stderr"]


def test_python_common_libraries_are_installed(ctx):
    code = """\
        import numpy, pandas, scipy, sympy, networkx, sklearn, seaborn, requests, bs4, yaml
        print(pandas.DataFrame({"a": [1, 2]}).a.sum(), sympy.simplify("x + x"))
    """
    r = run(ctx, "python", code)
    assert (r["status"], r["stdout"]) == ("ok", "3 2*x\n"), r["stderr"]


# -- HTML ---------------------------------------------------------------------------------------------

def test_html_renders_a_non_blank_screenshot(ctx):
    page = """\
        <!DOCTYPE html><html><body style="margin:0;background:#fff">
        <h1 style="color:#0000ff;font-size:64px">Hello</h1>
        <script>console.log("ready"); document.body.insertAdjacentHTML("beforeend", "<p id=later>later</p>")</script>
        </body></html>
    """
    r = run(ctx, "html", page)
    assert r["status"] == "ok" and r["exit_code"] is None and not r["blank_screenshot"]
    assert r["environment"] == "HTML"
    assert 1 <= len(r["screenshots"]) <= 2 and r["screenshots"][0] == "screenshots/u1_0.png"
    shot = image(ctx, r["screenshots"][-1])
    assert shot.size == (800, 600)
    assert has_pixel(shot, lambda p: p[2] > 200 and p[0] < 60)  # the blue heading
    assert "log: ready" in r["console"]


def test_html_placeholder_image_is_replaced(ctx):
    page = '<body style="margin:0"><img src="/api/placeholder/400/300" style="display:block"></body>'
    r = run(ctx, "html", page)
    assert r["status"] == "ok"
    shot = image(ctx, r["screenshots"][-1])
    assert shot.getpixel((20, 20)) == (0xD1, 0xD5, 0xDB)  # the generated placeholder, not a broken image
    assert shot.getpixel((420, 20)) == (255, 255, 255)


def test_html_unknown_cdn_script_is_blocked_fast_and_reported(ctx):
    url = "https://cdn.jsdelivr.net/npm/not-a-vendored-library@1/dist/lib.min.js"
    page = f"""\
        <html><head><script src="{url}"></script></head>
        <body><h1>Chart</h1><script>new NotVendored(document.body)</script></body></html>
    """
    start = time.monotonic()
    r = run(ctx, "html", page)
    assert time.monotonic() - start < 4
    assert f"requestblocked: {url}" in r["console"]
    assert "pageerror: ReferenceError: NotVendored is not defined" in r["console"]
    assert f"blocked (no network): {url}" in r["stderr"]
    assert r["status"] == "ok"  # the heading still rendered


def test_html_vendored_cdn_library_is_served_locally(ctx):
    page = """\
        <html><head><script src="https://cdn.jsdelivr.net/npm/chart.js"></script></head>
        <body><canvas id="c" width="400" height="300"></canvas><script>
        new Chart(document.getElementById("c"), {type: "bar", options: {animation: false},
          data: {labels: ["a", "b"], datasets: [{data: [3, 5], backgroundColor: "rgb(200, 0, 0)"}]}});
        </script></body></html>
    """
    r = run(ctx, "html", page)
    assert r["status"] == "ok", r["stderr"]
    assert not any(c.startswith(("requestblocked", "pageerror")) for c in r["console"]), r["console"]
    assert "1 CDN request(s) served from vendored copies" in r["notes"]
    assert has_pixel(image(ctx, r["screenshots"][-1]), lambda c: c[0] > 150 and c[1] < 60 and c[2] < 60)


def test_html_infinite_loop_still_gives_a_record_within_the_deadline(ctx):
    page = '<body><h1 style="font-size:80px">before the loop</h1><script>while (true) {}</script></body>'
    start = time.monotonic()
    r = run(ctx, "html", page, timeout_s=5)
    assert time.monotonic() - start < 5 + 3
    assert r["status"] == "timeout"
    assert r["screenshots"] and not r["blank_screenshot"]  # the part before the loop is visible
    assert "terminateExecution" in r["stderr"]
    # the browser is still healthy for the next sample
    assert run(ctx, "html", "<h1>next</h1>", uid="u2")["status"] == "ok"


def test_html_page_error_on_an_empty_page_is_an_error_and_flagged_blank(ctx):
    r = run(ctx, "html", "<body><script>document.getElementById('app').innerHTML = 'x'</script></body>")
    assert r["status"] == "error" and r["blank_screenshot"]
    assert any(c.startswith("pageerror: TypeError") for c in r["console"])
    assert "pageerror: TypeError" in r["stderr"] and "blank" in r["stderr"]


def test_html_navigation_away_is_cancelled_and_popups_closed(ctx):
    page = """\
        <body><h1 style="font-size:80px;color:#f00">stay</h1>
        <script>window.open("other.html"); location.href = "https://example.com/elsewhere"</script></body>
    """
    start = time.monotonic()
    r = run(ctx, "html", page)
    assert time.monotonic() - start < 4  # the load wait ends when the navigation is cancelled
    assert r["status"] == "ok"
    assert any("navigation to https://example.com/elsewhere was cancelled" in n for n in r["notes"])
    assert "a popup was closed (https://sandbox.local/other.html)" in r["notes"]
    assert has_pixel(image(ctx, r["screenshots"][-1]), lambda p: p[0] > 200 and p[1] < 60)


def test_unsupported_environment_gets_an_explicit_record(ctx, monkeypatch):
    monkeypatch.setitem(RUNNERS, "rust", unsupported)  # as for an environment without a runner in a build
    r = run(ctx, "rust", "fn main() {}")
    assert r["status"] == "unsupported"
    assert r["stderr"] == "environment not supported by this build: Rust Runner"
    assert set(RUNNERS) >= {"python", "html", "react", "rust"}


def test_html_frames_with_a_scripted_click_and_key_and_the_judges_subset(ctx):
    page = """\
        <body style="margin:0"><div id="box" style="width:100%;height:300px;background:rgb(0,0,200)"></div>
        <button id="go" style="font-size:40px">Go</button><p id="k" style="font-size:40px">no key</p>
        <script>
          document.getElementById("go").onclick = () => { document.getElementById("box").style.background = "rgb(200,0,0)"; };
          addEventListener("keydown", (e) => { document.getElementById("k").textContent = "key " + e.code; });
        </script></body>
    """
    frames = [{"wait_ms": 0, "judge": False}, {"wait_ms": 50, "key": "Space"}, {"wait_ms": 100, "click": True}]
    r = run(ctx, "html", page, frames=frames)
    assert r["status"] == "ok", r["stderr"]
    assert len(r["screenshots"]) == 3
    assert r["judge_screenshots"] == r["screenshots"][1:]
    assert 'frame 3: clicked button#go "Go"' in r["notes"] and "frame 2: pressed Space" in r["notes"]
    first, last = image(ctx, r["screenshots"][0]), image(ctx, r["screenshots"][-1])
    assert first.getpixel((10, 10)) == (0, 0, 200) and last.getpixel((10, 10)) == (200, 0, 0)


def test_html_unchanged_frames_are_stored_once_and_stand_for_the_judge(ctx):
    frames = [{"wait_ms": 0}, {"wait_ms": 50, "judge": False}, {"wait_ms": 50}]
    r = run(ctx, "html", '<h1 style="font-size:60px">static</h1>', frames=frames)
    assert len(r["screenshots"]) == 1 and r["judge_screenshots"] == r["screenshots"]


def test_a_bad_frame_setting_is_named(ctx):
    r = run(ctx, "html", "<h1>x</h1>", frames=[{"wait": 10}])
    assert r["status"] == "sandbox_error" and "execution.frames[0]" in r["stderr"]
