// relay-compiler 21 over the fragments in ./relay (@connection, @refetchable,
// @deleteRecord on deleteContact's deletedContactId): the schema must compile with
// 0 errors and 0 warnings.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const compiler = join(here, "node_modules", ".bin", "relay-compiler");
const schema = join(here, "..", "..", "schema.graphql");

test("relay-compiler compiles the fragments against schema.graphql with no error or warning", (t) => {
  assert.ok(existsSync(compiler), `${compiler} is missing: run tools/setup_node.sh`);
  const project = mkdtempSync(join(tmpdir(), "ownerhub-relay-"));
  t.after(() => rmSync(project, { recursive: true, force: true }));
  cpSync(join(here, "relay"), join(project, "src"), { recursive: true });
  cpSync(schema, join(project, "schema.graphql"));
  mkdirSync(join(project, "src", "__generated__"));
  writeFileSync(join(project, "relay.config.json"), JSON.stringify({
    src: "./src", schema: "./schema.graphql", language: "javascript",
    artifactDirectory: "./src/__generated__",
  }));

  const run = spawnSync(compiler, [], { cwd: project, encoding: "utf8", timeout: 120_000 });
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, output);
  assert.match(output, /Compilation completed/);
  assert.doesNotMatch(output, /ERROR|WARN/);
  for (const artifact of ["ContactListPaginationQuery", "ContactCardRefetchQuery", "ContactList_query",
                          "ContactCard_contact", "ContactCardUpdateMutation", "ContactCardDeleteMutation"]) {
    assert.ok(existsSync(join(project, "src", "__generated__", `${artifact}.graphql.js`)), artifact);
  }
  // Relay deletes the record whose id deleteContact answers.
  const deletion = readFileSync(join(project, "src", "__generated__", "ContactCardDeleteMutation.graphql.js"), "utf8");
  assert.match(deletion, /"handle": "deleteRecord"/);
  assert.match(deletion, /"name": "deletedContactId"/);
});
