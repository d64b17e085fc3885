"""`make bench`'s table: rows read back from the scripts' output and tabulated (pure)."""

import pytest

from bench.rows import NO_TARGET, Row, emit
from bench.summary import collect, failed_row, parse_overrides, tabulate

LATENCY = Row(
    benchmark="event latency, 1,000/s",
    figure="p99 31–48 ms, 5 of 5 runs < 50 ms",
    baseline="of it, outbox → Kafka: p99 9–12 ms",
    ratio=None,
    target="p99 < 50 ms in ≥ 4 of 5 runs",
    met=True,
)
RELAY = Row(
    benchmark="relay throughput | 20,000 events",
    figure="12,000 events/s",
    baseline="direct producer: 30,000 events/s",
    ratio=0.4,
    target="≥ 5,000 events/s",
    met=True,
)


def test_rows_are_read_back_from_a_scripts_output_and_other_lines_ignored(capsys):
    emit(LATENCY)
    print("relay 12000 events/s (a human-readable line)")
    emit(RELAY)
    output = capsys.readouterr().out.splitlines(keepends=True)
    assert collect(output) == [LATENCY, RELAY]


def test_the_table_has_one_line_per_row_with_ratio_and_verdict():
    missed = Row("fan-out", "600 mails/s", "smtp-source: 1,000 mails/s", 0.6, "≥ 0.8× smtp-source", False)
    baseline_only = Row("desk queue p50", "21.5 ms", "bare SELECT: 0.39 ms", 0.018, NO_TARGET, False)
    lines = tabulate([LATENCY, RELAY, missed, failed_row("cases", 2), baseline_only]).splitlines()
    assert lines[0] == "| benchmark | our figure | baseline | ratio | target | met |"
    assert len(lines) == 2 + 5
    assert lines[2].endswith("| — | p99 < 50 ms in ≥ 4 of 5 runs | ✓ |")
    assert "relay throughput \\| 20,000 events" in lines[3]  # a pipe in a cell does not split it
    assert "| 0.40 |" in lines[3]
    assert lines[4].endswith("| 0.60 | ≥ 0.8× smtp-source | ✗ |")
    assert lines[5].startswith("| cases: the script failed (exit 2)") and lines[5].endswith("| ✗ |")
    assert lines[6].endswith("| 0.02 | — | — |")  # a baseline without a target is neither ✓ nor ✗


def test_a_benchmarks_sizes_are_replaced_by_name_only():
    assert parse_overrides(["cases=--cases 10 --requests 5"], {"cases", "fanout"}) == {
        "cases": "--cases 10 --requests 5"
    }
    for wrong in (["nosuch=--x 1"], ["cases"]):
        with pytest.raises(SystemExit, match="NAME=OPTIONS"):
            parse_overrides(wrong, {"cases"})
