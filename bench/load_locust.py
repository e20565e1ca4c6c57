"""The deadline-week mix for bench/load.py (run by it: `locust -f bench/load_locust.py --headless …`).

Every user waits at most 3 s between requests: gunicorn closes a keep-alive connection idle for 5 s
(deploy/gunicorn.conf.py), and a request sent on it at that moment is reset; a browser sends it again, locust's
client counts an error. Users come with a ready session (bench/load.py makes them in the database: a login's password hashing is not
what this measures) and the ids they open, from the JSON file named by LOAD_FIXTURES. Each run takes its
inspectors from LOAD_SLOT_OFFSET on, so every run finishes untouched records.
"""

import itertools
import json
import os
import random
import re
from pathlib import Path

from load import SEARCHES  # bench/load.py (locust puts this directory on the path)
from locust import HttpUser, between, constant, task

FIXTURES = json.loads(open(os.environ["LOAD_FIXTURES"]).read())  # noqa: SIM115
PHOTO = open(FIXTURES["photo"], "rb").read()  # noqa: SIM115
# Two workbooks of the same enterprises, one field apart: each import after the first updates and audits every row.
WORKBOOKS = [Path(name).read_bytes() for name in FIXTURES["imports"]]
SIGNATURE = FIXTURES["signature"]  # a handwriting-like PNG as the signature canvas posts it
OFFSET = int(os.environ.get("LOAD_SLOT_OFFSET", "0"))
_staff_slots = itertools.count()
_inspector_slots = itertools.count(OFFSET)


class Signed(HttpUser):
    abstract = True

    def sign_in(self, session):
        self.client.cookies.set("sessionid", session, domain="127.0.0.1")

    def csrf(self):
        return self.client.cookies.get("csrftoken", domain="127.0.0.1") or self.client.cookies.get("csrftoken")


class CountyStaff(Signed):
    """Lists, searches and opens enterprises and inspection records of their county."""

    weight = 5
    wait_time = between(1, 3)

    def on_start(self):
        slot = FIXTURES["staff"][next(_staff_slots) % len(FIXTURES["staff"])]
        self.sign_in(slot["session"])
        self.enterprises, self.records = slot["enterprises"], slot["records"]

    @task(3)
    def list_enterprises(self):
        self.client.get("/registry/enterprises/", name="企业列表")

    @task(3)
    def search_enterprises(self):
        self.client.get("/registry/enterprises/", params=random.choice(SEARCHES), name="企业查询")

    @task(3)
    def open_enterprise(self):
        self.client.get(f"/registry/enterprises/{random.choice(self.enterprises)}/", name="企业详情")

    @task(1)
    def list_records(self):
        self.client.get("/inspections/", name="检查记录列表")

    @task(1)
    def open_record(self):
        if self.records:
            self.client.get(f"/inspections/{random.choice(self.records)}/", name="检查记录详情")


class Inspector(Signed):
    """Opens an assigned record, autosaves it a few times, adds a photo, collects the signatures, finishes it."""

    weight = 3
    wait_time = between(1, 3)

    def on_start(self):
        slot = FIXTURES["inspectors"][next(_inspector_slots) % len(FIXTURES["inspectors"])]
        self.sign_in(slot["session"])
        self.todo = list(slot["records"])
        self.steps = iter(())
        self.client.get("/inspections/mine/", name="我的检查")

    @task
    def step(self):
        step = next(self.steps, None)
        if step is None:
            if not self.todo:  # every record of this inspector is finished: keep reading
                self.client.get("/inspections/mine/", name="我的检查")
                return
            self.steps = self.work(self.todo.pop(0))
            step = next(self.steps)
        step()

    def work(self, record):
        pk, form = record["pk"], dict(record["form"])
        state = {"revision": form["revision"]}

        def open_form():
            self.client.get(f"/inspections/{pk}/fill/", name="填写检查记录")

        def autosave(n):
            def save():
                data = {**form, "revision": state["revision"], "problems_summary": f"现场检查第 {n} 次保存"}
                with self.client.post(
                    f"/inspections/{pk}/draft/",
                    data=data,
                    headers={"X-CSRFToken": self.csrf()},
                    name="自动保存草稿",
                    catch_response=True,
                ) as response:
                    if response.ok and response.json().get("ok"):
                        state["revision"] = str(response.json()["revision"])
                    else:
                        response.failure(f"autosave {response.status_code}: {response.text[:200]}")

            return save

        def photo():
            self.client.post(
                f"/inspections/{pk}/items/{record['photo_item']}/attachments/",
                files={"file": ("现场照片.jpg", PHOTO, "image/jpeg")},
                data={"csrfmiddlewaretoken": self.csrf()},
                name="上传照片",
                allow_redirects=False,
            )

        def sign(who, extra):
            def post():
                self.client.post(
                    f"/inspections/{pk}/sign/",
                    data={"who": who, "csrfmiddlewaretoken": self.csrf(), **extra},
                    name="签名",
                    allow_redirects=False,
                )

            return post

        def finish():
            data = {**form, "revision": state["revision"], "then": "finish", "csrfmiddlewaretoken": self.csrf()}
            with self.client.post(
                f"/inspections/{pk}/fill/", data=data, name="完成检查", allow_redirects=False, catch_response=True
            ) as response:
                if response.status_code != 302 or not response.headers["Location"].rstrip("/").endswith(str(pk)):
                    response.failure(f"finish {response.status_code}: {response.text[:300]}")

        yield open_form
        for n in range(3):
            yield autosave(n)
        yield photo
        for inspector in record["crew"]:
            yield sign(str(inspector), {"image": SIGNATURE})
        yield sign("refuse", {"note": "企业负责人拒绝签字"})
        yield finish
        yield lambda: self.client.get(f"/inspections/{pk}/", name="检查记录详情")


class Public(HttpUser):
    """Reads the published random-check results."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        page = self.client.get("/public/", name="公示首页").text
        self.tasks_seen = sorted(set(re.findall(r"/public/random-checks/(\d+)/", page))) or [None]

    @task(1)
    def index(self):
        self.client.get("/public/", name="公示首页")

    @task(3)
    def result(self):
        pk = random.choice(self.tasks_seen)
        if pk:
            self.client.get(f"/public/random-checks/{pk}/", name="抽查结果公示")


class Importer(Signed):
    """A city admin importing the enterprise register through the worker and following its progress page."""

    fixed_count = 1
    wait_time = constant(1)

    def on_start(self):
        self.sign_in(FIXTURES["importer"])
        self.client.get("/registry/import/enterprises/", name="导入页面")
        self.job = None
        self.uploads = 0

    @task
    def tick(self):
        if self.job is None:
            with self.client.post(
                "/registry/import/enterprises/",
                files={
                    "file": (
                        "名录.xlsx",
                        WORKBOOKS[self.uploads % 2],
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    )
                },
                data={"csrfmiddlewaretoken": self.csrf()},
                name="上传导入文件",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code == 302:
                    self.job = response.headers["Location"]
                    self.uploads += 1
                else:
                    response.failure(f"import {response.status_code}")
            return
        page = self.client.get(self.job, headers={"HX-Request": "true"}, name="导入进度").text
        if "hx-get=" not in page:  # finished: the next tick uploads again
            self.job = None
