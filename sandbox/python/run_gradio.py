"""Run a model's Gradio app inside the sandbox, listening where the runner looks for it.

    python run_gradio.py SCRIPT

The runner sets GRADIO_SERVER_NAME/GRADIO_SERVER_PORT (and turns analytics and the Hugging Face hub
off). Gradio only uses those when `launch()` gets no `server_name`/`server_port`, so `Blocks.launch`
is wrapped to pin them whatever the app passes, with `share`, `inbrowser` and `prevent_thread_lock`
off (no tunnel, no browser, and the call blocks, so the app keeps serving). The wrapping happens when
the app imports gradio (an app that fails before that does not pay for the import). The source is never
rewritten. An app that builds its interface but never calls `launch()` (it was meant to be imported)
gets its Blocks launched: `demo` first, else the last Blocks the script defined. The script runs
through `runpy` as `__main__`, so `if __name__ == "__main__": demo.launch()` works and traceback lines
are the script's own.
"""

import os
import runpy
import sys
import traceback

from run_python import _PostImportHook, _user_traceback  # (same directory)

NO_APP = 3  # exit code: the script ended without defining a Gradio app
PREFERRED_NAMES = ("demo", "app", "iface", "interface", "ui")
_launched = []


def _note(message):
    print(f"[codearena] {message}", file=sys.stderr, flush=True)


def _patch_launch(module):
    """Wrap Blocks.launch (Interface and ChatInterface inherit it) when gradio.blocks is imported."""
    blocks = module.Blocks
    original = blocks.launch

    def launch(self, *args, **kwargs):
        _launched.append(self)
        if args:
            _note(f"launch() positional arguments ignored: {args!r}")
        kwargs.update(server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                      server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
                      share=False, inbrowser=False, prevent_thread_lock=False)
        return original(self, **kwargs)

    blocks.launch = launch


def _app_in(namespace, blocks):
    """The Blocks the script meant to serve: a preferred name first, else the last one defined."""
    found = [(name, value) for name, value in namespace.items() if isinstance(value, blocks)]
    for name in PREFERRED_NAMES:
        for found_name, value in found:
            if found_name == name:
                return name, value
    return found[-1] if found else (None, None)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    script = os.path.abspath(argv[1])
    sys.meta_path.insert(0, _PostImportHook({"gradio.blocks": _patch_launch}))
    sys.argv = [script]
    sys.path[0] = os.path.dirname(script)
    try:
        namespace = runpy.run_path(script, run_name="__main__")
        if _launched:
            return 0  # launch() returned: the app was closed
        blocks = sys.modules.get("gradio.blocks")
        name, app = _app_in(namespace, blocks.Blocks) if blocks else (None, None)
        if app is None:
            _note("the script ended without launching a Gradio app (no launch() call and no Blocks/Interface defined)")
            return NO_APP
        _note(f"the script never called launch(); launching `{name}`")
        app.launch()
    except SystemExit:
        raise
    except BaseException as exc:
        traceback.print_exception(type(exc), exc, _user_traceback(exc, script))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
