"""What a validation found: errors fail it, warnings (unconfirmed rules) do not."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    strict: bool = False

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(f"{where}: {message}")

    def prefer(self, where: str, message: str) -> None:
        """A project preference: an error in ``--strict`` mode, otherwise nothing."""
        if self.strict:
            self.errors.append(f"{where}: {message} (--strict)")

    def lint(self, where: str, message: str) -> None:
        """An fdk lint error: a strict error, else a warning (whether lint errors block an
        upload the sources disagree, and an app may turn a rule off in .eslintrc)."""
        if self.strict:
            self.errors.append(f"{where}: {message}")
        else:
            self.warnings.append(f"{where}: {message}")

    @property
    def ok(self) -> bool:
        return not self.errors
