"""Metrics. ``toy``: mode coverage on the 2-D Gaussian mixtures."""

from ganzoo.metrics.toy import toy_metrics  # noqa: F401
