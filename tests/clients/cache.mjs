// The Apollo Client cache that docs/api.md recommends, exactly; the tests in this
// folder run it against a live server, so the guide cannot drift from what works.
import { InMemoryCache } from "@apollo/client/core/index.js";
import { relayStylePagination } from "@apollo/client/utilities/index.js";

export function recommendedCache() {
  return new InMemoryCache({
    possibleTypes: {
      Node: ["BuilderAccount", "BuilderUser", "Contact", "ContactMerge", "CustomField", "Job", "Lead", "OwnerUser"],
      Viewer: ["BuilderUser", "OwnerUser"],
    },
    typePolicies: {
      Query: {
        fields: {
          contacts: relayStylePagination(["search", "status", "orderBy"]),
          jobs: relayStylePagination(["search", "orderBy"]),
          leads: relayStylePagination(["search", "orderBy"]),
        },
      },
      Contact: { fields: { timeline: relayStylePagination(["kinds"]) } },
      ContactPermissions: { merge: true },
      Address: { merge: true },
      PendingInvite: { merge: true },
      ProfileImage: { merge: true },
    },
  });
}
