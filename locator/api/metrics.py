"""What an operator watches: Prometheus metrics of the API, served on a bind of their own.

Per request (every worker): ``partner_locator_requests_total{endpoint,status}``, the latency
histogram ``partner_locator_request_duration_seconds{endpoint}``, Elasticsearch's own ``took``
(``partner_locator_es_took_seconds{endpoint}``) and ``partner_locator_unavailable_total{endpoint}``
(the 503s). The analytics events (issue 18): ``partner_locator_events_written_total``,
``partner_locator_events_dropped_total`` and ``partner_locator_events_buffer_depth`` (summed over
the workers); no label carries anything of a visitor or a search. Per scrape (the gunicorn master asks Elasticsearch): the live index's age and size
(``partner_locator_live_index_age_seconds``, ``partner_locator_live_index_documents``).

Several gunicorn workers: prometheus-client's multiprocess mode. ``serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh directory before anything creates a metric (that is why
prometheus_client is imported inside the functions here, never when the package loads), each worker
writes its values there, and the master serves their sum on ``[api] metrics_host:metrics_port``,
never on the public port. Without that variable (tests, one process) the app's own registry holds them.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from typing import Callable

from flask import Flask, Response, g, request

log = logging.getLogger("partner_locator.api")
MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def init_app(app: Flask) -> None:
    """Count and time every request of this app (after the access log has stamped its start)."""
    from prometheus_client import CollectorRegistry, Counter, Histogram

    registry = CollectorRegistry()  # per app: tests build several apps in one process
    requests = Counter("partner_locator_requests", "Requests answered, by endpoint and status",
                       ["endpoint", "status"], registry=registry)
    latency = Histogram("partner_locator_request_duration_seconds", "Time to answer a request, by endpoint",
                        ["endpoint"], buckets=LATENCY_BUCKETS, registry=registry)
    took = Histogram("partner_locator_es_took_seconds", "Elasticsearch's own time for a request's searches",
                     ["endpoint"], buckets=LATENCY_BUCKETS, registry=registry)
    unavailable = Counter("partner_locator_unavailable", "503 answers (search unavailable), by endpoint",
                          ["endpoint"], registry=registry)
    app.extensions["partner_locator_metrics"] = registry

    @app.after_request
    def _measure(response: Response) -> Response:
        endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
        requests.labels(endpoint, str(response.status_code)).inc()
        latency.labels(endpoint).observe(time.perf_counter() - g.get("started", time.perf_counter()))
        if request.blueprint == "api" and response.status_code == 200:
            took.labels(endpoint).observe(g.get("es_took", 0) / 1000)
        if response.status_code == 503:
            unavailable.labels(endpoint).inc()
        return response


def event_counters(app: Flask) -> tuple[Callable[[int], None], Callable[[int], None], Callable[[int], None]]:
    """(written, dropped, depth) callbacks for the events writer of this app, in its registry."""
    from prometheus_client import Counter, Gauge

    registry = app.extensions["partner_locator_metrics"]
    written = Counter("partner_locator_events_written", "Analytics events stored (or found already stored)",
                      registry=registry)
    dropped = Counter("partner_locator_events_dropped", "Analytics events dropped: buffer full or Elasticsearch "
                      "refused or did not answer", registry=registry)
    depth = Gauge("partner_locator_events_buffer_depth", "Analytics events waiting to be written",
                  multiprocess_mode="livesum", registry=registry)
    return written.inc, dropped.inc, depth.set


def text(app: Flask) -> bytes:
    """The app's metrics in the Prometheus text format (one process; tests)."""
    from prometheus_client import generate_latest

    return generate_latest(app.extensions["partner_locator_metrics"])


# ---------------------------------------------------------------- the gunicorn master's side


def prepare_multiprocess_dir() -> str:
    """A fresh, empty directory for the workers' values; set in the environment before any fork."""
    directory = tempfile.mkdtemp(prefix="partner-locator-metrics-")
    os.environ[MULTIPROC_VARIABLE] = directory
    return directory


def remove_multiprocess_dir(directory: str) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def worker_exited(pid: int) -> None:
    """Gunicorn's child_exit hook: a dead worker's gauges stop counting (its counters stay summed)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)


def start_exporter(host: str, port: int, live_index: Callable[[], dict | None]) -> None:
    """Serve every worker's metrics, plus the live index's age and size, on host:port (a thread of
    the master). ``live_index`` returns {"age_s", "documents"}, or None when no index is live."""
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(_LiveIndexCollector(live_index))
    start_http_server(port, addr=host, registry=registry)


class _LiveIndexCollector:
    def __init__(self, live_index: Callable[[], dict | None]):
        self.live_index = live_index

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        age = GaugeMetricFamily("partner_locator_live_index_age_seconds", "Seconds since the live index was built")
        size = GaugeMetricFamily("partner_locator_live_index_documents", "Listed sites in the live index")
        up = GaugeMetricFamily("partner_locator_live_index_up", "1 when a non-empty index is live and readable")
        try:
            facts = self.live_index()
        except Exception as exc:  # noqa: BLE001 - a scrape must answer even when the cluster does not
            log.warning("metrics: cannot read the live index: %s", type(exc).__name__)
            facts = None
        up.add_metric([], 1 if facts else 0)
        if facts:
            size.add_metric([], facts["documents"])
            if facts.get("age_s") is not None:
                age.add_metric([], facts["age_s"])
        yield from (up, size, age)
