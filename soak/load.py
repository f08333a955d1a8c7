"""The soak's clients: residents submitting (Open311 and the web form), staff moving tickets, heads confirming hours.

Every client retries a request the server never answered (a killed worker, a server starting again) with the same
idempotency key or form key, for up to RETRY_SECONDS: that retry is what "nothing lost, nothing twice" rests on.
"""

from __future__ import annotations

import json
import queue
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.cookiejar import CookieJar

from community_hall.accounts.services import DEMO_PASSWORD

RETRY_SECONDS = 90
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
IDEM = re.compile(r'name="idem_key"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
RECEIPT = re.compile(r"/receipt/([^/?#]+)$")


@dataclass
class Tally:
    """What every client saw, shared between threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    server_errors: list = field(default_factory=list)
    unanswered: int = 0            # attempts the server never answered (killed mid-request or down)
    acked: list = field(default_factory=list)        # (slug, number, marker, channel)
    refused: list = field(default_factory=list)      # submissions the app refused (should be none)
    moves: Counter = field(default_factory=Counter)  # staff actions done
    confirmed: list = field(default_factory=list)    # (slug, activity id) confirmed with a success message

    def saw(self, method: str, path: str, status: int, body: str = "") -> None:
        """Count one answer; keep the first lines of any 5xx."""
        with self.lock:
            self.statuses[status] += 1
            if status >= 500:
                self.server_errors.append({"method": method, "path": path, "status": status, "body": body[:500]})


class Client:
    """One browser or API client: its own cookies, retries on no answer."""

    def __init__(self, base: str, tally: Tally):
        self.base, self.tally = base, tally
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def call(self, method: str, path: str, data: dict | None = None, headers: dict | None = None):
        """(status, final URL, body) of one request, retried while the server does not answer."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        deadline = time.monotonic() + RETRY_SECONDS
        while True:
            request = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
            try:
                with self.opener.open(request, timeout=60) as response:
                    text = response.read().decode("utf-8", "replace")
                    self.tally.saw(method, path, response.status)
                    return response.status, response.geturl(), text
            except urllib.error.HTTPError as err:
                text = err.read().decode("utf-8", "replace")
                self.tally.saw(method, path, err.code, text)
                return err.code, err.geturl(), text
            except (urllib.error.URLError, ConnectionError, OSError):
                # No answer: the worker was killed or the server is restarting. Same request again.
                with self.tally.lock:
                    self.tally.unanswered += 1
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def sign_in(self, username: str) -> None:
        """Sign in through the login form."""
        _status, _url, page = self.call("GET", "/login")
        token = CSRF.search(page).group(1)
        status, url, _page = self.call("POST", "/login", {"csrf_token": token, "username": username,
                                                           "password": DEMO_PASSWORD})
        if status != 200 or url.endswith("/login"):
            raise RuntimeError(f"{username} could not sign in ({status} at {url})")


class Submissions:
    """The tickets still to submit, handed out one at a time."""

    def __init__(self, total: int):
        self.left, self.total, self.lock = total, total, threading.Lock()

    def take(self) -> bool:
        """True while there is one more ticket to submit."""
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True

    def done(self) -> int:
        """How many have been handed out."""
        with self.lock:
            return self.total - self.left


def _phone(rng: random.Random) -> str:
    return "139" + "".join(rng.choice("0123456789") for _ in range(8))


def submitter(base: str, site: dict, work: Submissions, tally: Tally, staff_queues: dict, seed: int,
              web_share: float = 0.3) -> None:
    """Submit tickets until none are left: Open311 with an Idempotency-Key, or the web form with its form key."""
    rng = random.Random(seed)
    client = Client(base, tally)
    slugs = sorted(site)
    while work.take():
        slug = rng.choice(slugs)
        code = rng.choice(site[slug]["items"])
        marker = uuid.UUID(int=rng.getrandbits(128)).hex
        phone = _phone(rng)
        if rng.random() < web_share:
            number = _web(client, slug, code, marker, phone)
            channel = "web"
        else:
            number = _open311(client, site[slug]["api_key"], slug, code, marker, phone)
            channel = "open311"
        with tally.lock:
            if number is None:
                tally.refused.append((slug, code, marker, channel))
            else:
                tally.acked.append((slug, number, marker, channel))
        if number is not None:
            staff_queues[slug].put(number)


def _open311(client: Client, key: str, slug: str, code: str, marker: str, phone: str) -> str | None:
    status, _url, body = client.call("POST", "/open311/v2/requests.json", {
        "jurisdiction_id": slug, "api_key": key, "service_code": code, "last_name": "王", "first_name": "测试",
        "phone": phone, "description": f"soak {marker}"}, {"Idempotency-Key": marker})
    if status != 201:
        return None
    return json.loads(body)[0]["service_request_id"]


def _web(client: Client, slug: str, code: str, marker: str, phone: str) -> str | None:
    _status, _url, page = client.call("GET", f"/c/{slug}/apply/{code}")
    token, idem = CSRF.search(page), IDEM.search(page)
    if not token or not idem:
        return None
    status, url, _page = client.call("POST", f"/c/{slug}/apply/{code}", {
        "csrf_token": token.group(1), "idem_key": idem.group(1), "resident_name": "李测试", "resident_phone": phone,
        "details": f"soak {marker}"})
    found = RECEIPT.search(urllib.parse.urlsplit(url).path) if status == 200 else None
    return urllib.parse.unquote(found.group(1)) if found else None


def staff(base: str, slug: str, username: str, numbers: queue.Queue, stop: threading.Event, tally: Tally) -> None:
    """Accept new tickets, and complete every second one, as the window would, for as long as submissions go on."""
    client = Client(base, tally)
    client.sign_in(username)
    n = 0
    while not stop.is_set():
        try:
            number = numbers.get(timeout=0.5)
        except queue.Empty:
            continue
        n += 1
        for action in ("accept", "complete") if n % 2 == 0 else ("accept",):
            path = f"/c/{slug}/tickets/{urllib.parse.quote(number)}"
            _status, _url, page = client.call("GET", path)
            version, token = VERSION.search(page), CSRF.search(page)
            if not version or not token:
                break
            status, _url, _page = client.call("POST", f"{path}/{action}", {
                "csrf_token": token.group(1), "version": version.group(1),
                "note": "已办结，请到窗口领取结果。" if action == "complete" else ""})
            if status == 200:
                with tally.lock:
                    tally.moves[action] += 1


def head(base: str, slug: str, username: str, activities: list[dict], work: Submissions, tally: Tally) -> None:
    """Mark each activity's volunteers attended (2 hours) and confirm it, spread over the load."""
    client = Client(base, tally)
    client.sign_in(username)
    for i, activity in enumerate(activities):
        # Pace the confirmations so they happen during the submissions, not before or after them.
        while work.done() < work.total * i / max(len(activities), 1) and work.left > 0:
            time.sleep(0.1)
        sheet = f"/c/{slug}/timebank/activities/{activity['id']}/attendance"
        _status, _url, page = client.call("GET", sheet)
        token = CSRF.search(page).group(1)
        for signup in activity["signups"]:
            client.call("POST", f"{sheet}/{signup}", {"csrf_token": token, "outcome": "attended", "hours": "2"})
        status, url, _page = client.call("POST", f"/c/{slug}/timebank/activities/{activity['id']}/confirm",
                                         {"csrf_token": token})
        if status == 200 and url.endswith("/attendance"):
            with tally.lock:
                tally.confirmed.append((slug, activity["id"]))
