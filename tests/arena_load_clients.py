"""Load clients for test_arena_load.py, in a process of their own (so they do not compete with the app
for its interpreter lock): each is a `gradio_client.Client` session that plays battles against a
running arena and votes. Prints one JSON report on stdout (what each client saw, and how long each
send and vote took).

    python tests/arena_load_clients.py URL --clients 20 --battles 25
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor

CHOICES = ("a", "b", "tie", "both_bad")
REPEAT_EVERY = 5  # every fifth battle gets a second vote, which the app must refuse


def plan(client: int, battles: int) -> list[str]:
    """The votes client `client` casts (vote endpoint suffixes), a sequence no other client shares."""
    return [CHOICES[(client * 7 + i * (client % 3 + 1)) % 4] for i in range(battles)]


def play(url: str, k: int, battles: int) -> dict:
    from gradio_client import Client

    # ssl_verify=False: the app is plain http on loopback, and with it on, gradio_client builds a TLS
    # context for every request (a third of the clients' CPU time).
    client = Client(url, verbose=False, ssl_verify=False)
    notices, repeats, send_s, vote_s = [], [], [], []
    for i, choice in enumerate(plan(k, battles)):
        started = time.monotonic()
        client.predict(f"client {k} battle {i}: what is 6 * 7?", api_name="/send")
        send_s.append(time.monotonic() - started)
        started = time.monotonic()
        notices.append(client.predict(api_name=f"/vote_{choice}")[0])  # the notice line comes first
        vote_s.append(time.monotonic() - started)
        if i % REPEAT_EVERY == 0:
            repeats.append(client.predict(api_name=f"/vote_{choice}")[0])
    return {"client": k, "notices": notices, "repeats": repeats, "send_s": send_s, "vote_s": vote_s}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--battles", type=int, default=25)
    args = ap.parse_args()
    with ThreadPoolExecutor(args.clients) as pool:
        reports = list(pool.map(lambda k: play(args.url, k, args.battles), range(args.clients)))
    print(json.dumps(reports))


if __name__ == "__main__":
    main()
