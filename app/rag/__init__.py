"""The answering core: question analysis, extractive reader, citations, prompt, llms/.

No web, HTTP or CLI framework in here, and nothing from the edges. The entry points are in
``app.rag.answer``: ``Answerer.answer``/``Answerer.stream`` and ``search`` (retrieval alone).
"""
