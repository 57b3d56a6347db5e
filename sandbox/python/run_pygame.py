"""Run a model's PyGame game headless and save what it displays.

    python run_pygame.py SCRIPT OUTDIR [--frames 1,30,60] [--max-seconds 5] [--idle-seconds 1]

SDL runs with its dummy video and audio drivers. `pygame.display.flip`/`update` are wrapped to count
display updates: after the listed counts the display surface is saved as OUTDIR/frame_NN.png, and after
each saved frame but the last, scripted input is posted with `pygame.event.post` (a click in the middle
of the window, then key presses: space, arrows, enter), so the next frames show the game reacting.

A watchdog thread covers games that do not keep updating: one that blocks in `pygame.event.wait()`
(no signal handler runs there: SDL retries the wait), one that draws once and waits, one that loops
without updating. When the display has been idle for --idle-seconds, it saves the frame (if it
changed) and posts the next input; when no input is left, or after --max-seconds in all, it stops.

Stopping is `os._exit` after the frames and OUTDIR/status.json are written, so the game's own
`except Exception:` (or a bare `except:`) cannot swallow it. A game that ends by itself gets its last
displayed frame saved when it calls `pygame.quit()` or returns. An exception is printed with the
script's own traceback (this wrapper's frames cut) and exits 1; frames displayed before it are kept,
and nothing is saved at the moment of the crash (a blank surface would mislead). The script runs
through `runpy` as `__main__`, so both `while running: ...` loops and `asyncio.run(main())` work.
"""

import json
import os
import runpy
import sys
import threading
import time
import traceback

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from run_python import _user_traceback  # noqa: E402  (same directory)


