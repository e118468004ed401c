#!/usr/bin/env bash
# Fetches the npm packages the project uses at setup time, with pinned versions,
# into tools/node/node_modules (not committed, no lock file written):
#   - GraphiQL 3 and React 18 (UMD builds), copied to static/graphiql/, which the
#     server serves so GraphiQL works with no CDN (hardening/graphiql.py);
#   - graphql-http, whose auditServer checks our GraphQL over HTTP conformance
#     (tools/graphql_http_audit.mjs);
#   - graphql-schema-linter, whose description rules run over schema.graphql
#     (tests/test_schema_descriptions.py);
#   - axe-core, the accessibility checker the owner pages' browser test runs
#     (tests/test_owner_pages_browser.py);
#   - the real clients the suite runs against a live server (tests/clients/, run by
#     tests/test_real_clients.py): Apollo Client 3, apollo-upload-client, relay-compiler.
#     They go to tests/clients/node_modules, where the test files' imports find them.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(graphiql@3.8.3 react@18.2.0 react-dom@18.2.0 graphql@16.9.0 graphql-http@1.23.1 graphql-schema-linter@3.0.1 axe-core@4.10.3)
CLIENT_PACKAGES=(@apollo/client@3.14.1 graphql@16.9.0 apollo-upload-client@18.0.1 relay-compiler@21.0.1)

# install DIR PACKAGE...: into DIR/node_modules, once per list of pinned versions.
install() {
  local dir="$1"; shift
  local stamp="$dir/node_modules/.installed-$(echo "$*" | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    rm -rf "$dir/node_modules"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$@"
    touch "$stamp"
  fi
}

NODE_DIR=tools/node
install "$NODE_DIR" "${PACKAGES[@]}"
install tests/clients "${CLIENT_PACKAGES[@]}"

modules="$NODE_DIR/node_modules"
mkdir -p static/graphiql
cp "$modules/react/umd/react.production.min.js" \
   "$modules/react-dom/umd/react-dom.production.min.js" \
   "$modules/graphiql/graphiql.min.js" \
   "$modules/graphiql/graphiql.min.css" \
   static/graphiql/
echo "node packages in $modules and tests/clients/node_modules; GraphiQL assets in static/graphiql/"
