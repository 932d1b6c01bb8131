"""Domain errors with stable codes. Messages never contain note text (it is PHI)."""

from __future__ import annotations


class EmcoderError(Exception):
    """Base class; `code` is stable and machine-readable."""

    code = "E000"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(EmcoderError):
    """A caller's input is unusable: names the field and the reason, never the content."""

    code = "E100"

    def __init__(self, field: str, reason: str, *, error_code: str = "invalid_input") -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.error_code = error_code


class RuleValidationError(EmcoderError):
    """A rule file does not match its schema or contradicts itself."""

    code = "E200"

    def __init__(self, rule_file: str, reason: str) -> None:
        super().__init__(f"rule file {rule_file}: {reason}")
        self.rule_file = rule_file
        self.reason = reason
