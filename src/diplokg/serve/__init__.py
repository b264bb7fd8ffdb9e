"""`diplokg serve`: the graph over HTTP for people (HTML) and linked-data tools (SPARQL, RDF).

``app`` holds the ASGI application and ``run``; ``settings`` its limits.
"""
