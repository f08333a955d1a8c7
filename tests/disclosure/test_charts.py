"""The SVG charts: named images, escaped labels, missing values as a dash, target marks, a table for each."""

from __future__ import annotations

import re

from community_hall.disclosure import charts, figures
from community_hall.tenancy import get_community


def _chart(app, bars, **kwargs):
    with app.test_request_context("/?lang=en"):
        return str(charts.chart("c1", "Title <b>", "Summary & more", bars, **kwargs))


def test_a_rate_chart_with_a_missing_value_and_a_target(app):
    html = _chart(app, [charts.Bar("On time", 80.0), charts.Bar("Satisfied", None, 95),
                        charts.Bar("Put right", 50.0, 100)], unit="%", scale=100)
    assert '<svg viewBox="0 0 400 170" role="img" aria-labelledby="c1-title c1-desc"' in html
    assert '<title id="c1-title">Title &lt;b&gt;</title><desc id="c1-desc">Summary &amp; more</desc>' in html
    bars = re.findall(r'<rect [^>]*width="([\d.]+)"[^>]*class="chart-bar( chart-below)?"', html)
    assert bars == [("272.0", ""), ("170.0", " chart-below")]     # no bar at all for the missing value
    assert html.count('class="chart-target"') == 2 and html.count('class="chart-track"') == 3
    assert "<tr><th scope=\"row\">Satisfied</th><td>—</td><td>95%</td></tr>" in html
    assert "<th scope=\"col\">Target</th>" in html and '<p class="chart-summary">Summary &amp; more</p>' in html
    assert "style=" not in html


def test_a_count_chart_scales_to_its_largest_value_and_has_no_target_column(app):
    html = _chart(app, [charts.Bar("Received", 10), charts.Bar("Finished", 5), charts.Bar("None yet", 0)])
    assert re.findall(r'width="([\d.]+)" height="20" class="chart-bar"', html) == ["340.0", "170.0", "0.0"]
    assert "Target" not in html and "<td>10</td>" in html


def test_an_empty_chart_does_not_divide_by_zero(app):
    html = _chart(app, [charts.Bar("Received", 0), charts.Bar("Finished", 0)])
    assert html.count('class="chart-bar"') == 2 and 'width="0.0"' in html


def test_rounding_is_half_up_to_one_decimal():
    assert figures.percent(1, 16) == 6.3 and figures.percent(2, 3) == 66.7 and figures.percent(0, 0) is None
    assert figures.one_decimal(10.25) == 10.3 and figures.one_decimal(10.249999999) == 10.3
    assert figures.one_decimal(10.24) == 10.2


def test_the_cache_stays_small(app, build, monkeypatch):
    monkeypatch.setattr(figures, "CACHE_SIZE", 8)
    monkeypatch.setattr(figures, "disclosure", lambda *args: {"n": len(figures._cache)})
    build.community("comm-a")
    with app.app_context():
        community = get_community("comm-a")
        for month in range(1, 13):
            period = figures.period_of(community, "month", figures.datetime(2026, month, 10, tzinfo=figures.UTC))
            figures.cached_disclosure(None, None, community, period)
    assert len(figures._cache) <= 8
