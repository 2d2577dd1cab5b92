"""Prometheus metrics: the gateway's /metrics and a domain service's own port parse as
Prometheus text and move when requests are made."""
import requests
from nameko.testing.utils import find_free_port
from prometheus_client.parser import text_string_to_metric_families

from tests.support import Api


def scrape(url):
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples, name, **labels):
    """The sum over every sample of ``name`` whose labels include ``labels``."""
    return sum(v for (n, have), v in samples.items()
               if n == name and set(labels.items()) <= set(have))


def test_gateway_metrics_count_requests_by_route_template_and_status(platform, db_engine):
    url = f"http://{platform.config['WEB_SERVER_ADDRESS']}"
    before = scrape(url + "/metrics")
    for _ in range(3):
        assert requests.get(url + "/healthz", timeout=10).status_code == 200
    assert requests.get(url + "/api/v1/records/12345", timeout=10).status_code == 401
    api = Api(platform, db_engine)
    person = api.register_person(real_name="韩梅梅")
    api.call("GET", "/api/v1/records/999999", person["token"], expect=404)

    after = scrape(url + "/metrics")
    health = {"method": "GET", "route": "/healthz", "status": "200"}
    assert value(after, "zhicheng_http_requests_total", **health) \
        - value(before, "zhicheng_http_requests_total", **health) == 3
    record = {"method": "GET", "route": "/api/v1/records/{id}"}
    assert value(after, "zhicheng_http_requests_total", **record, status="401") == 1
    assert value(after, "zhicheng_http_requests_total", **record, status="404") == 1
    assert value(after, "zhicheng_http_request_duration_seconds_count", **health) >= 3
    assert value(after, "zhicheng_http_request_duration_seconds_bucket", **health,
                 le="+Inf") >= 3
    # through a proxy (the Ingress adds X-Forwarded-For) there are no metrics
    proxied = requests.get(url + "/metrics", headers={"X-Forwarded-For": "203.0.113.7"},
                           timeout=10)
    assert "zhicheng_http_requests_total" not in proxied.text  # the console's page or a 404
    # raw paths never become labels: one series per route template
    assert not any("12345" in str(key) or "999999" in str(key) for key in after)


def test_a_domain_service_serves_its_own_metrics_that_move(service_config, web_config,
                                                           runner_factory, web_session,
                                                           db_engine):
    from conftest import Platform, all_service_classes

    port = find_free_port()
    config = {**service_config, **web_config, "METRICS_PORT_IDENTITY": port,
              "METRICS_ADDRESS": "127.0.0.1"}
    runner = runner_factory(config, *all_service_classes())
    runner.start()
    platform = Platform(runner, web_session, config)
    url = f"http://127.0.0.1:{port}/metrics"
    before = scrape(url)
    assert value(before, "zhicheng_service_info", service="identity") == 1
    assert value(before, "zhicheng_workers_max") == 10
    assert value(before, "zhicheng_db_pool_size") == 11
    assert ("zhicheng_outbox_pending", ()) in before
    assert ("zhicheng_outbox_oldest_pending_age_seconds", ()) in before
    assert value(before, "zhicheng_failed_events", status="dead") == 0
    assert total(before, "zhicheng_event_queue_consumers") >= 1  # its handlers' queues
    assert total(before, "process_cpu_seconds_total") > 0

    api = Api(platform, db_engine)
    person = api.register_person(real_name="李雷")
    api.call("GET", "/api/v1/auth/me", person["token"], expect=200)

    after = scrape(url)
    for method in ("register_person", "login"):
        assert total(after, "zhicheng_rpc_duration_seconds_count", method=method) \
            > total(before, "zhicheng_rpc_duration_seconds_count", method=method), method
    assert total(after, "zhicheng_db_pool_wait_seconds_count") \
        > total(before, "zhicheng_db_pool_wait_seconds_count")
    # the other services serve no metrics port of their own here
    gateway_metrics = scrape(f"http://{config['WEB_SERVER_ADDRESS']}/metrics")
    assert total(gateway_metrics, "zhicheng_http_requests_total") >= 3
