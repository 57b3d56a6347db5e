# Attack: a Gradio app that never becomes ready: it blocks forever before it launches.
import time

import gradio as gr

print("loading a model that never arrives", flush=True)
time.sleep(10**6)
gr.Interface(fn=lambda name: f"Hello {name}", inputs="text", outputs="text").launch()
