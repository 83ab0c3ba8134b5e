"""Leadership on both backends: one holder at a time, a released or dead holder's place is
taken, and stores in different schemas (or files) have leaders of their own."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import sqlalchemy as sa

from covenant.services.leader import LOCK_CLASS, Leadership, lock_key
from covenant.services.store import open_store
from tests.stores import postgres_schemas

HOLDER = textwrap.dedent(
    """
    import sys
    from covenant.services.leader import LOCK_CLASS, Leadership, lock_key
    leadership = Leadership(sys.argv[1])
    print("leads" if leadership.acquire() else "follows", flush=True)
    sys.stdin.readline()  # hold until killed (or told)
    """
)


def test_one_leader_at_a_time_and_a_release_hands_over(store_url: str) -> None:
    open_store(store_url).dispose()
    first, second = Leadership(store_url), Leadership(store_url)
    try:
        assert first.acquire()
        assert first.held()
        assert first.acquire()  # asking again while leading keeps the lead
        assert not second.acquire()
        assert not second.held()
        first.release()
        assert not first.held()
        assert second.acquire()
        assert not first.acquire()
        assert second.held()
    finally:
        first.close()
        second.close()


def test_a_killed_leaders_place_is_taken(store_url: str) -> None:
    """SIGKILL gives the holder no chance to release: the lock must die with the process."""
    open_store(store_url).dispose()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, store_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    follower = Leadership(store_url)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "leads"
        assert not follower.acquire()
        holder.kill()
        holder.wait(timeout=60)
        # the server notices the closed socket at once; poll a little for a loaded machine
        for _ in range(100):
            if follower.acquire():
                break
            time.sleep(0.1)
        assert follower.held()
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.communicate()
        follower.close()


def test_a_lost_connection_is_a_lost_lead(postgres_engine: sa.Engine) -> None:
    url = postgres_engine.url.render_as_string(hide_password=False)
    leader = Leadership(url)
    other = Leadership(url)
    try:
        assert leader.acquire()
        with postgres_engine.begin() as conn:  # the leader's session ends (an admin, a restart)
            schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
            ended = conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND classid = :a AND objid = :b"
                ),
                {"a": LOCK_CLASS, "b": lock_key(schema, "worker")},
            ).all()
        assert ended == [(True,)]  # exactly the leader's session
        assert not leader.held()
        assert other.acquire()
    finally:
        leader.close()
        other.close()


def test_stores_in_other_schemas_or_files_lead_apart(
    postgres_url: str, tmp_path: Path, store_url: str
) -> None:
    with postgres_schemas(postgres_url, 2) as urls:
        others = [*urls, f"sqlite:///{tmp_path / 'other' / 'covenant.db'}"]
        leaders = [Leadership(url) for url in [store_url, *others]]
        try:
            assert all(leader.acquire() for leader in leaders)
        finally:
            for leader in leaders:
                leader.close()


def test_a_store_in_memory_always_leads() -> None:
    leadership = Leadership("sqlite://")
    assert leadership.acquire()
    assert Leadership("sqlite://").acquire()  # another process's memory is another store
    leadership.close()
