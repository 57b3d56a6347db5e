"""Run a model's Python script inside the sandbox and keep the pictures it shows.

    python run_python.py SCRIPT [OUTDIR]

The script runs through `runpy` as `__main__`, so traceback line numbers are the script's own (no
preamble is prepended) and frames of this wrapper are cut from tracebacks. matplotlib is forced to
the Agg backend; `plt.show()` and the end of the program save every open figure as
OUTDIR/NNNN_matplotlib.png. plotly's `show()` writes OUTDIR/NNNN_plotly.png when kaleido is available,
else OUTDIR/NNNN_plotly.html (the host renders it). NNNN counts outputs in the order they were shown.
Patches are applied when the program imports those libraries, so a script that does not use them
pays nothing. With `--fonts DIR` it only builds matplotlib's font cache in DIR and exits.
"""

import atexit
import importlib.abc
import importlib.machinery
import os
import runpy
import sys
import traceback

OUTDIR = ".codearena"
_counter = [0]


def _next_path(kind, ext):
    os.makedirs(OUTDIR, exist_ok=True)
    _counter[0] += 1
    return os.path.join(OUTDIR, f"{_counter[0]:04d}_{kind}.{ext}")


def _note(message):
    print(f"[codearena] {message}", file=sys.stderr)


def _save_open_figures(plt):
    for num in list(plt.get_fignums()):
        fig = plt.figure(num)
        try:
            fig.savefig(_next_path("matplotlib", "png"), dpi=100, bbox_inches="tight")
        except Exception as e:  # a broken figure must not hide the program's own output
            _note(f"could not save figure {num}: {type(e).__name__}: {e}")
        plt.close(fig)


def _patch_pyplot(plt):
    def show(*args, **kwargs):
        _save_open_figures(plt)

    plt.show = show
    atexit.register(_save_open_figures, plt)


def _patch_plotly_io(pio):
    def show(fig, *args, **kwargs):
        try:
            if not hasattr(fig, "write_image"):  # pio.show also takes a dict
                import plotly.graph_objects as go

                fig = go.Figure(fig)
        except Exception as e:
            _note(f"plotly show: not a figure ({type(e).__name__}: {e})")
            return
        try:
            import kaleido  # noqa: F401  (write_image needs it; without it fall back to HTML)

            fig.write_image(_next_path("plotly", "png"))
            return
        except Exception:
            pass
        try:
            fig.write_html(_next_path("plotly", "html"), include_plotlyjs=True, full_html=True)
        except Exception as e:
            _note(f"plotly show: could not save the figure ({type(e).__name__}: {e})")

    pio.show = show


PATCHES = {"matplotlib.pyplot": _patch_pyplot, "plotly.io": _patch_plotly_io}


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader, patch):
        self.loader, self.patch = loader, patch

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        self.patch(module)


class _PostImportHook(importlib.abc.MetaPathFinder):
    """Patch a module right after it is first imported (a lazy preamble)."""

    def __init__(self, patches=None):
        self.patches = PATCHES if patches is None else patches

    def find_spec(self, name, path, target=None):
        patch = self.patches.get(name)
        if patch is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _PatchingLoader(spec.loader, patch)
        return spec


def _user_traceback(exc, script):
    """The exception's traceback from the first frame of the user's script on (None for a SyntaxError,
    which Python reports without a traceback)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != script:
        tb = tb.tb_next
    return tb


def main(argv):
    global OUTDIR
    if len(argv) == 3 and argv[1] == "--fonts":
        os.environ["MPLCONFIGDIR"] = argv[2]
        import matplotlib.font_manager  # noqa: F401  (builds fontlist-*.json in MPLCONFIGDIR)
        return 0
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    script = os.path.abspath(argv[1])
    if len(argv) == 3:
        OUTDIR = os.path.abspath(argv[2])
    os.environ["MPLBACKEND"] = "Agg"
    sys.meta_path.insert(0, _PostImportHook())
    sys.argv = [script]
    sys.path[0] = os.path.dirname(script)  # as `python script.py` would have it, not this wrapper's dir
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as exc:
        traceback.print_exception(type(exc), exc, _user_traceback(exc, script))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
