"""The arena's page (Gradio Blocks): two anonymous answers side by side, their live results, the vote.

The page holds no logic: each event hands the visitor's `Visitor` (a per-session `gr.State`) to the
`Arena` and redraws from it. Model text reaches the page only through `render.safe_markdown` (chat) or
text components (code, run output); previews only as a sandboxed iframe on the preview origin.
"""

from __future__ import annotations

import os
import socket

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home from a local app

import gradio as gr  # noqa: E402

from codearena import environments  # noqa: E402

from . import render  # noqa: E402
from .service import Arena, Side, Visitor  # noqa: E402
from .store import SIDES  # noqa: E402

TITLE = "codearena: which model codes better?"
INTRO = ("Ask for a program. Two anonymous models answer side by side; their code runs in a sandbox and "
         "you can try the result, edit the code and run it again, or keep talking. Then vote: the names "
         "are revealed after your vote.")
# Languages gr.Code can highlight, by the extractor's language names.
EDITOR_LANGUAGES = {"python": "python", "html": "html", "javascript": "javascript", "typescript": "typescript",
                    "vue": "html", "c": "c", "cpp": "cpp", "css": "css", "json": "json", "svg": "html"}
VOTES = (("A", "A is better", "vote-a"), ("tie", "Tie", "vote-tie"), ("both_bad", "Both are bad", "vote-bad"),
         ("B", "B is better", "vote-b"))
CSS = ".codearena-preview{display:block} #notice{min-height:1.5em}"
FONT = ["ui-sans-serif", "system-ui", "sans-serif"]  # local fonts: the page loads nothing from the internet
FONT_MONO = ["ui-monospace", "monospace"]


def _chat(battle, side: Side) -> list[dict]:
    """The side's conversation for the chatbot, model text made safe, the streaming draft last."""
    shown = [{"role": m["role"], "content": render.safe_markdown(m["content"])} for m in side.messages]
    if battle is None:
        return shown
    if side.answered != battle.turn:
        if side.error:
            shown.append({"role": "assistant", "content": render.plain(f"(no answer: {side.error})")})
        elif battle.generating:
            shown.append({"role": "assistant", "content": render.safe_markdown(side.draft) if side.draft else "…"})
    return shown


def _run_text(side: Side) -> str:
    if side.running:
        return f"Running {environments.BY_SLUG[side.env].name if side.env in environments.BY_SLUG else 'the code'}…"
    run = side.run
    if run is None:
        if side.answered and not side.code:
            return "The answer has no code to run."
        if side.answered and not side.env:
            return "No environment here runs this code."
        return ""
    parts = [f"[run {run.number} · {run.environment} · {run.status} · {run.duration_s:.1f} s]"]
    if run.stdout:
        parts.append(run.stdout.rstrip())
    if run.stderr:
        parts.append("--- stderr ---\n" + run.stderr.rstrip())
    return "\n".join(parts)


def _preview(side: Side) -> str:
    if side.run is not None and side.run.preview_url and not side.running:
        return render.iframe(side.run.preview_url)
    return ""


def _images(side: Side) -> list[str]:
    return [] if side.run is None or side.running else list(side.run.images)


def new_visitor() -> Visitor:
    """A plain function (Gradio deep-copies a State's initial value and cannot copy a bound method)."""
    return Visitor()


