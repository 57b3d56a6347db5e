"""codearena: evaluate code-writing LLMs by running what they write."""

import os

# litellm fetches a model cost map and other files from GitHub at import time; codearena must work
# offline, so keep litellm on its bundled copies unless the user has said otherwise.
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

__version__ = "0.1.0"
