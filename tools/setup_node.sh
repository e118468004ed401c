#!/usr/bin/env bash
# Fetches the npm packages the project uses at setup time, with pinned versions,
# into tools/node/node_modules (not committed, no lock file written):
#   - GraphiQL 3 and React 18 (UMD builds), copied to static/graphiql/, which the
#     server serves so GraphiQL works with no CDN (hardening/graphiql.py);
#   - graphql-http, whose auditServer checks our GraphQL over HTTP conformance
#     (tools/graphql_http_audit.mjs);
#   - axe-core, the accessibility checker the owner pages' browser test runs
#     (tests/test_owner_pages_browser.py).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(graphiql@3.8.3 react@18.2.0 react-dom@18.2.0 graphql@16.9.0 graphql-http@1.23.1 axe-core@4.10.3)
NODE_DIR=tools/node
STAMP="$NODE_DIR/.installed-$(echo "${PACKAGES[*]}" | sha256sum | cut -c1-16)"

if [ ! -f "$STAMP" ]; then
  rm -rf "$NODE_DIR"
  mkdir -p "$NODE_DIR"
  npm install --prefix "$NODE_DIR" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "${PACKAGES[@]}"
  touch "$STAMP"
fi

modules="$NODE_DIR/node_modules"
mkdir -p static/graphiql
cp "$modules/react/umd/react.production.min.js" \
   "$modules/react-dom/umd/react-dom.production.min.js" \
   "$modules/graphiql/graphiql.min.js" \
   "$modules/graphiql/graphiql.min.css" \
   static/graphiql/
echo "node packages in $modules; GraphiQL assets in static/graphiql/"
