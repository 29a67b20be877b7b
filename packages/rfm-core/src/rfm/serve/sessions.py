"""Per-browser state: each visitor's what-if, invisible to everyone else until saved.

A visitor gets a session id in a cookie (random, 256 bits, ``HttpOnly``, ``SameSite=Strict``)
the first time; the server keeps the session's state: per tenant, the decided scenario it starts
from, the years, what it compares with and its list of changes. Two people editing the same
tenant at once therefore never see each other's unsaved changes; what one saves (a scenario
file, an archived run) is there for all.

Each session also holds a token every form carries (CSRF): a form posted from another site
cannot know it, so it changes nothing. The store is bounded: the least recently used session is
dropped beyond :data:`MAX_SESSIONS`, and a session unused for :data:`IDLE_SECONDS` is forgotten.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import OrderedDict

import attrs

from rfm.serve.whatif import Change

MAX_SESSIONS = 1000
IDLE_SECONDS = 12 * 3600
COOKIE = "rfm_session"


@attrs.define
class Workspace:
    """One session's what-if of one tenant."""

    years: tuple[int, ...]
    base: str | None = None
    """The decided scenario the what-if starts from (None: the tenant's default)."""
    against: str = ""
    """What the what-if is compared with: ``""`` (the decided scenario), ``scenario:NAME`` or
    ``run:ID`` (an archived run)."""
    changes: tuple[Change, ...] = ()
    message: str = ""
    """What the last action did ("Sparat som scenario …"), shown once."""


@attrs.define
class Session:
    id: str
    csrf: str
    used: float
    lock: threading.Lock = attrs.field(factory=threading.Lock)
    workspaces: dict[str, Workspace] = attrs.field(factory=dict)

    def check_csrf(self, token: str) -> bool:
        return hmac.compare_digest(self.csrf.encode(), token.encode())


class Sessions:
    """The sessions of one server, thread-safe and bounded."""

    def __init__(self, limit: int = MAX_SESSIONS, idle: float = IDLE_SECONDS) -> None:
        self._limit = limit
        self._idle = idle
        self._by_id: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str | None) -> tuple[Session, bool]:
        """The session of ``session_id``, or a new one; and whether it is new."""
        now = time.monotonic()
        with self._lock:
            found = self._by_id.get(session_id or "")
            if found is not None and now - found.used <= self._idle:
                found.used = now
                self._by_id.move_to_end(found.id)
                return found, False
            if found is not None:
                del self._by_id[found.id]
            session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now)
            self._by_id[session.id] = session
            while len(self._by_id) > self._limit:
                self._by_id.popitem(last=False)
            return session, True

    def __len__(self) -> int:
        return len(self._by_id)
