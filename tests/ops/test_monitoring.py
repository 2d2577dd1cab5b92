"""The monitoring files: Prometheus scrapes every service that docker-compose.yml runs,
on the port each serves its metrics at; the Grafana dashboard parses, has the
deadline-day panels and asks only for metrics the services export."""
import json
import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
METRICS_SOURCE = (ROOT / "services" / "common" / "metrics.py").read_text()


def test_prometheus_scrapes_every_service_of_the_compose_file():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    running = {name: spec for name, spec in compose["services"].items()
               if spec.get("command", [None])[0] == "nameko"}
    assert {"identity", "achievements", "workflow", "documents", "gateway"} <= set(running)
    for name, spec in running.items():
        job = jobs[name]
        lookup = job["dns_sd_configs"][0]
        assert lookup["names"] == [name]  # every replica of a scaled service
        environment = {**compose["x-service"]["environment"], **spec.get("environment", {})}
        port = int(environment["METRICS_PORT"] or environment["GATEWAY_ADDRESS"].split(":")[1])
        assert lookup["port"] == port, name
        assert {"target_label": "service", "replacement": name} in job["relabel_configs"]
    for path in ("prometheus.yml", "kubernetes.yml"):
        assert yaml.safe_load((ROOT / "deploy" / "prometheus" / path).read_text())
    mounts = compose["services"]["prometheus"]["volumes"]
    assert any(m.startswith("./deploy/prometheus/prometheus.yml:") for m in mounts)


def test_the_dashboard_has_the_deadline_day_panels_on_exported_metrics():
    dashboard = json.loads(
        (ROOT / "deploy" / "grafana" / "zhicheng-deadline-day.json").read_text())
    titles = " | ".join(panel["title"] for panel in dashboard["panels"])
    for wanted in ("Request rate", "p99 latency by route", "503", "Outbox", "queue depth"):
        assert wanted in titles, wanted
    names = set()
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            names.update(re.findall(r"\b((?:zhicheng|process)_[a-z_0-9]+)", target["expr"]))
    assert names
    for name in names:
        base = re.sub(r"_(bucket|count|sum|total)$", "", name)
        assert base.startswith("process_") or f'"{base}"' in METRICS_SOURCE, name
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