def build(arena: Arena) -> gr.Blocks:
    """The Blocks app for `arena` (launch it with `launch(arena, blocks)`)."""
    with gr.Blocks(title="codearena arena", analytics_enabled=False) as blocks:
        visitor = gr.State(value=new_visitor)  # called for each new browser session
        gr.Markdown(f"# {TITLE}\n{INTRO}")
        with gr.Tab("Arena", id="arena"):
            heads, chats, previews, outputs, galleries, codes, reruns = {}, {}, {}, {}, {}, {}, {}
            with gr.Row(equal_height=False):
                for name in SIDES:
                    tag = name.lower()
                    with gr.Column():
                        heads[name] = gr.Markdown(f"### Model {name}", elem_id=f"head-{tag}")
                        chats[name] = gr.Chatbot(label=f"Model {name}", elem_id=f"chat-{tag}", height=380,
                                                 sanitize_html=True, allow_tags=False, feedback_options=None,
                                                 buttons=["copy"])
                        with gr.Tab("Result"):
                            previews[name] = gr.HTML("", elem_id=f"preview-{tag}", js_on_load=None)
                            outputs[name] = gr.Textbox(label="Run output", lines=6, max_lines=20, interactive=False,
                                                       elem_id=f"output-{tag}")
                            galleries[name] = gr.Gallery(label="Figures and screenshots", columns=2, height=240,
                                                         elem_id=f"gallery-{tag}", interactive=False, format="png")
                        with gr.Tab("Code"):
                            codes[name] = gr.Code(label="Code (edit it and run it again)", interactive=True,
                                                  lines=12, max_lines=30, elem_id=f"code-{tag}")
                            reruns[name] = gr.Button("Run the edited code", elem_id=f"rerun-{tag}",
                                                     interactive=False)
            notice = gr.Markdown("", elem_id="notice")
            # Shown once both sides have answered and their code has run, hidden after the vote.
            with gr.Row(visible=False, elem_id="votes") as vote_row:
                votes = {choice: gr.Button(label, elem_id=elem) for choice, label, elem in VOTES}
            with gr.Row():
                prompt = gr.Textbox(placeholder="Ask for a program, e.g. 'a web page with a bouncing ball'",
                                    show_label=False, lines=2, scale=5, elem_id="prompt", max_length=20000)
                send = gr.Button("Send", variant="primary", scale=1, elem_id="send")
            new = gr.Button("New battle (new models)", elem_id="new-battle")
        with gr.Tab("Leaderboard", id="leaderboard") as board_tab:
            board_note = gr.Markdown("", elem_id="leaderboard-note")
            board = gr.Dataframe(interactive=False, elem_id="leaderboard", wrap=True)
            refresh = gr.Button("Refresh", elem_id="leaderboard-refresh")

        # What each component shows, as a function of the visitor. Handlers return only the components
        # they can change, and send values rather than gr.skip() where a value is cheap: Gradio rebuilds a
        # component for every property update or skip (a chatbot or gallery costs ~10 ms), which is
        # what bounds the app's events per second.
        def shown(v: Visitor, key: str, signature, make):
            """A property update, or gr.skip() if the page shows it already (button states; editors, which
            must not be overwritten while the visitor edits them)."""
            if v.drawn.get(key) == signature:
                return gr.skip()
            v.drawn[key] = signature
            return make()

        def side(v: Visitor, name: str) -> Side:
            return v.battle.sides[name] if v.battle else Side(model="")

        def busy(v: Visitor) -> bool:
            return v.battle is not None and v.battle.busy()

        def can_vote(v: Visitor) -> bool:
            b = v.battle
            return b is not None and b.vote is None and b.answered() and not b.busy()

        def head(v: Visitor, name: str) -> str:
            title = f"### Model {name}"
            return title if v.reveal is None else f"{title}: {render.plain(v.reveal[SIDES.index(name)])}"

        def battle_id(v: Visitor) -> str:
            return v.battle.id if v.battle else ""

        def enable(key: str, on):
            """The view of a button that is clickable when `on(visitor)`."""
            return lambda v: shown(v, key, on(v), lambda: gr.update(interactive=on(v)))

        def runnable(name: str):
            return lambda v: bool(v.battle and side(v, name).answered and side(v, name).code and not busy(v))

        views: dict = {notice: lambda v: render.plain(v.notice), send: enable("send", lambda v: not busy(v))}
        views[vote_row] = lambda v: shown(v, "votes", can_vote(v), lambda: gr.update(visible=can_vote(v)))
        for name in SIDES:
            views |= {
                heads[name]: lambda v, n=name: head(v, n),
                chats[name]: lambda v, n=name: _chat(v.battle, side(v, n)),
                previews[name]: lambda v, n=name: _preview(side(v, n)),
                outputs[name]: lambda v, n=name: _run_text(side(v, n)),
                galleries[name]: lambda v, n=name: _images(side(v, n)),
                codes[name]: lambda v, n=name: shown(
                    v, f"code-{n}", (battle_id(v), side(v, n).code_version),
                    lambda: gr.update(value=side(v, n).code or "",
                                      language=EDITOR_LANGUAGES.get(side(v, n).language or ""))),
                reruns[name]: enable(f"rerun-{name}", runnable(name)),
            }
        everything = list(views)
        after_vote = [notice, vote_row, *heads.values()]

        def draw(v: Visitor, components: list) -> list:
            return [views[c](v) for c in components]

        # The Visitor object is changed in place, so `visitor` is an input only (Gradio hands handlers the
        # session's object itself; listing it as an output would only cost a config update per event).
        async def on_send(v: Visitor, text: str):
            yield ["", *draw(v, everything)]  # clear the box at once
            async for _ in arena.send(v, text):
                yield [gr.skip(), *draw(v, everything)]
            yield [gr.skip(), *draw(v, everything)]

        def make_rerun(name: str):
            async def on_rerun(v: Visitor, code: str):
                async for _ in arena.rerun(v, name, code):
                    yield draw(v, everything)
                yield draw(v, everything)
            return on_rerun

        def make_vote(choice: str):
            def on_vote(v: Visitor):
                arena.vote(v, choice)
                return draw(v, after_vote)
            return on_vote

        def on_new(v: Visitor):
            arena.new_battle(v)
            return draw(v, everything)

        def on_board():
            table = arena.leaderboard()
            count = arena.store.vote_count()
            note = f"{count} vote{'s' if count != 1 else ''}." + ("" if count else " Vote in the Arena tab to start it.")
            return note, table

        for trigger in (send.click, prompt.submit):
            trigger(on_send, [visitor, prompt], [prompt, *everything], api_name="send", show_progress="hidden")
        for name in SIDES:
            reruns[name].click(make_rerun(name), [visitor, codes[name]], everything, api_name=f"rerun_{name.lower()}",
                               show_progress="hidden")
        for choice, button in votes.items():
            button.click(make_vote(choice), [visitor], after_vote, api_name=f"vote_{choice.lower()}",
                         show_progress="hidden")
        new.click(on_new, [visitor], everything, api_name="new_battle", show_progress="hidden")
        board_tab.select(on_board, None, [board_note, board], api_name="leaderboard", show_progress="hidden")
        refresh.click(on_board, None, [board_note, board], api_visibility="private", show_progress="hidden")
    return blocks


def free_port(host: str) -> int:
    """A port nobody listens on now (Gradio cannot be given port 0)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def launch(arena: Arena, blocks: gr.Blocks, *, quiet: bool = False) -> str:
    """Serve the app on the configured host and port in background threads; returns its URL."""
    section = arena.settings.section
    blocks.queue(default_concurrency_limit=section["concurrency"])
    _, url, _ = blocks.launch(
        server_name=section["host"], server_port=section["port"] or free_port(section["host"]), prevent_thread_lock=True,
        share=False, show_error=False, quiet=quiet, footer_links=[], ssr_mode=False,
        theme=gr.themes.Soft(font=FONT, font_mono=FONT_MONO), css=CSS, mcp_server=False, pwa=False,
        allowed_paths=[str(arena.runner.images)])  # the runs' screenshots and figures, for the galleries
    return url.rstrip("/")
