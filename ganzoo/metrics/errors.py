"""Errors raised by the metrics."""


class MetricUnavailableError(RuntimeError):
    """A metric cannot run in this environment (e.g. the Inception weights are not on disk and
    cannot be downloaded). The message says what is missing and where to put it."""
