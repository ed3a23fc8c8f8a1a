"""Studio's front ends: the Gradio Blocks app (`studio.shell`) and the `studio` CLI (`studio.cli`).

Both call the engine's public API only; neither touches storage or providers.
"""
