// Relay fragments over the contacts connection, compiled by relay.test.mjs.
import { graphql } from "react-relay";

export const contactListFragment = graphql`
  fragment ContactList_query on Query
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
    search: { type: "String" }
    orderBy: { type: "ContactOrder", defaultValue: LAST_NAME }
  )
  @refetchable(queryName: "ContactListPaginationQuery") {
    contacts(first: $count, after: $cursor, search: $search, orderBy: $orderBy)
    @connection(key: "ContactList_contacts") {
      __id
      totalCount
      edges { node { id ...ContactCard_contact } }
    }
  }
`;

export const contactListQuery = graphql`
  query ContactListQuery {
    ...ContactList_query
  }
`;
