"""The HTTP edge: the FastAPI server, its API, the Gradio page and the middlewares."""
