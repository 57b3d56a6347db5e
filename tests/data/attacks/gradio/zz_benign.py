# A well-behaved Gradio app started after the attack in the same job.
import gradio as gr

with gr.Blocks() as demo:
    gr.Markdown("# Greeter")
    name = gr.Textbox(label="Name", value="World")
    out = gr.Textbox(label="Greeting")
    gr.Button("Greet").click(lambda n: f"Hello {n}!", name, out)

demo.launch()
