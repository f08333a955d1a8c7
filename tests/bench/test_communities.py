"""A short run of the many-communities benchmark: it builds, serves, measures and cleans up."""

from __future__ import annotations

from bench.communities import measure


def test_measure_many_communities_quickly(tmp_path):
    result = measure(tmp_path, quick=True, count=20, startup_repeats=1)   # one start each keeps this short
    assert result["count"] == 20 and result["engine_cache"] == 64
    assert set(result["startup_ms"]) == {"10", "20"} and all(v > 0 for v in result["startup_ms"].values())
    assert result["index_ms"] > 0
    cold = result["cold_extra_ms"]
    assert cold["sample"] == 5 and cold["cold_median"] > 0 and cold["warm_median"] > 0
    rss = result["rss_mb"]
    assert len(rss["workers"]) == 2 and all(mb > 20 for mb in rss["workers"]) and rss["max"] == max(rss["workers"])
    assert rss["touched"] == [20, 20]     # each worker served every community
    assert set(result["met"]) == set(result["targets"])
    assert all(isinstance(v, bool) for v in result["met"].values())
    assert (tmp_path / "data-20" / "communities" / "bench-0019.sqlite3").exists()
