"""Hardening of the GraphQL surface (SPEC 9, SECURITY-CASES 1-21): query limits and
cost, validation caching, error masking, GraphQL over HTTP conventions, CSRF and
CORS, body and time limits, persisted queries and the offline GraphiQL page.

`resolvers/root/build.py` takes `schema_extensions()`; `server.py` takes the HTTP view base
class, the middleware and the GraphiQL routes. Nothing here imports `server.py`."""
