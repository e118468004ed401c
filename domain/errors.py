"""Domain errors: rule violations reported to clients as `userErrors`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Violation:
    """One broken rule: `field` is the path into the mutation's input."""

    field: tuple[str, ...]
    code: str
    message: str


class RuleError(Exception):
    """Raised by services when a request breaks business rules; nothing is written."""

    def __init__(self, *violations: Violation, conflicting_contact_id: int | None = None):
        super().__init__("; ".join(v.message for v in violations))
        self.violations = list(violations)
        self.conflicting_contact_id = conflicting_contact_id


class NotFound(RuleError):
    def __init__(self, field_path: tuple[str, ...], what: str = "object"):
        super().__init__(Violation(field_path, "NOT_FOUND", f"No {what} with this id."))


@dataclass
class Collected:
    """Accumulates violations so a request reports all of them at once."""

    violations: list[Violation] = field(default_factory=list)

    def add(self, path: tuple[str, ...], code: str, message: str) -> None:
        self.violations.append(Violation(path, code, message))

    def raise_if_any(self) -> None:
        if self.violations:
            raise RuleError(*self.violations)
