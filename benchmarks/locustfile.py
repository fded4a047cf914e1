"""The load benchmark's users (run by `benchmarks/load.py`, which writes the plan this reads).

- `Reader` (50 by default): a person at a public body, signed in, reading the pages and API calls used every
  day, and the bare "hello" page (the ceiling), with a second or two between requests;
- `Importer` (5): a spend lead uploading a small transparency file (confirming its columns the first time)
  and a supplier's contact submitting a delivery return through the API.
"""

import itertools
import json
import os
import random
import re
from typing import Any

from locust import HttpUser, between, events, task
from locust.clients import HttpSession

PLAN: dict[str, Any] = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OPTION = re.compile(r'<select[^>]*name="([^"]+)"(.*?)</select>', re.S)
SELECTED = re.compile(r'<option value="([^"]*)"[^>]*selected')
RETURNS = iter(PLAN["returns"])
UPLOADS = itertools.count()


def _token(text: str) -> str:
    found = TOKEN.search(text)
    return found.group(1) if found else ""


def sign_in(user: HttpUser, email: str) -> None:
    page = user.client.get("/account/sign-in/", name="sign in")
    user.client.post(
        "/account/sign-in/",
        data={"csrfmiddlewaretoken": _token(page.text), "username": email, "password": PLAN["password"]},
        headers={"Referer": f"{user.host}/account/sign-in/"},
        name="sign in",
    )


class Reader(HttpUser):
    weight = 10
    wait_time = between(1, 2)

    def on_start(self) -> None:
        self.body = random.choice(PLAN["bodies"])
        sign_in(self, self.body["manager"])

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="home (the body's dashboard)")

    @task(3)
    def agreement_list(self) -> None:
        self.client.get(f"/o/{self.body['slug']}/agreements/", name="agreement list")

    @task(4)
    def agreement(self) -> None:
        self.client.get(
            f"/o/{self.body['slug']}/agreements/{random.choice(self.body['agreements'])}/", name="agreement"
        )

    @task(2)
    def procurement_list(self) -> None:
        self.client.get(f"/o/{self.body['slug']}/procurements/", name="procurement list")

    @task(2)
    def spend_dashboard(self) -> None:
        self.client.get(f"/o/{self.body['slug']}/spend/", name="spend dashboard")

    @task(2)
    def overdue_returns(self) -> None:
        self.client.get(f"/o/{self.body['slug']}/overdue-returns/", name="overdue returns")

    @task(2)
    def api_agreements(self) -> None:
        self.client.get(f"/api/v1/organisations/{self.body['slug']}/agreements/", name="API agreement list")

    @task(2)
    def api_agreement(self) -> None:
        pk = random.choice(self.body["agreements"])
        self.client.get(f"/api/v1/organisations/{self.body['slug']}/agreements/{pk}/", name="API agreement")

    @task(2)
    def api_overdue(self) -> None:
        self.client.get(f"/api/v1/organisations/{self.body['slug']}/overdue-returns/", name="API overdue returns")

    @task(2)
    def hello(self) -> None:
        self.client.get("/benchmark-hello/", name="bare Django hello (ceiling)")


class Importer(HttpUser):
    fixed_count = int(os.environ.get("LOAD_IMPORTERS", "5"))
    wait_time = between(2, 4)

    def on_start(self) -> None:
        self.body = random.choice(PLAN["bodies"])
        sign_in(self, self.body["lead"])

    @task
    def import_spend(self) -> None:
        number = next(UPLOADS)
        rows = "".join(
            f"{self.body['name']},{day:02d}/05/2026,T{os.getpid()}-{number}-{line},Supplier {line % 40} Ltd,"
            f"Highways,Private Contractors,{(number * 37 + line * 11) % 90000 / 100 + 500:.2f}\r\n"
            for line, day in zip(range(50), itertools.cycle(range(1, 29)), strict=False)
        )
        content = "Body,Payment Date,Transaction Number,Supplier Name,Service Area,Expense Type,Amount\r\n" + rows
        upload = f"/o/{self.body['slug']}/spend/imports/upload/"
        page = self.client.get(upload, name="spend upload (form)")
        answer = self.client.post(
            upload,
            data={"csrfmiddlewaretoken": _token(page.text), "spend_source": "Load test payments"},
            files={"spend_file": (f"payments-{os.getpid()}-{number}.csv", content.encode(), "text/csv")},
            headers={"Referer": f"{self.host}" + upload},
            name="spend upload",
        )
        if answer.url.endswith("/columns/"):
            data = {"csrfmiddlewaretoken": _token(answer.text)}
            for name, options in OPTION.findall(answer.text):
                chosen = SELECTED.search(options)
                data[name] = chosen.group(1) if chosen else ""
            self.client.post(answer.url, data=data, headers={"Referer": answer.url}, name="spend columns confirm")

    @task
    def submit_return(self) -> None:
        work = next(RETURNS, None)
        if work is None:
            return
        # The supplier's contact, in a session of its own.
        client = HttpSession(self.host, request_event=self.client.request_event, user=self)
        page = client.get("/account/sign-in/", name="sign in (supplier)")
        client.post(
            "/account/sign-in/",
            data={"csrfmiddlewaretoken": _token(page.text), "username": work["email"], "password": PLAN["password"]},
            headers={"Referer": f"{self.host}" + "/account/sign-in/"},
            name="sign in (supplier)",
        )
        client.post(
            f"/api/v1/organisations/{work['supplier']}/agreements/{work['agreement']}/returns/",
            json={
                "quantities": {str(pk): 1 for pk in work["commitments"]},
                "narrative": "Delivered this quarter (load test).",
                "submit": True,
            },
            headers={"X-CSRFToken": client.cookies.get("csrftoken", ""), "Referer": f"{self.host}" + "/"},
            name="return submit (API)",
        )


@events.quitting.add_listener
def _quit(environment: Any, **_: Any) -> None:
    environment.process_exit_code = 0  # load.py judges the figures itself
