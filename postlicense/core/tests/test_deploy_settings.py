"""Production settings from the environment (issue 11 item 7): deploy/production.env.example is the documented
production environment, and `postlicense check --deploy` with it reports nothing."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = ROOT / "deploy" / "production.env.example"


def production_env():
    lines = PRODUCTION_ENV.read_text(encoding="utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if line.strip() and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def run_postlicense(*args, **env):
    base = {k: v for k, v in os.environ.items() if k != "SECRET_KEY" and not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "-m", "postlicense.cli", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_documented_production_environment_reports_no_issues():
    """`check --deploy` with deploy/production.env.example and a real key: HSTS, SSL redirect, secure cookies, no DEBUG."""
    result = run_postlicense("check", "--deploy", **production_env(), SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_environment_turns_on_https_and_two_factor():
    env = production_env()
    assert env["DEBUG"] == "0" and env["REQUIRE_2FA"] == "1" and env["SECURE_COOKIES"] == "1"
    assert int(env["SECURE_HSTS_SECONDS"]) >= 31536000 and env["SECURE_SSL_REDIRECT"] == "1"
    assert "SECRET_KEY" not in env  # from the secret store, never from a file in the repository


def test_debug_0_refuses_to_start_on_the_built_in_secret_key():
    """DEBUG=0 without SECRET_KEY: the program stops with a Chinese message naming SECRET_KEY."""
    result = run_postlicense("check", **production_env())
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "必须设置 SECRET_KEY" in result.stderr


def test_debug_0_refuses_the_built_in_key_given_explicitly():
    from postlicense.settings import DEVELOPMENT_SECRET_KEY

    result = run_postlicense("check", **production_env(), SECRET_KEY=DEVELOPMENT_SECRET_KEY)
    assert result.returncode != 0 and "必须设置 SECRET_KEY" in result.stderr


def test_check_deploy_warns_without_the_production_environment():
    """The same check on the development defaults does warn, so the test above can fail."""
    result = run_postlicense("check", "--deploy", DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50))
    assert "security.W004" in result.stderr and "security.W008" in result.stderr and "security.W012" in result.stderr


def test_behind_a_trusted_proxy_the_lockout_counts_the_client_address_not_the_proxys():
    """TRUSTED_PROXY_COUNT=1 (production): django-axes reads X-Forwarded-For, else all users share the proxy's lockout."""
    probe = (
        "from django.conf import settings as s; print(s.AXES_IPWARE_PROXY_COUNT, *s.AXES_IPWARE_META_PRECEDENCE_ORDER)"
    )
    result = run_postlicense(
        "shell", "--no-imports", "-c", probe, **production_env(), SECRET_KEY=secrets.token_urlsafe(50)
    )
    assert result.stdout.split() == ["1", "HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"], result.stderr


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
def test_postgresql_connections_price_a_random_page_read_for_ssd():
    """PG_RANDOM_PAGE_COST (default 1.1) reaches every connection: at PostgreSQL's 4 the register's 高风险 list
    searched by name walked the whole primary key (docs/registry.md "Pages at a million")."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == float(os.environ.get("PG_RANDOM_PAGE_COST", "1.1"))
