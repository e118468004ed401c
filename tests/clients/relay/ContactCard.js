// A contact card that refetches itself through node(id:).
import { graphql } from "react-relay";

export const contactCardFragment = graphql`
  fragment ContactCard_contact on Contact @refetchable(queryName: "ContactCardRefetchQuery") {
    id
    displayName
    emails
    activationStatus
    address { city state }
    viewerCan { editInfo invite lockedReason }
    pendingInvite { sentTo expiresAt expired }
  }
`;

export const updateContactInfoMutation = graphql`
  mutation ContactCardUpdateMutation($input: UpdateContactInfoInput!) {
    updateContactInfo(input: $input) {
      contact { ...ContactCard_contact }
      userErrors { field code message }
    }
  }
`;

export const deleteContactMutation = graphql`
  mutation ContactCardDeleteMutation($input: ContactIdInput!) {
    deleteContact(input: $input) {
      deletedContactId @deleteRecord
      userErrors { field code message }
    }
  }
`;
