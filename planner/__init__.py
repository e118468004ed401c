"""Planned reads (issue 15): a query document is planned once, and each request of
it runs the plan's statements and shapes the answer from their rows, without
graphql-core's per-field execution. `plan.answer` is the entry point; the schema
hooks it in with a schema extension (schema/planned_reads.py).

The planner covers part of the schema (planner/roots.py, planner/jobs_leads.py,
planner/nodes.py and planner/shapes.py list it); a document asking for anything
else, or a request that would answer with an error, runs on graphql-core as before."""
