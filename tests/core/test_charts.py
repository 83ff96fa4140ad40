"""The shared bar chart's geometry: scaling to the peak, thinned labels, edges, odd values."""

from __future__ import annotations

from core.charts import BOTTOM, HEIGHT, MIN_BAR, TOP, WIDTH, bar_chart


def chart(values: list[int], **options):
    options.setdefault("max_labels", 12)
    return bar_chart(
        slug="test",
        title="Things per day",
        rows=list(enumerate(values)),
        label=lambda i: f"L{i}",
        name=lambda i: f"Day {i}",
        key_heading="Day",
        value_heading="Things",
        **options,
    )


def test_bars_scale_to_the_peak_and_stand_on_the_baseline():
    result = chart([0, 5, 10])
    usable = HEIGHT - TOP - BOTTOM
    assert [bar.height for bar in result.bars] == [0, usable // 2, usable]
    assert all(bar.y + bar.height == result.baseline == HEIGHT - BOTTOM for bar in result.bars)
    assert result.bars[2].y == result.top
    assert result.peak_display == "10"
    assert not result.is_empty


def test_bars_share_the_width_without_overlapping():
    result = chart([1] * 12)
    slots = [(bar.x, bar.x + bar.width) for bar in result.bars]
    assert slots[0][0] > 0 and slots[-1][1] < WIDTH
    assert all(slots[i][1] < slots[i + 1][0] for i in range(len(slots) - 1))
    assert result.bars[-1].slot_x + result.bars[-1].slot_width == WIDTH


def test_a_tiny_value_still_shows_and_a_negative_one_draws_nothing():
    result = chart([1, 10_000, -300])
    assert result.bars[0].height == MIN_BAR
    assert result.bars[2].height == 0 and result.bars[2].display == "-300"


def test_all_zero_is_empty_with_no_peak_and_no_division():
    result = chart([0] * 30)
    assert result.is_empty and result.peak_display == ""
    assert {bar.height for bar in result.bars} == {0}
    assert chart([]).bars == []


def test_labels_are_thinned_to_the_maximum_and_keep_the_latest():
    result = chart(list(range(30)), max_labels=5)
    labelled = [i for i, bar in enumerate(result.bars) if bar.label]
    assert labelled == [5, 11, 17, 23, 29]
    assert all(bar.name == f"Day {i}" for i, bar in enumerate(result.bars))


def test_twelve_months_are_all_labelled_and_centred():
    result = chart([3] * 12)
    assert all(bar.label for bar in result.bars)
    assert {bar.label_anchor for bar in result.bars} == {"middle"}
    assert all(bar.x < bar.label_x < bar.x + bar.width for bar in result.bars)


def test_labels_under_narrow_edge_bars_are_kept_inside_the_chart():
    result = chart([1] * 30, max_labels=30)
    assert (result.bars[0].label_x, result.bars[0].label_anchor) == (0, "start")
    assert (result.bars[-1].label_x, result.bars[-1].label_anchor) == (WIDTH, "end")
    assert result.bars[1].label_anchor == "middle"


def test_values_are_displayed_as_asked_and_the_caption_defaults_to_the_title():
    result = chart([250, 1000], display=lambda cents: f"${cents / 100:.2f}")
    assert [bar.display for bar in result.bars] == ["$2.50", "$10.00"]
    assert result.peak_display == "$10.00"
    assert result.table_caption == "Things per day"
    assert chart([1], caption="More words").table_caption == "More words"
