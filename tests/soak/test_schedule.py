"""The fault schedule itself (pure): reproducible from its seed, every component in every round,
outages that overlap, all inside the window."""

from collections import Counter

from tests.soak.faults import SPACING, TARGETS, schedule


def test_the_same_seed_gives_the_same_schedule_and_another_seed_another() -> None:
    assert schedule(7, 300) == schedule(7, 300)
    assert schedule(7, 300) != schedule(8, 300)


def test_every_component_is_hit_once_per_round_within_the_window() -> None:
    window = 630.0  # the 900 s benchmark's chaos share
    faults = schedule(7, window)
    rounds = round(window / (SPACING * len(TARGETS)))
    assert Counter(f.component for f in faults) == dict.fromkeys(TARGETS, rounds)
    assert all(0 <= f.at < window and 3 <= f.down_for <= 10 for f in faults)
    assert [f.at for f in faults] == sorted(f.at for f in faults)


def test_a_short_window_still_hits_everything_once_and_outages_overlap() -> None:
    faults = schedule(20261206, 84)  # the two-minute test's chaos share
    assert sorted(f.component for f in faults) == sorted(TARGETS)
    starts = [f.at for f in faults]
    # An outage plus its restart (a service takes 10 s and more to be ready again) reaches the
    # next fault's start when the gap is shorter than the outage plus 10 s: the usual case.
    overlapping = [a for a, b, f in zip(starts, starts[1:], faults, strict=False) if b - a < f.down_for + 10]
    assert len(overlapping) >= len(faults) // 2
