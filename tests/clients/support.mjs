// What every client test needs: the live server and the actors that
// tests/test_real_clients.py prepared, and Apollo Client set up as docs/api.md says.
import assert from "node:assert/strict";

import { ApolloClient, HttpLink } from "@apollo/client/core/index.js";

import { recommendedCache } from "./cache.mjs";

function required(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run these tests through tests/test_real_clients.py`);
  return value;
}

export const GRAPHQL_URL = required("OWNERHUB_GRAPHQL_URL");

export function token(actor) {
  return required(`${actor.toUpperCase()}_TOKEN`);
}

export function env(name) {
  return required(name);
}

/** Counts the HTTP requests a client sends, so a test can tell cache hits from fetches. */
export function countingFetch() {
  const counted = (...args) => {
    counted.calls += 1;
    return fetch(...args);
  };
  counted.calls = 0;
  return counted;
}

/** Apollo Client for one actor, with the cache of docs/api.md. */
export function apolloClient(actor, { fetch: fetchImpl = fetch } = {}) {
  return new ApolloClient({
    cache: recommendedCache(),
    link: new HttpLink({ uri: GRAPHQL_URL, headers: { Authorization: `Bearer ${token(actor)}` }, fetch: fetchImpl }),
  });
}

/** Apollo's console warnings (e.g. "Cache data may be lost"), collected while `run` runs. */
export async function apolloWarnings(run) {
  const warnings = [];
  const original = { warn: console.warn, error: console.error };
  console.warn = (...args) => warnings.push(args.join(" "));
  console.error = (...args) => warnings.push(args.join(" "));
  try {
    await run();
  } finally {
    Object.assign(console, original);
  }
  return warnings;
}
