"""The image (deploy/Dockerfile) runs as the non-root user the Kubernetes manifests
expect, from the production lock only, with a healthcheck."""
import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()


def final_stage():
    return DOCKERFILE[DOCKERFILE.rindex("\nFROM "):]


def test_runs_as_the_numeric_non_root_user_the_manifests_name():
    users = re.findall(r"^USER (\S+)", final_stage(), re.M)
    assert users and users[-1] == "10001:10001"
    assert "--uid 10001" in final_stage()
    for name in ("identity", "gateway"):
        deployment = yaml.safe_load((ROOT / "deploy" / "k8s" / f"{name}.yaml").read_text()
                                    .split("\n---")[0])
        security = deployment["spec"]["template"]["spec"]["securityContext"]
        assert security["runAsNonRoot"] and security["runAsUser"] == 10001


def test_installs_the_production_lock_only_and_has_a_healthcheck():
    stage = final_stage()
    instructions = "\n".join(line for line in stage.splitlines()
                             if not line.lstrip().startswith("#"))
    assert "requirements.lock" in instructions and "requirements-dev" not in instructions
    healthcheck = re.search(r"^HEALTHCHECK .*?CMD (.*?)(?<!\\)\n", stage, re.M | re.S)
    assert healthcheck, "no HEALTHCHECK"
    assert "$METRICS_PORT/metrics" in healthcheck[1] and "/healthz" in healthcheck[1]
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert "deploy/s3rver/node_modules" in ignored and ".venv" in ignored
