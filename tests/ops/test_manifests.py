"""The Kubernetes manifests (deploy/k8s) validate offline against the Kubernetes API
schemas shipped in the kubernetes-validate package, and refer only to what they define:
config maps, secrets and their keys, the service account, selectors, ports, images,
probes, the services' commands and the settings each service requires."""
import importlib
import pathlib
import re

import pytest
import yaml

from services.common.config import DOMAIN_SERVICES

ROOT = pathlib.Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
# The oldest Kubernetes the manifests target and the newest the package knows.
VERSIONS = ("1.27.0", "1.37.0")
# Defined outside the manifests on purpose (docs/operations.md): the TLS certificate.
EXTERNAL_SECRETS = {"zhicheng-tls"}
DEPLOYMENTS = (*DOMAIN_SERVICES, "gateway")


def kustomization():
    return yaml.safe_load((K8S / "kustomization.yaml").read_text())


def load_resources():
    resources = []
    for name in kustomization()["resources"]:
        for doc in yaml.safe_load_all((K8S / name).read_text()):
            if doc:
                resources.append((name, doc))
    return resources


RESOURCES = load_resources()


def by_kind(kind):
    return {doc["metadata"]["name"]: doc for _, doc in RESOURCES if doc["kind"] == kind}


def pod_specs():
    """``(owner, pod spec)`` of every Deployment and Job."""
    for _, doc in RESOURCES:
        if doc["kind"] in ("Deployment", "Job"):
            yield f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"]


def containers(spec):
    return [*spec.get("initContainers", []), *spec["containers"]]


def test_kustomization_lists_every_manifest():
    listed = set(kustomization()["resources"])
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present


@pytest.mark.parametrize("version", VERSIONS)
def test_every_resource_validates_against_the_kubernetes_schema(version):
    from kubernetes_validate import utils

    assert RESOURCES
    failures = []
    for file, doc in RESOURCES:
        try:
            utils.validate(doc, version, strict=True)
        except utils.ValidationError as exc:
            failures.append(f"{file}: {doc['kind']}/{doc['metadata']['name']}: "
                            f"{exc.caught.message} at {list(exc.caught.absolute_path)}")
    assert not failures, "\n".join(failures)


