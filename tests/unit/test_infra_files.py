"""The deployment files agree with the code and with each other: every YAML parses, probes
name the app's health routes, one image everywhere, settings are ones the app reads, and the
nginx configuration is accepted by nginx with limits that match the API's own."""

from __future__ import annotations

import re
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Any

import pytest
import yaml

from backend.settings import FIELDS, Settings, load_settings
from backend.web.health import healthz, readyz
from infra.prod import nginx
from infra.prod.environment import product_env
from infra.prod.layout import Layout, Secrets
from infra.prod.ports import HOST

INFRA = Path(__file__).resolve().parents[2] / "infra"
IMAGE = "gridreport/gridreport"


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def k8s(kind: str) -> list[dict[str, Any]]:
    found = [doc for path in (INFRA / "k8s").glob("*.yaml") for doc in documents(path)]
    return [doc for doc in found if doc.get("kind") == kind]


def one(kind: str, name: str) -> dict[str, Any]:
    [doc] = [doc for doc in k8s(kind) if doc["metadata"]["name"] == name]
    return doc


def containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    spec: list[dict[str, Any]] = workload["spec"]["template"]["spec"]["containers"]
    return spec


def compose() -> dict[str, Any]:
    [doc] = documents(INFRA / "compose.yaml")
    return doc


def test_every_yaml_file_parses() -> None:
    paths = sorted(INFRA.rglob("*.yaml"))
    assert INFRA / "compose.yaml" in paths
    assert len(paths) >= 8
    for path in paths:
        assert documents(path), path


def test_the_kustomization_lists_every_manifest_but_the_example_secret() -> None:
    [kustomization] = documents(INFRA / "k8s" / "kustomization.yaml")
    manifests = {p.name for p in (INFRA / "k8s").glob("*.yaml")}
    assert set(kustomization["resources"]) == manifests - {
        "kustomization.yaml",
        "secret.example.yaml",
    }


def test_api_probes_name_the_apps_health_routes_on_the_served_port() -> None:
    [api] = containers(one("Deployment", "gridreport-api"))
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert "/readyz" in readyz.paths and "/healthz" in healthz.paths
    [port] = api["ports"]
    assert api["args"][api["args"].index("--port") + 1] == str(port["containerPort"])
    assert api["readinessProbe"]["httpGet"]["port"] == port["name"]
    healthcheck = " ".join(compose()["services"]["api"]["healthcheck"]["test"])
    assert f"127.0.0.1:{port['containerPort']}/readyz" in healthcheck


def test_one_image_runs_api_worker_and_migrations_everywhere() -> None:
    workloads = [*k8s("Deployment"), *k8s("Job")]
    images = {c["image"] for w in workloads for c in containers(w)}
    services = compose()["services"]
    assert images == {services["api"]["image"]} == {services["worker"]["image"]}
    assert services["migrate"]["image"] == services["api"]["image"]
    assert services["api"]["image"].split(":")[0] == IMAGE
    [kustomization] = documents(INFRA / "k8s" / "kustomization.yaml")
    [pinned] = kustomization["images"]
    assert f"{pinned['name']}:{pinned['newTag']}" in images
    dockerfile = (INFRA / "Dockerfile").read_text()
    assert services["api"]["build"]["dockerfile"] == "infra/Dockerfile"
    assert "backend.asgi:app_from_environment" in dockerfile


