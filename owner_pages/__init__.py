"""The owner's own pages (SPEC 12, "Owner pages"): `/accept-invite`, `/reset-password`,
`/forgot-password`, `/sign-in`, `/me` and `/confirm-email` (a new primary email's
link), served by the server itself when
`OWNER_PAGES` is on (the default).

They are a plain client of the public GraphQL API: HTML shells and ES modules served
as files (no build step, nothing from another origin, no inline script), under the
same Content-Security-Policy as GraphiQL. The only server code besides the files is
the session cookie (`session.py`): the token an owner gets from `acceptInvite`,
`login` or `resetPassword` is handed to `/owner-session`, which keeps it in an
HttpOnly, SameSite=Strict cookie, so it never sits in a URL or in `localStorage`."""
