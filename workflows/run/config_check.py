"""``ssbi config check``: connect to each configured database (results store, LaunchPad) and say what is wrong."""

from __future__ import annotations

from ssbi.interfaces.errors import SSBIError
from ssbi.workflows.store.jobstore import describe as describe_store
from ssbi.workflows.store.jobstore import make_job_store


def _store_row(store: str | None) -> dict:
    what = "results store"
    try:
        what = f"results store {describe_store(store)}"
        job_store = make_job_store(store)
        job_store.connect()
        count = job_store.docs_store.count()
        job_store.close()
    except SSBIError as exc:
        return {"what": what, "ok": False, "message": str(exc).splitlines()[0]}
    except Exception as exc:  # noqa: BLE001 - a driver's error, said in one line
        return {"what": what, "ok": False, "message": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
    return {"what": what, "ok": True, "message": f"reachable, {count} document(s)"}


def _launchpad_row() -> dict:
    import ssbi.workflows.run.fireworks as fw  # lazy: start-up (FireWorks)

    what = fw.describe()
    try:
        with fw.launchpad() as lp:
            count = len(lp.get_wf_ids({}))
    except SSBIError as exc:
        return {"what": what, "ok": False, "message": str(exc).splitlines()[0]}
    except Exception as exc:  # noqa: BLE001
        return {"what": what, "ok": False, "message": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
    return {"what": what, "ok": True, "message": f"reachable, {count} workflow(s)"}


def check_databases(store: str | None = None) -> list[dict]:
    """One row per database: what, ok, message."""
    return [_store_row(store), _launchpad_row()]
