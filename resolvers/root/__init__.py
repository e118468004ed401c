"""The root `Query` and `Mutation`, one class per area naming its resolvers, and
the schema built from them (`build.py`): above the resolvers, which sit above
the GraphQL types in schema/."""
