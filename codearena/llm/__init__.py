"""Talking to models: the response cache, the litellm client with retries, and recorded (replay) answers.

`codearena.llm.client` imports litellm (about 2 s), so import it only where calls are made.
"""

from codearena.llm.cache import ResponseCache

__all__ = ["ResponseCache"]
