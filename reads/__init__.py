"""The read layer: every read a GraphQL answer needs, as rows and plain data
objects, with the tenancy and owner-visibility rules of permissions/policy.py
applied here, once. Below the schema: nothing here knows a GraphQL type, and
nothing here imports `schema` or `resolvers` (the import contract says so)."""