def test_commands_are_the_clis_own() -> None:
    [worker] = containers(one("Deployment", "gridreport-worker"))
    [migrate] = containers(one("Job", "gridreport-migrate"))
    assert worker["args"] == ["gridreport", "worker"]
    assert migrate["args"] == ["gridreport", "migrate"]
    services = compose()["services"]
    assert services["worker"]["command"] == ["gridreport", "worker"]
    assert services["migrate"]["command"] == ["gridreport", "migrate"]
    assert services["api"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


def test_the_autoscaler_scales_the_api_on_cpu() -> None:
    hpa = one("HorizontalPodAutoscaler", "gridreport-api")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "gridreport-api"
    assert hpa["spec"]["minReplicas"] >= 2
    [metric] = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"


def test_config_and_secret_references_exist_and_hold_settings_the_app_reads() -> None:
    config = one("ConfigMap", "gridreport-config")
    secret = one("Secret", "gridreport-secrets")
    for workload in [*k8s("Deployment"), *k8s("Job")]:
        for container in containers(workload):
            refs = {
                key: ref[key]["name"]
                for ref in container["envFrom"]
                for key in ("configMapRef", "secretRef")
                if key in ref
            }
            assert refs == {"configMapRef": "gridreport-config", "secretRef": "gridreport-secrets"}
    assert set(config["data"]) <= set(FIELDS)
    assert set(secret["stringData"]) <= set(FIELDS)
    assert set(compose()["x-app"]["environment"]) <= set(FIELDS)


def test_proxies_accept_exactly_the_body_the_api_accepts() -> None:
    limit = nginx.client_max_body(Settings())
    assert limit == "15616k"  # 15 MiB of photo and 256 KiB of form
    nginx_env = compose()["services"]["nginx"]["environment"]
    assert nginx_env["GRIDREPORT_CLIENT_MAX_BODY"] == limit
    ingress = one("Ingress", "gridreport")
    assert (
        ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == limit
    )
    stream = one("Ingress", "gridreport-stream")
    assert stream["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"
    assert stream["spec"]["rules"][0]["http"]["paths"][0]["path"] == "/api/v1/stream"


def test_compose_fills_every_placeholder_of_the_nginx_template() -> None:
    placeholders = set(re.findall(r"\$\{(GRIDREPORT_[A-Z_]+)\}", nginx.TEMPLATE.read_text()))
    nginx_env = compose()["services"]["nginx"]["environment"]
    assert placeholders == {key for key in nginx_env if key.startswith("GRIDREPORT_")}
    with pytest.raises(KeyError, match="GRIDREPORT_LISTEN"):
        nginx.render(nginx.TEMPLATE.read_text(), {})


def rendered(tmp_path: Path) -> tuple[Layout, Path, str]:
    layout = Layout(tmp_path / "run")
    layout.create()
    values = nginx.site_values(
        listen="127.0.0.1:8080",
        api_ports=[8101, 8102],
        settings=Settings(),
        pwa_root=tmp_path / "dist",
        photos_origin="http://127.0.0.1:8333/gridreport/",
        access_log=layout.log("nginx-access"),
    )
    main = nginx.write_config(layout, values)
    return layout, main, (layout.nginx / "gridreport.conf").read_text()


def block(config: str, location: str) -> str:
    """The body of one `location … { … }` block (none of ours nests braces but `if`)."""
    start = config.index(f"location {location} {{")
    return config[start : config.index("\n    }", start)]


def test_nginx_accepts_the_generated_configuration(tmp_path: Path) -> None:
    nginx.binary()  # `make test` installs Debian's nginx
    layout, main, _ = rendered(tmp_path)
    nginx.check(main, layout)  # raises with nginx's own words when refused


def test_nginx_refuses_a_broken_configuration(tmp_path: Path) -> None:
    nginx.binary()
    layout, main, site = rendered(tmp_path)
    (layout.nginx / "gridreport.conf").write_text(site.replace("keepalive 32;", "keepalive;"))
    with pytest.raises(ValueError, match="keepalive"):
        nginx.check(main, layout)


def test_the_generated_configuration_says_what_the_app_needs(tmp_path: Path) -> None:
    _, _, site = rendered(tmp_path)
    assert "server 127.0.0.1:8101" in site and "server 127.0.0.1:8102" in site
    assert "client_max_body_size 15616k;" in site
    stream = block(site, "= /api/v1/stream")
    assert "proxy_buffering off;" in stream and "gzip off;" in stream
    assert 'add_header Cache-Control "no-store" always;' in block(site, "= /sw.js")
    assets = block(site, "/assets/")
    assert 'add_header Cache-Control "public, max-age=31536000, immutable" always;' in assets
    assert f"root {tmp_path / 'dist'};" in assets
    assert "proxy_set_header X-Request-ID $gridreport_request_id;" in site
    assert not re.search(r"\$\{GRIDREPORT_[A-Z_]+\}", site)


def test_every_answer_tells_browsers_to_keep_to_https(tmp_path: Path) -> None:
    _, _, site = rendered(tmp_path)
    hsts = 'add_header Strict-Transport-Security "max-age=31536000" always;'
    server = site[site.index("server {") :]
    assert hsts in server[: server.index("\n    location ")]
    # A location that adds any header of its own drops the server's: it must repeat HSTS.
    for location in re.findall(r"location ([^{]+?) \{", site):
        body = block(site, location)
        if "add_header" in body:
            assert hsts in body, location


def test_the_proxy_names_the_client_and_the_production_run_trusts_only_that_proxy(
    tmp_path: Path,
) -> None:
    _, _, site = rendered(tmp_path)
    assert "proxy_set_header X-Real-IP $remote_addr;" in site
    # nginx is the edge: it forwards only the address it saw, never a client's own header,
    # which a client on a private network the API trusts could otherwise forge.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site
    assert "$proxy_add_x_forwarded_for" not in site
    assert "$http_x_forwarded_for" not in site
    env = product_env(
        Layout(tmp_path / "run"),
        Secrets("database-password", "ACCESSKEY", "secret-key", "vapid-key"),
        dsn="postgresql://gridreport@127.0.0.1:5432/gridreport",
        s3_url="http://127.0.0.1:8333",
        public_url="http://127.0.0.1:8080",
        extra={},
    )
    trusted = [ip_network(cidr) for cidr in load_settings(env).trusted_proxies]
    assert any(ip_address(HOST) in network for network in trusted)  # nginx's own address
    assert not any(ip_address("203.0.113.9") in network for network in trusted)
    assert "GRIDREPORT_TRUSTED_PROXIES" in compose()["x-app"]["environment"]
    assert "GRIDREPORT_TRUSTED_PROXIES" in one("ConfigMap", "gridreport-config")["data"]
