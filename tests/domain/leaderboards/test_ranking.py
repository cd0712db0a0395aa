"""Ranks are shared by ties (1, 2, 2, 4); a page request is numbered from 1 (walking pages: test_turning_pages)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.leaderboards.ranking import Direction, Edge, PageRequest, competition_ranks, ordinal, rank_of


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    assert competition_ranks([9, 7, 7, 5]) == [1, 2, 2, 4]
    assert competition_ranks([3, 3, 3]) == [1, 1, 1]
    assert competition_ranks([]) == []


def test_scores_of_several_columns_tie_only_when_all_are_equal() -> None:
    assert competition_ranks([(5, 6), (5, 7), (5, 7), (4, 4)]) == [1, 2, 2, 4]


@given(st.lists(st.integers(min_value=0, max_value=5), max_size=60))
def test_a_rank_is_one_more_than_the_members_strictly_better(scores: list[int]) -> None:
    board = sorted(scores, reverse=True)
    assert competition_ranks(board) == [rank_of(sum(other > score for other in board)) for score in board]


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        rank_of(-1)


def test_ordinals() -> None:
    assert [ordinal(rank) for rank in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 1234)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th", "1,234th",
    ]


def test_a_page_request_starts_at_the_top_and_is_numbered_from_one() -> None:
    first: PageRequest[str] = PageRequest()
    assert (first.number, first.edge, first.direction) == (1, None, Direction.AFTER)
    back = PageRequest(2, Edge("row-11", rank=11), Direction.BEFORE)
    assert back.edge == Edge("row-11", 11)
    with pytest.raises(ValueError, match="from 1"):
        PageRequest(0)
