"""The public pages (no login): what a citizen sees of a random check before and after its results are published."""

import hashlib
import re

import pytest
from django.utils import timezone

from postlicense.core.models import User
from postlicense.inspections.models import InspectionRecord
from postlicense.randomcheck import services
from postlicense.randomcheck.models import Task
from postlicense.randomcheck.tests.factories import (
    CONTRIBUTIONS,
    contribute,
    drawn_task,
    make_register,
    make_task,
    published_task,
)

pytestmark = pytest.mark.django_db
ENGLISH_KEYS = re.compile(
    r"\b(low|medium|medium_high|high|draft|frozen|drawn|published|cancelled|credit_code|stratum)\b"
)


@pytest.fixture
def admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang")


def visible_text(html: str) -> str:
    """The page as read: no tags, attributes, styles or scripts."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_a_draft_is_not_public_and_a_frozen_task_shows_digest_time_and_contributions_at_once(client, admin):
    make_register({"xuchang-weidu": 8})
    task = make_task(admin)
    assert client.get(f"/public/random-checks/{task.pk}/").status_code == 404
    assert task.name not in client.get("/public/").content.decode()
    services.freeze_candidates(task, admin)
    task.refresh_from_db()
    page = client.get(f"/public/random-checks/{task.pk}/").content.decode()
    assert (
        task.candidates_digest in page
        and f"{timezone.localtime(task.frozen_at):%Y-%m-%d}" in page
        and "尚未录入" in page
    )
    assert task.name in client.get("/public/").content.decode()
    contribute(task, admin)
    page = client.get(f"/public/random-checks/{task.pk}/").content.decode()
    for name, unit, value in CONTRIBUTIONS:
        assert name in page and unit in page and value in page


def test_before_publication_the_drawn_list_and_candidates_stay_private(client, admin):
    """Public before publication: the task, its scope, the digest and time, the contributions; not who was drawn
    (nor the candidate list, from which anyone holding the seed could compute it)."""
    make_register({"xuchang-weidu": 8})
    task = drawn_task(admin)
    page = client.get(f"/public/random-checks/{task.pk}/").content.decode()
    assert task.seed in page and "抽中企业名单在检查结果公示时公布" in page
    assert not any(code in page for code in task.drawn.values_list("credit_code", flat=True))
    verify = client.get(f"/public/random-checks/{task.pk}/verify/").content.decode()
    assert "候选名单在检查结果公示时与抽中企业名单一并公布" in verify
    assert not any(code in verify for code in task.candidates.values_list("credit_code", flat=True))
    assert client.get(f"/public/random-checks/{task.pk}/candidates.csv").status_code == 404


def test_after_publication_the_drawn_list_results_and_reason_are_public_in_chinese(client, admin):
    task = published_task(admin)
    page = client.get(f"/public/random-checks/{task.pk}/").content.decode()
    for code in task.drawn.values_list("credit_code", flat=True):
        assert code in page
    text = visible_text(page)
    assert "高风险企业全部检查" in text and "高风险100%" in text and "停产，未检查" in text
    assert "生产状态为在产、停产、转产" in text
    assert not ENGLISH_KEYS.search(text), ENGLISH_KEYS.search(text)
    assert "postlicense" not in text and "verify-draw" not in text and "sha256sum" not in text
    for record in InspectionRecord.objects.filter(random_draw__task=task).prefetch_related("inspectors"):
        assert all(i.name not in page and i.phone not in page for i in record.inspectors.all())


def test_how_to_verify_gives_the_exact_hash_input_and_the_candidate_csv_in_chinese(client, admin):
    task = published_task(admin)
    verify = client.get(f"/public/random-checks/{task.pk}/verify/").content.decode()
    first = task.drawn.get(stratum="low")  # the list's first row: strata from low, ranks ascending
    assert f"{task.seed}|风险等级代码|统一社会信用代码" in verify
    example = re.search(r'<dl class="props" id="example">.*?</dl>', verify, flags=re.S).group(0)
    text_hashed = re.search(r"<code>([^<]+)</code>", example).group(1)
    rank = re.findall(r"<code>([0-9a-f]{64})</code>", example)[0]
    assert hashlib.sha256(text_hashed.encode()).hexdigest() == rank
    assert text_hashed.startswith(task.seed + "|") and first.credit_code in verify
    body = client.get(f"/public/random-checks/{task.pk}/candidates.csv")
    assert body.content.decode().startswith("统一社会信用代码,风险等级\n")
    assert hashlib.sha256(body.content).hexdigest() == task.candidates_digest
    assert "filename*=UTF-8''" in body["Content-Disposition"]


def test_landing_page_lists_published_running_and_cancelled_tasks(client, admin):
    published = published_task(admin)
    running = services.freeze_candidates(make_task(admin, name="进行中的抽查"), admin)
    cancelled = services.cancel_task(
        services.freeze_candidates(make_task(admin, name="取消的抽查"), admin), "抽查范围有误，重新部署", admin
    )
    services.cancel_task(make_task(admin, name="未冻结就取消的草稿"), "误建", admin)
    page = client.get("/public/").content.decode()
    assert page.index("已公示结果") < page.index(published.name) < page.index("正在进行") < page.index(running.name)
    assert page.index("已取消") < page.index(cancelled.name) and "未冻结就取消的草稿" not in page
    detail = client.get(f"/public/random-checks/{cancelled.pk}/").content.decode()
    assert "本次抽查已取消" in detail and "抽查范围有误，重新部署" in detail
    assert client.get("/public/random-checks/").url == "/public/"


def test_login_page_links_to_the_public_pages(client):
    page = client.get("/login/").content.decode()
    assert 'href="/public/"' in page and "抽查信息公示" in page


def test_unknown_or_draft_public_task_is_not_found(client, admin):
    task = make_task(admin)
    for url in (
        f"/public/random-checks/{task.pk}/",
        f"/public/random-checks/{task.pk}/verify/",
        f"/public/random-checks/{task.pk}/candidates.csv",
        "/public/random-checks/999999/",
    ):
        assert client.get(url).status_code == 404
    assert Task.objects.count() == 1