class Capture:
    def __init__(self, outdir, frames, max_seconds, idle_seconds):
        self.outdir, self.frames = outdir, sorted(set(frames))
        self.max_seconds, self.idle_seconds = max_seconds, idle_seconds
        self.lock = threading.RLock()
        self.start = time.monotonic()
        self.updates = 0  # display updates so far
        self.saved_at = -1  # `updates` when the last frame was saved
        self.last_update = self.start
        self.saved = []  # {"file", "updates", "seconds", "why"}
        self.inputs_posted = 0
        self.pygame = None

    # -- frames -----------------------------------------------------------------------------------
    def save(self, why):
        """Save the display surface if it changed since the last frame; True if one was written."""
        with self.lock:
            pygame = self.pygame
            if pygame is None or self.updates == self.saved_at:
                return False
            try:
                if not pygame.display.get_init():
                    return False
                surface = pygame.display.get_surface()
                if surface is None:
                    return False
                path = os.path.join(self.outdir, f"frame_{len(self.saved):02d}.png")
                pygame.image.save(surface.copy(), path)
            except Exception as e:  # the display may be gone (pygame.quit in another thread)
                print(f"[codearena] could not save a frame: {type(e).__name__}: {e}", file=sys.stderr)
                return False
            self.saved_at = self.updates
            self.saved.append({"file": os.path.basename(path), "updates": self.updates,
                               "seconds": round(time.monotonic() - self.start, 3), "why": why})
            return True

    def finish(self, stopped, exit_code=0):
        """Write status.json and end the process at once (nothing in the game can intercept it)."""
        with self.lock:
            status = {"stopped": stopped, "updates": self.updates, "frames": self.saved,
                      "inputs_posted": self.inputs_posted, "seconds": round(time.monotonic() - self.start, 3)}
            try:
                with open(os.path.join(self.outdir, "status.json"), "w") as f:
                    json.dump(status, f)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(exit_code)

    # -- scripted input ---------------------------------------------------------------------------
    def post_input(self):
        """Post the next batch of input; False when the script is used up."""
        pygame = self.pygame
        batches = self._batches(pygame)
        if self.inputs_posted >= len(batches):
            return False
        try:
            for event in batches[self.inputs_posted]:
                pygame.event.post(event)
        except Exception as e:  # e.g. the event queue is full or the display was closed
            print(f"[codearena] could not post input: {type(e).__name__}: {e}", file=sys.stderr)
        self.inputs_posted += 1
        return True

    @staticmethod
    def _batches(pygame):
        surface = pygame.display.get_surface()
        w, h = surface.get_size() if surface is not None else (640, 480)
        centre = (w // 2, h // 2)

        def key(k, char=""):
            common = dict(key=k, mod=0, scancode=0, unicode=char)
            return [pygame.event.Event(pygame.KEYDOWN, **common), pygame.event.Event(pygame.KEYUP, **common)]

        def click(pos):
            return [pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)),
                    pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1),
                    pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1)]

        return [
            click(centre),
            key(pygame.K_SPACE, " ") + key(pygame.K_RIGHT) + key(pygame.K_RIGHT),
            key(pygame.K_UP) + key(pygame.K_LEFT) + key(pygame.K_RETURN, "\r"),
        ]

    # -- hooks ------------------------------------------------------------------------------------
    def on_update(self):
        with self.lock:
            self.updates += 1
            self.last_update = time.monotonic()
            if self.updates not in self.frames:
                return
            self.save(f"after {self.updates} display updates")
            if self.updates >= self.frames[-1]:
                self.finish("frames")
            self.post_input()

    def watchdog(self):
        idle_since_input = None
        while True:
            time.sleep(0.05)
            now = time.monotonic()
            with self.lock:
                if now - self.start >= self.max_seconds:
                    self.save(f"watchdog: {self.max_seconds:g} s limit")
                    self.finish("time_limit")
                if self.updates == 0 or now - self.last_update < self.idle_seconds:
                    continue
                if idle_since_input is not None and self.last_update > idle_since_input:
                    idle_since_input = None  # the game reacted to the input
                self.save(f"watchdog: no display update for {self.idle_seconds:g} s")
                if idle_since_input is not None and now - idle_since_input < self.idle_seconds:
                    continue
                if not self.post_input():
                    self.finish("idle")
                idle_since_input = now

    def install(self, pygame):
        self.pygame = pygame
        display = pygame.display
        flip, update, quit_display, quit_all = display.flip, display.update, display.quit, pygame.quit

        def wrapped_flip(*args, **kwargs):
            result = flip(*args, **kwargs)
            self.on_update()
            return result

        def wrapped_update(*args, **kwargs):
            result = update(*args, **kwargs)
            self.on_update()
            return result

        def before_quit(original):
            def quit_(*args, **kwargs):
                self.save("the game closed its window")
                return original(*args, **kwargs)
            return quit_

        display.flip, display.update = wrapped_flip, wrapped_update
        display.quit, pygame.quit = before_quit(quit_display), before_quit(quit_all)


def _options(argv):
    opts = {"--frames": "1,30,60", "--max-seconds": "5", "--idle-seconds": "1"}
    rest = []
    i = 0
    while i < len(argv):
        if argv[i] in opts and i + 1 < len(argv):
            opts[argv[i]] = argv[i + 1]
            i += 2
        else:
            rest.append(argv[i])
            i += 1
    frames = [int(x) for x in opts["--frames"].split(",") if x.strip()]
    return rest, frames, float(opts["--max-seconds"]), float(opts["--idle-seconds"])


def main(argv):
    rest, frames, max_seconds, idle_seconds = _options(argv[1:])
    if len(rest) != 2 or not frames:
        print(__doc__, file=sys.stderr)
        return 2
    script, outdir = os.path.abspath(rest[0]), os.path.abspath(rest[1])
    os.makedirs(outdir, exist_ok=True)
    capture = Capture(outdir, frames, max_seconds, idle_seconds)
    try:
        import pygame
    except ImportError:
        pygame = None  # the script's own import says what is missing
    if pygame is not None:
        capture.install(pygame)
    threading.Thread(target=capture.watchdog, name="codearena-watchdog", daemon=True).start()
    sys.argv = [script]
    sys.path[0] = os.path.dirname(script)
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
        capture.save("the game exited")
        capture.finish("exit", code)
    except BaseException as exc:
        traceback.print_exception(type(exc), exc, _user_traceback(exc, script))
        capture.finish("error", 1)
    capture.save("the game ended")
    capture.finish("exit", 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
