// GraphQL over HTTP conformance: runs graphql-http's auditServer against a live
// endpoint and exits non-zero when any MUST (error) or SHOULD (warn) fails.
// MAY audits are reported but never fail the run.
//   node tools/graphql_http_audit.cjs http://127.0.0.1:8000/graphql
"use strict";
const path = require("node:path");

const modules = path.join(__dirname, "node", "node_modules");
let auditServer;
try {
  ({ auditServer } = require(path.join(modules, "graphql-http")));
} catch (error) {
  console.error(`graphql-http is not installed in ${modules}: run tools/setup_node.sh`);
  process.exit(2);
}

async function main() {
  const url = process.argv[2];
  if (!url) {
    console.error("usage: node tools/graphql_http_audit.cjs <graphql url>");
    process.exit(2);
  }
  const results = await auditServer({ url });
  const failures = [];
  for (const result of results) {
    const mark = result.status === "ok" ? "ok  " : result.status;
    console.log(`${mark.padEnd(6)} ${result.id} ${result.name}${result.status === "ok" ? "" : ` (${result.reason})`}`);
    if (result.status === "error" || result.status === "warn") failures.push(result);
  }
  const counts = results.reduce((acc, r) => ({ ...acc, [r.status]: (acc[r.status] || 0) + 1 }), {});
  console.log(`graphql-http audit: ${results.length} audits, ${JSON.stringify(counts)}`);
  if (failures.length) {
    console.error(`${failures.length} MUST/SHOULD audits failed`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
