// Apollo Client 3 against a live `ownerhub serve`, with the cache of docs/api.md.
// The builder (BUILDER_TOKEN) has CONTACT_COUNT contacts, made by the pytest wrapper.
import assert from "node:assert/strict";
import { test } from "node:test";

import { gql } from "@apollo/client/core/index.js";

import { apolloClient, apolloWarnings, countingFetch, env } from "./support.mjs";

const CONTACT_LIST = gql`
  query ContactList($first: Int!, $after: String) {
    contacts(first: $first, after: $after, orderBy: LAST_NAME) {
      totalCount
      edges { cursor node { id displayName firstName } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

const UPDATE_NAME = gql`
  mutation UpdateName($input: UpdateContactInfoInput!) {
    updateContactInfo(input: $input) {
      contact { id firstName displayName }
      userErrors { field code message }
    }
  }
`;

const CAN_EDIT = gql`query CanEdit($id: ID!) { contact(id: $id) { id viewerCan { editInfo } } }`;
const CAN_INVITE = gql`query CanInvite($id: ID!) { contact(id: $id) { id viewerCan { invite lockedReason } } }`;

const contactCount = Number(env("CONTACT_COUNT"));

/** Every page of the list through fetchMore; returns the cached answer. */
async function pageThroughContacts(client, pageSize) {
  const list = client.watchQuery({ query: CONTACT_LIST, variables: { first: pageSize } });
  let { data } = await list.result();
  const sizes = [data.contacts.edges.length];
  while (data.contacts.pageInfo.hasNextPage) {
    assert.ok(sizes.length <= Math.ceil(contactCount / pageSize), `still paging after ${sizes} edges`);
    await list.fetchMore({ variables: { after: data.contacts.pageInfo.endCursor } });
    data = client.readQuery({ query: CONTACT_LIST, variables: { first: pageSize } });
    sizes.push(data.contacts.edges.length);
  }
  return { data, sizes };
}

test("relayStylePagination and fetchMore gather every contact once, in the server's order", async () => {
  const client = apolloClient("builder");
  const { data, sizes } = await pageThroughContacts(client, 30);

  assert.deepEqual(sizes, [30, 60, contactCount]);
  assert.equal(data.contacts.totalCount, contactCount);
  assert.equal(data.contacts.pageInfo.hasNextPage, false);
  const ids = data.contacts.edges.map((edge) => edge.node.id);
  assert.equal(new Set(ids).size, contactCount);

  const whole = await client.query({ query: CONTACT_LIST, variables: { first: 100 }, fetchPolicy: "no-cache" });
  assert.deepEqual(ids, whole.data.contacts.edges.map((edge) => edge.node.id));
});

test("a mutation updates the cached contact by its id, in every list, with no refetch", async () => {
  const fetchImpl = countingFetch();
  const client = apolloClient("builder", { fetch: fetchImpl });
  const { data } = await pageThroughContacts(client, 50);
  const target = data.contacts.edges[55].node;
  const before = fetchImpl.calls;

  const result = await client.mutate({
    mutation: UPDATE_NAME,
    variables: { input: { contactId: target.id, firstName: "Zelda" } },
  });
  assert.deepEqual(result.data.updateContactInfo.userErrors, []);

  const cached = client.readQuery({ query: CONTACT_LIST, variables: { first: 50 } });
  const updated = cached.contacts.edges.find((edge) => edge.node.id === target.id).node;
  assert.equal(updated.firstName, "Zelda");
  assert.match(updated.displayName, /^Zelda /);
  assert.equal(cached.contacts.edges.length, contactCount);
  // The list answers from the cache: the mutation was the only request.
  await client.query({ query: CONTACT_LIST, variables: { first: 50 } });
  assert.equal(fetchImpl.calls, before + 1);
});

test("viewerCan is merged from two queries instead of replaced, with no cache warning", async () => {
  const client = apolloClient("builder");
  const { data } = await client.query({ query: CONTACT_LIST, variables: { first: 1 } });
  const id = data.contacts.edges[0].node.id;

  const warnings = await apolloWarnings(async () => {
    await client.query({ query: CAN_EDIT, variables: { id } });
    await client.query({ query: CAN_INVITE, variables: { id } });
  });

  assert.deepEqual(warnings, []);
  const both = client.readFragment({
    id: client.cache.identify({ __typename: "Contact", id }),
    fragment: gql`fragment Both on Contact { viewerCan { editInfo invite lockedReason } }`,
  });
  assert.deepEqual(both.viewerCan, { __typename: "ContactPermissions", editInfo: true, invite: true, lockedReason: null });
  // The first query is still answered whole from the cache.
  assert.equal(client.readQuery({ query: CAN_EDIT, variables: { id } }).contact.viewerCan.editInfo, true);
});

const MERGE_PREVIEW = gql`
  query MergePreview($input: MergeContactsInput!) {
    mergeContactsPreview(input: $input) {
      contact { survivorId displayName emails }
      candidateEmails
      userErrors { field code message }
    }
  }
`;
const CONTACT_EMAILS = gql`fragment Emails on Contact { id displayName emails }`;

test("the merge preview leaves the cached survivor untouched", async () => {
  const client = apolloClient("builder");
  const { data } = await client.query({ query: CONTACT_LIST, variables: { first: 2 } });
  const [survivor, merged] = data.contacts.edges.map((edge) => edge.node.id);
  const cacheId = client.cache.identify({ __typename: "Contact", id: survivor });
  await client.query({ query: gql`query Survivor($id: ID!) { contact(id: $id) { ...Emails } } ${CONTACT_EMAILS}`,
                       variables: { id: survivor } });
  const before = client.readFragment({ id: cacheId, fragment: CONTACT_EMAILS });

  const preview = await client.query({ query: MERGE_PREVIEW, variables: { input: { survivorId: survivor, mergedIds: [merged] } } });
  const previewed = preview.data.mergeContactsPreview;
  assert.deepEqual(previewed.userErrors, []);
  assert.equal(previewed.contact.survivorId, survivor);
  assert.equal(previewed.contact.emails.length, before.emails.length + 1);

  assert.deepEqual(client.readFragment({ id: cacheId, fragment: CONTACT_EMAILS }), before);
  assert.ok(!Object.keys(client.cache.extract()).some((key) => key.startsWith("ContactPreview")));
});

test("a refused root field leaves its sibling's data", async () => {
  const client = apolloClient("owner");
  const result = await client.query({
    query: gql`query MeAndContacts { me { __typename ... on OwnerUser { username } } contacts(first: 1) { totalCount } }`,
    errorPolicy: "all",
  });
  assert.equal(result.data.me.__typename, "OwnerUser");
  assert.ok(result.data.me.username);
  assert.equal(result.data.contacts, null);
  assert.deepEqual(result.errors.map((error) => [error.path, error.extensions.code]), [[["contacts"], "FORBIDDEN"]]);
});

const ME_NAME = gql`query MeName { me { ... on OwnerUser { id username } } }`;
const ME_CONTACT = gql`query MeContact { me { ... on OwnerUser { id contact { id displayName } builderAccount { id name } } } }`;

test("two queries of me are one cached viewer, merged with no warning", async () => {
  const client = apolloClient("owner");
  const warnings = await apolloWarnings(async () => {
    await client.query({ query: ME_NAME });
    await client.query({ query: ME_CONTACT });
  });
  assert.deepEqual(warnings, []);
  const name = client.readQuery({ query: ME_NAME });
  const contact = client.readQuery({ query: ME_CONTACT });
  assert.ok(name.me.username);
  assert.equal(name.me.id, contact.me.id);
  assert.ok(contact.me.builderAccount.id);
});
