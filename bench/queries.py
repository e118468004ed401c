"""The benchmark's documents, as clients send them (SPEC 9, issue 7)."""

PROFILE = """query Profile {
  me {
    __typename
    ... on OwnerUser {
      username
      contact {
        id displayName firstName lastName phone primaryEmail emails activationStatus
        address { street city state postalCode }
        profileImage { url(size: SMALL) }
        jobs { id name address { street city state postalCode } owners { id displayName } }
      }
    }
  }
}"""

LIST = """query List($first: Int!) {
  contacts(first: $first, orderBy: LAST_NAME) {
    edges { cursor node { id displayName emails activationStatus jobs { id name } } }
    pageInfo { hasNextPage endCursor }
  }
}"""

CREATE_CONTACT = """mutation Create($input: CreateContactInput!) {
  createContact(input: $input) { contact { id displayName emails activationStatus } userErrors { field code message } }
}"""

SET_EMAILS = """mutation SetEmails($input: SetAdditionalEmailsInput!) {
  setAdditionalEmails(input: $input) { contact { id displayName emails activationStatus } userErrors { field code message } }
}"""

SEND_INVITE = """mutation Invite($input: ContactIdInput!) {
  sendInvite(input: $input) { contact { id displayName emails activationStatus } userErrors { field code message } }
}"""

LIST_VARIABLES = {"first": 50}
