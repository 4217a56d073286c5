"""One catalogue of errors. Messages name the file/row/column and the fix."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass


@dataclass(eq=False, repr=False)
class InsightError(Exception):
    """Base class: a problem a user can fix. The CLI prints it as one line.

    Args:
        message: what is wrong.
        file, row, column: where (each optional).
        fix: what the user does about it.
    """

    message: str
    _: KW_ONLY
    file: str | None = None
    row: int | None = None
    column: str | None = None
    fix: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.format())

    def format(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f'column "{self.column}"')
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.fix:
            text += f" - {self.fix}"
        return text


class InputError(InsightError):
    """A file cannot be read or parsed."""


class SchemaError(InsightError):
    """A column role / schema file is wrong or incompatible."""


class ModelError(InsightError):
    """A model or optional package is missing or cannot be loaded."""


class StoreError(InsightError):
    """The study store is missing a table or is inconsistent."""
