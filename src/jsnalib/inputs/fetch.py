"""Download benchmark data from the national Fingertips tool (OHID) into data/.

``fetch_fingertips`` calls the Fingertips API's CSV endpoint
``https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id`` with ``indicator_ids``
(comma separated), ``child_area_type_id`` and ``parent_area_type_id``, streams the answer to a
temporary file beside the destination, checks it (HTTP status, content type, the export's
header row, data present for every indicator asked for, the whole file readable by
:func:`jsnalib.inputs.readers.read_fingertips`) and only then renames it into place. Any failure raises
:class:`FetchError` and leaves no partial file; an existing destination file is untouched.

Fingertips area type ids used here: 15 England, 6 regions, 502 counties and unitary
authorities (from April 2023), 501 districts and unitary authorities (from April 2023).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import requests

from jsnalib.inputs import readers
from jsnalib.inputs.contracts import FINGERTIPS

FINGERTIPS_HOST = "https://fingertips.phe.org.uk"
CSV_ENDPOINT = f"{FINGERTIPS_HOST}/api/all_data/csv/by_indicator_id"
ENGLAND, REGIONS, COUNTIES_AND_UAS, DISTRICTS_AND_UAS = 15, 6, 502, 501
_CHUNK = 64 * 1024


class FetchError(RuntimeError):
    """A download failed or its answer was not a usable Fingertips export."""


def _indicator_list(indicator_ids: int | str | Iterable[int | str]) -> list[int]:
    items = [indicator_ids] if isinstance(indicator_ids, int | str) else list(indicator_ids)
    ids = []
    for item in items:
        text = str(item).strip()
        if not text.isdigit() or int(text) < 1:
            raise ValueError(f"indicator ids must be positive whole numbers, got {item!r}")
        ids.append(int(text))
    if not ids:
        raise ValueError("give at least one indicator id")
    return ids


def _check_area_type(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a positive whole number (a Fingertips area type id), "
                         f"got {value!r}")
    return value


def fetch_fingertips(indicator_ids: int | str | Iterable[int | str], dest: str | Path,
                     area_type_id: int = COUNTIES_AND_UAS, parent_area_type_id: int = REGIONS,
                     session: Any = None, timeout: float = 60) -> Path:
    """Download a Fingertips CSV export for ``indicator_ids`` and save it at ``dest``.

    Parameters
    ----------
    indicator_ids : one Fingertips indicator id or several (e.g. 20601 or [20601, 20602]).
    dest : the file to write, or an existing folder (the file is then named
        ``fingertips_<ids>.csv``, which ``jsna validate`` recognises as a Fingertips export).
    area_type_id : Fingertips area type of the rows (default 502, counties and UAs).
    parent_area_type_id : area type of their parents/comparators (default 6, regions).
    session : anything with a ``requests``-style ``get`` (tests pass a fake); default a new
        ``requests.Session``.
    timeout : seconds to wait for the server to connect or send data.

    Returns the path written. Raises FetchError (network failure, HTTP error, not CSV, not a
    Fingertips export, empty, or no rows for an indicator) and ValueError (bad arguments).
    Reference: Fingertips API documentation, https://fingertips.phe.org.uk/api
    """
    ids = _indicator_list(indicator_ids)
    _check_area_type(area_type_id, "area_type_id")
    _check_area_type(parent_area_type_id, "parent_area_type_id")
    if timeout is None or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / f"fingertips_{'_'.join(str(i) for i in ids)}.csv"
    if not dest.parent.is_dir():
        raise FetchError(f"cannot save to {dest}: the folder {dest.parent} does not exist")
    params = {"indicator_ids": ",".join(str(i) for i in ids),
              "child_area_type_id": area_type_id, "parent_area_type_id": parent_area_type_id}
    what = (f"Fingertips indicator{'s' if len(ids) > 1 else ''} "
            f"{', '.join(str(i) for i in ids)} (area type {area_type_id}, parent area type "
            f"{parent_area_type_id})")
    by_hand = (f"Check the network connection (or proxy settings), or download the CSV from "
               f"{FINGERTIPS_HOST} by hand and save it as {dest.name}.")
    own_session = session is None
    session = requests.Session() if own_session else session
    tmp: Path | None = None
    try:
        try:
            response = session.get(CSV_ENDPOINT, params=params, stream=True, timeout=timeout)
        except (requests.RequestException, OSError) as exc:
            raise FetchError(f"could not download {what}: {exc}. {by_hand}") from exc
        try:
            _check_response(response, what)
            fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
            tmp = Path(name)
            with os.fdopen(fd, "wb") as out:
                try:
                    for chunk in response.iter_content(chunk_size=_CHUNK):
                        out.write(chunk)
                except (requests.RequestException, OSError) as exc:
                    raise FetchError(f"the download of {what} broke off: {exc}. {by_hand}"
                                     ) from exc
        finally:
            response.close()
        _check_download(tmp, ids, what, dest.name)
        os.replace(tmp, dest)
        tmp = None
        return dest
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        if own_session:
            session.close()


def _check_response(response: Any, what: str) -> None:
    status = getattr(response, "status_code", None)
    if status != 200:
        reason = getattr(response, "reason", "") or ""
        raise FetchError(f"Fingertips answered HTTP {status} {reason}".rstrip()
                         + f" for {what} ({getattr(response, 'url', CSV_ENDPOINT)}); check the "
                         "indicator id and area types on the Fingertips website")
    content_type = (response.headers.get("Content-Type") or "").lower()
    if any(kind in content_type for kind in ("html", "json", "xml")):
        raise FetchError(f"Fingertips answered with {content_type!r} instead of a CSV file for "
                         f"{what} (an error page, or a proxy asking to log in?)")


def _check_download(path: Path, ids: list[int], what: str, name: str) -> None:
    raw = path.read_bytes()
    if not raw.strip():
        raise FetchError(f"Fingertips sent an empty answer for {what}")
    head = raw[:_CHUNK].decode("utf-8-sig", errors="replace")
    header = [h.strip() for h in next(csv.reader(io.StringIO(head)), [])]
    missing = [c for c in FINGERTIPS.required_names if c not in header]
    if missing:
        raise FetchError(f"the answer for {what} is not a Fingertips CSV export: its header "
                         f"lacks {', '.join(missing)} (first line: {head.splitlines()[0][:120]!r})")
    try:
        table = readers._read(FINGERTIPS, path, check_areas=False, label=name)
    except readers.DataError as exc:
        if any("no data rows" in p.issue for p in exc.problems):
            raise FetchError(f"Fingertips has no data for {what}: check the indicator id and "
                             "area types on the Fingertips website") from exc
        raise FetchError(f"the answer for {what} does not read as a Fingertips export:\n{exc}"
                         ) from exc
    absent = sorted(set(ids) - set(table["Indicator ID"].astype(int)))
    if absent:
        raise FetchError(f"Fingertips sent no rows for indicator {', '.join(map(str, absent))} "
                         f"(asked for {what}): check the id and the area types")
