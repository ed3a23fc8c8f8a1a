"""Who is at the screen: the `Owner` every tab handler passes to the engine.

- With auth on, the logged-in account (`request.username`); an admin when named in
  `STUDIO_ADMIN_USERS`.
- Without auth, a secret visitor key (`engine.ownership.new_visitor_key`, 192 bits), made on the
  first call of a browser session (`request.session_hash`, so a `gradio_client` caller gets one
  too) and kept in a server-side map. It is shown only to its owner, who may paste it back in a
  new session to come back.

Deleting a person removes Gradio's copies of their files too (see `studio.served`).
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import gradio as gr

from engine.deletion import DeletionReport
from engine.engine import Engine
from engine.errors import InvalidRequest
from engine.ownership import Owner, new_visitor_key

__all__ = ["Identities"]

_KEY = re.compile(r"^[A-Za-z0-9_-]{32}$")


class Identities:
    def __init__(self, engine: Engine, served_dir: Path) -> None:
        self._engine = engine
        self._admins = set(engine.settings.admin_users)
        self.served_dir = served_dir
        self._lock = threading.Lock()
        self._keys: dict[str, str] = {}  # session hash -> visitor key
        self._uploads: dict[str, set[Path]] = defaultdict(set)  # owner id -> upload paths received

    def owner(self, request: gr.Request | None) -> Owner:
        """The caller of a handler."""
        username = getattr(request, "username", None) if request is not None else None
        if username:
            return Owner(id=str(username), admin=username in self._admins)
        session = getattr(request, "session_hash", None) if request is not None else None
        if not session:
            raise InvalidRequest("session", "reload the page: this call came without a browser session")
        with self._lock:
            key = self._keys.get(session)
            if key is None:
                key = self._keys[session] = new_visitor_key()
        return Owner(id=key, visitor=True)

    def visitor_key(self, request: gr.Request | None) -> str:
        """The caller's own key to come back with ('' with auth on: the account is the key)."""
        owner = self.owner(request)
        return owner.id if owner.visitor else ""

    def come_back(self, request: gr.Request | None, key: str) -> Owner:
        """Use a key from an earlier session in this one (without auth only)."""
        current = self.owner(request)
        if not current.visitor:
            raise InvalidRequest("key", "you are logged in: your account keeps your records, no key is needed")
        key = (key or "").strip()
        if not _KEY.match(key):
            raise InvalidRequest("key", "paste the whole key you were given (32 letters, digits, - and _)")
        if self._engine.media.tombstones.is_deleted(key):
            raise InvalidRequest("key", "the data of this key was deleted; you start afresh")
        with self._lock:
            self._keys[request.session_hash] = key  # type: ignore[union-attr]
        return Owner(id=key, visitor=True)

    def received(self, owner: Owner, paths: Iterable[str | Path | None]) -> None:
        """Remember uploads received for `owner`, to remove with their data."""
        with self._lock:
            self._uploads[owner.id].update(Path(p) for p in paths if p)

    def delete_everything(self, request: gr.Request | None) -> DeletionReport:
        """Delete every record, file and served copy of the caller; a visitor gets a new key."""
        owner = self.owner(request)
        with self._lock:
            uploads = self._uploads.pop(owner.id, set())
        report = self._engine.deletion.forget(owner=owner, copies_in=[self.served_dir], extra_paths=uploads)
        if owner.visitor:
            with self._lock:
                for session in [s for s, k in self._keys.items() if k == owner.id]:
                    del self._keys[session]
        return report
