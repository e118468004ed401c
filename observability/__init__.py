"""Operating the server (SPEC 10, issue 9): JSON logs with a request id, Prometheus
metrics, and the health probes. Kept apart from the request handling so that
server.py only wires it in."""
