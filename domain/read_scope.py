"""What of one builder account a viewer reads: a plain value that
permissions/policy.py decides (`read_scope`) and repository/read_scope.py turns
into SQL, so that a statement answers only rows the viewer may read, with the
by-name-only flag computed in it.

The comments and predicates below say what each part means for one row; the
repository's translation answers exactly the same, row for row
(tests/unit/test_read_scope.py runs both over the same rows)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReadScope:
    builder_account_id: int
    # The one contact read in full and found by id; None: every contact of the
    # account. Any other contact reached through a visible job is seen by name
    # only: no details, jobs or custom fields.
    contact_id: int | None = None
    # The contact whose jobs (those with it among their owners) are the only ones
    # found; None: every job of the account.
    jobs_of: int | None = None
    # Leads (and the contacts on them) are read at all.
    leads: bool = True
    # Only custom fields marked visibleToOwner are read.
    owner_visible_fields_only: bool = False

    def reads_in_full(self, contact_id: int) -> bool:
        """The contact is read with its details, jobs and custom fields (and found by id)."""
        return self.contact_id is None or contact_id == self.contact_id

    def by_name_only(self, contact_id: int) -> bool:
        return not self.reads_in_full(contact_id)
