"""What every stand-in of this process saw, added up: for a test run's closing lines.

Each :class:`~standin.story.StandIn` adds to :data:`TALLY` as it goes (violations
recorded and taken) and when it stops (request bodies checked against Discord's
OpenAPI description, and refused by it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Tally:
    standins: int = 0
    #: Request bodies checked against the spec, and how many of them it refused.
    bodies_checked: int = 0
    refused_by_spec: int = 0
    #: Violations recorded, and those a test took because it provoked them on purpose.
    violations: int = 0
    taken: int = 0

    @property
    def unexpected(self) -> int:
        """Violations nobody took: each one failed its test (or was never looked at)."""
        return self.violations - self.taken

    def lines(self) -> list[str]:
        return [
            f"{self.standins} stand-in(s) judged {self.bodies_checked:,} request bodies by Discord's OpenAPI "
            f"description and refused {self.refused_by_spec:,}",
            f"violations of Discord's rules that no test expected: {self.unexpected:,} "
            f"(provoked on purpose and taken by their tests: {self.taken:,})",
        ]


#: The tally of this process.
TALLY = Tally()