def test_the_validator_refuses_a_broken_manifest():
    """The schema check is a real one: a misspelt field and a wrong type fail."""
    from kubernetes_validate import utils

    deployment = yaml.safe_load((K8S / "identity.yaml").read_text())
    broken = yaml.safe_load(yaml.safe_dump(deployment))
    broken["spec"]["replicas"] = "two"
    with pytest.raises(utils.ValidationError):
        utils.validate(broken, VERSIONS[-1], strict=True)
    broken = yaml.safe_load(yaml.safe_dump(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(utils.ValidationError):
        utils.validate(broken, VERSIONS[-1], strict=True)


def test_names_are_unique_per_kind():
    seen = set()
    for _, doc in RESOURCES:
        key = (doc["kind"], doc["metadata"]["name"])
        assert key not in seen, key
        seen.add(key)


def test_config_maps_secrets_and_keys_referred_to_exist():
    config_maps, secrets = by_kind("ConfigMap"), by_kind("Secret")

    def keys(kind, name):
        doc = (config_maps if kind == "configMap" else secrets)[name]
        return set(doc.get("data") or {}) | set(doc.get("stringData") or {})

    for owner, spec in pod_specs():
        for container in containers(spec):
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in config_maps, owner
                if "secretRef" in source:
                    assert source["secretRef"]["name"] in secrets, owner
            for var in container.get("env", []):
                ref = var.get("valueFrom", {})
                for kind in ("configMap", "secret"):
                    key_ref = ref.get(f"{kind}KeyRef")
                    if key_ref:
                        assert key_ref["key"] in keys(kind, key_ref["name"]), (owner, var)
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                assert volume["secret"]["secretName"] in secrets, owner
            if "configMap" in volume:
                assert volume["configMap"]["name"] in config_maps, owner


def test_secret_is_a_template_without_real_values():
    for secret in by_kind("Secret").values():
        for key, value in (secret.get("stringData") or {}).items():
            assert value == "" or "REPLACE_ME" in value, key
        assert not secret.get("data")


def test_service_accounts_exist():
    accounts = by_kind("ServiceAccount")
    for owner, spec in pod_specs():
        assert spec.get("serviceAccountName") in accounts, owner


def test_one_image_everywhere_and_kustomize_sets_it():
    images = {image["name"] for image in kustomization()["images"]}
    for owner, spec in pod_specs():
        for container in containers(spec):
            assert container["image"] in images, owner


def test_selectors_match_pods():
    deployments = by_kind("Deployment")
    assert set(deployments) == set(DEPLOYMENTS)
    for name, deployment in deployments.items():
        selector = deployment["spec"]["selector"]["matchLabels"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), name

    def pods_matching(selector):
        return [d for d in deployments.values()
                if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()]

    for name, service in by_kind("Service").items():
        matched = pods_matching(service["spec"]["selector"])
        assert len(matched) == 1, name
        ports = {p["name"] for c in matched[0]["spec"]["template"]["spec"]["containers"]
                 for p in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in ports, (name, port)
    for name, budget in by_kind("PodDisruptionBudget").items():
        assert len(pods_matching(budget["spec"]["selector"]["matchLabels"])) == 1, name


def test_ingress_routes_to_defined_services_for_the_api_and_the_console():
    services = by_kind("Service")
    ingresses = by_kind("Ingress")
    assert ingresses
    paths = set()
    for name, ingress in ingresses.items():
        for tls in ingress["spec"].get("tls", []):
            assert tls["secretName"] in set(by_kind("Secret")) | EXTERNAL_SECRETS
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                paths.add(path["path"])
                backend = path["backend"]["service"]
                assert backend["name"] in services, name
                port_names = {p["name"] for p in services[backend["name"]]["spec"]["ports"]}
                assert backend["port"]["name"] in port_names, name
    assert {"/", "/api"} <= paths  # the console and the API


def test_autoscalers_target_deployments_with_cpu_requests():
    deployments = by_kind("Deployment")
    autoscalers = by_kind("HorizontalPodAutoscaler")
    assert {"gateway", "workflow", "achievements"} <= {
        a["spec"]["scaleTargetRef"]["name"] for a in autoscalers.values()}
    for name, hpa in autoscalers.items():
        target = hpa["spec"]["scaleTargetRef"]
        assert target["kind"] == "Deployment" and target["name"] in deployments, name
        for container in deployments[target["name"]]["spec"]["template"]["spec"]["containers"]:
            assert container["resources"]["requests"]["cpu"], name


def test_every_deployment_has_probes_resources_and_metrics_annotations():
    for name, deployment in by_kind("Deployment").items():
        template = deployment["spec"]["template"]
        annotations = template["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        for container in template["spec"]["containers"]:
            assert container["readinessProbe"] and container["livenessProbe"], name
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert "memory" in container["resources"]["limits"], name
            ports = {p["name"]: p["containerPort"] for p in container["ports"]}
            assert int(annotations["prometheus.io/port"]) in ports.values(), name
            for kind in ("readinessProbe", "livenessProbe", "startupProbe"):
                probe = container.get(kind) or {}
                for action in ("httpGet", "tcpSocket"):
                    if action in probe:
                        assert probe[action]["port"] in ports, (name, kind)
                if "exec" in probe:
                    assert probe["exec"]["command"][:4] == [
                        "python", "-m", "services.common.probe", "health"]
                    assert probe["exec"]["command"][4] == name


def _module_exists(module):
    return importlib.util.find_spec(module) is not None


def test_commands_name_real_modules_classes_and_config_files():
    for owner, spec in pod_specs():
        for container in containers(spec):
            command = container["command"]
            if command[0] == "nameko":
                config = command[command.index("--config") + 1]
                assert (ROOT / config).is_file(), owner
                module, _, cls = command[-1].partition(":")
                assert hasattr(importlib.import_module(module), cls), owner
            else:
                assert command[:2] == ["python", "-m"], owner
                assert _module_exists(command[2]), owner


def test_jobs_migrate_every_service_and_declare_the_queues_and_services_wait_for_them():
    jobs = by_kind("Job")
    migrated = set()
    for job in jobs.values():
        command = job["spec"]["template"]["spec"]["containers"][0]["command"]
        if command[2] == "services.common.migrations":
            migrated.update(command[3:])
            env = {v["name"]: v for v in job["spec"]["template"]["spec"]["containers"][0]
                   .get("env", [])}
            # as the schemas' owner, not as the services' role
            assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] \
                == "MIGRATE_DATABASE_URL"
    assert migrated == set(DOMAIN_SERVICES)
    assert any(job["spec"]["template"]["spec"]["containers"][0]["command"][2]
               == "services.common.topology" for job in jobs.values())
    deployments = by_kind("Deployment")
    for name in DOMAIN_SERVICES:
        waits = [c["command"][3:] for c in
                 deployments[name]["spec"]["template"]["spec"]["initContainers"]]
        assert any(w[0] == "migrated" and name in w for w in waits), name
        assert any(w[0] == "topology" for w in waits), name


REQUIRED = re.compile(r"\$\{([A-Z0-9_]+)\}")  # ${VAR} without a default


def test_every_required_setting_of_every_service_is_provided():
    config_map = by_kind("ConfigMap")["zhicheng-settings"]["data"]
    secret = by_kind("Secret")["zhicheng-secrets"]["stringData"]
    provided = set(config_map) | set(secret)
    for name in DEPLOYMENTS:
        text = (ROOT / "services" / name / "config.yml").read_text()
        missing = set(REQUIRED.findall(text)) - provided
        assert not missing, (name, missing)
