"""Pledges to the server's charity: recording, status, totals, milestones, export, boards.

Modules: `model` (data), `rules` (the rules the database's triggers keep too: status
order, how a pledge counts in the totals, one live winner's tax), `recording` (the
write path every pledge takes, a batch at a time, and the winner's tax that
`/result log` charges inside its own unit),
`batching` (pledges arriving together written in one unit of work), `milestones`,
`announcements`, `export`, `privacy` (forgetting a member), `service` (`PledgeService`, what the cog calls).
"""

from bot.domain.pledges.model import (
    ALL_TIME,
    ANONYMOUS,
    DonorStanding,
    Pledge,
    PledgeReceipt,
    Progress,
    ScopeTotals,
    StatusChange,
)
from bot.domain.pledges.privacy import forget_member
from bot.domain.pledges.recording import charge_winner_tax, reverse_winner_tax
from bot.domain.pledges.service import MemberPledges, PledgeExport, PledgeService

__all__ = [
    "ALL_TIME",
    "ANONYMOUS",
    "DonorStanding",
    "MemberPledges",
    "Pledge",
    "PledgeExport",
    "PledgeReceipt",
    "PledgeService",
    "Progress",
    "ScopeTotals",
    "StatusChange",
    "charge_winner_tax",
    "forget_member",
    "reverse_winner_tax",
]
