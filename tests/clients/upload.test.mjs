// apollo-upload-client 18 (Apollo Client 3) uploading an active owner's profile image,
// with the header docs/api.md documents, and refused without it.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";

import { ApolloClient, gql } from "@apollo/client/core/index.js";
import createUploadLink from "apollo-upload-client/createUploadLink.mjs";

import { recommendedCache } from "./cache.mjs";
import { GRAPHQL_URL, env, token } from "./support.mjs";

const SET_PROFILE_IMAGE = gql`
  mutation SetProfileImage($input: SetProfileImageInput!) {
    setProfileImage(input: $input) {
      contact { id profileImage { url(size: MEDIUM) width height } }
      userErrors { field code message }
    }
  }
`;

function uploadClient(headers) {
  return new ApolloClient({
    cache: recommendedCache(),
    link: createUploadLink({ uri: GRAPHQL_URL, headers: { Authorization: `Bearer ${token("owner")}`, ...headers } }),
  });
}

async function image() {
  return new File([await readFile(env("IMAGE_PATH"))], "me.png", { type: "image/png" });
}

test("an upload with Apollo-Require-Preflight sets the owner's picture", async () => {
  const client = uploadClient({ "Apollo-Require-Preflight": "true" });
  const { data } = await client.mutate({ mutation: SET_PROFILE_IMAGE, variables: { input: { image: await image() } } });

  const payload = data.setProfileImage;
  assert.deepEqual(payload.userErrors, []);
  assert.equal(payload.contact.profileImage.width, 300);
  assert.equal(payload.contact.profileImage.height, 300);
  // Served by the same server, under APP_URL (which the test server does not listen on).
  const served = await fetch(new URL(new URL(payload.contact.profileImage.url).pathname, GRAPHQL_URL));
  assert.equal(served.status, 200);
  assert.equal(served.headers.get("content-type"), "image/webp");
});

test("without the header the upload is refused with 400, naming the header", async () => {
  const client = uploadClient({});
  await assert.rejects(
    client.mutate({ mutation: SET_PROFILE_IMAGE, variables: { input: { image: await image() } } }),
    (error) => {
      assert.equal(error.networkError?.statusCode, 400);
      assert.match(JSON.stringify(error.networkError.result), /Apollo-Require-Preflight/);
      return true;
    },
  );
});
