"""Ranks are shared by ties (1, 2, 2, 4) and pages never go past either end."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.leaderboards.ranking import Pager, competition_ranks, ordinal, rank_of


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


def test_the_pager_refuses_to_go_past_either_end() -> None:
    pager: Pager[str] = Pager()
    pager.loaded("after-page-1")
    assert (pager.page_number, pager.can_previous, pager.can_next) == (1, False, True)
    assert pager.back() is False
    assert pager.page_number == 1

    assert pager.forward() is True
    assert pager.cursor == "after-page-1"
    pager.loaded(None)  # page 2 is the last
    assert (pager.page_number, pager.can_previous, pager.can_next) == (2, True, False)
    assert pager.forward() is False
    assert pager.page_number == 2

    assert pager.back() is True
    assert pager.cursor is None
    pager.loaded("after-page-1")
    assert (pager.page_number, pager.can_previous, pager.can_next) == (1, False, True)


def test_the_pager_goes_back_to_exactly_where_each_page_started() -> None:
    pager: Pager[int] = Pager()
    pager.loaded(10)
    pager.forward()
    pager.loaded(20)
    pager.forward()
    pager.loaded(30)
    assert pager.cursor == 20
    pager.back()
    assert pager.cursor == 10
    pager.back()
    assert pager.cursor is None
    assert pager.can_next


def test_a_board_that_shrank_behind_the_viewer_ends_earlier() -> None:
    pager: Pager[int] = Pager()
    pager.loaded(10)
    pager.forward()
    pager.loaded(20)
    pager.back()
    pager.loaded(None)  # everyone on page 2 left meanwhile: page 1 is now the last
    assert not pager.can_next
    assert pager.starts == [None]
    pager.restart()
    assert (pager.page_number, pager.can_previous) == (1, False)
