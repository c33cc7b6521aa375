"""fetch_fingertips against recorded/fake responses through an injected session (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from jsnalib.inputs import readers as data
from jsnalib.inputs.fetch import CSV_ENDPOINT, FetchError, fetch_fingertips

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fingertips"


class FakeResponse:
    def __init__(self, body: bytes, status: int = 200, content_type: str = "text/csv",
                 reason: str = "OK", fail_after: int | None = None) -> None:
        self.body, self.status_code, self.reason = body, status, reason
        self.headers = {"Content-Type": content_type}
        self.url = CSV_ENDPOINT
        self.fail_after = fail_after
        self.closed = False

    def iter_content(self, chunk_size: int = 1024):
        for start in range(0, len(self.body), 100):
            if self.fail_after is not None and start >= self.fail_after:
                raise requests.exceptions.ChunkedEncodingError("connection reset by peer")
            yield self.body[start:start + 100]

    def close(self) -> None:
        self.closed = True


class FakeSession:
    """Records each request and answers with a prepared response (or raises)."""

    def __init__(self, response: FakeResponse | Exception) -> None:
        self.response, self.calls = response, []

    def get(self, url, params=None, stream=False, timeout=None):
        self.calls.append({"url": url, "params": params, "stream": stream, "timeout": timeout})
        if isinstance(self.response, Exception):
            raise self.response
        return self.response


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_downloads_into_place_and_reads_back(tmp_path):
    session = FakeSession(FakeResponse(fixture("reception_overweight_20601.csv")))
    out = fetch_fingertips(20601, tmp_path / "fingertips_ncmp.csv", session=session, timeout=5)
    assert out == tmp_path / "fingertips_ncmp.csv"
    assert out.read_bytes() == fixture("reception_overweight_20601.csv")
    assert listing(tmp_path) == ["fingertips_ncmp.csv"]  # no temporary file left behind
    call = session.calls[0]
    assert call["url"] == "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id"
    assert call["params"] == {"indicator_ids": "20601", "child_area_type_id": 502,
                              "parent_area_type_id": 6}
    assert call["stream"] is True and call["timeout"] == 5
    assert session.response.closed
    table = data.read_fingertips(out)
    assert set(table["Area Code"]) == {"E92000001", "E12000005", "E06000021"}


def test_several_indicators_and_a_folder_destination(tmp_path):
    session = FakeSession(FakeResponse(fixture("overweight_20601_20602.csv")))
    out = fetch_fingertips(["20601", 20602], tmp_path, area_type_id=6, parent_area_type_id=15,
                           session=session)
    assert out.name == "fingertips_20601_20602.csv"
    assert session.calls[0]["params"] == {"indicator_ids": "20601,20602",
                                          "child_area_type_id": 6, "parent_area_type_id": 15}
    assert data.contract_for(out.name).name == "fingertips"  # jsna validate will check it


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (FakeResponse(b"Internal error", status=500, reason="Internal Server Error"),
         "HTTP 500 Internal Server Error"),
        (FakeResponse(b"not found", status=404, reason="Not Found"), "HTTP 404"),
        (FakeResponse(fixture("error_page.html"), content_type="text/html; charset=utf-8"),
         "instead of a CSV file"),
        (FakeResponse(b""), "empty answer"),
        (FakeResponse(fixture("header_only.csv")), "has no data for"),
        (FakeResponse(fixture("not_fingertips.csv")), "is not a Fingertips CSV export"),
        (FakeResponse(fixture("bad_value.csv")),
         "row 3, column Value: '22.6%' is not a number"),
        (FakeResponse(fixture("reception_overweight_20601.csv"), fail_after=500), "broke off"),
        (requests.exceptions.ConnectionError("Name or service not known"),
         "could not download Fingertips indicator 20601"),
        (requests.exceptions.Timeout("read timed out"), "read timed out"),
    ],
)
def test_failures_raise_fetch_error_and_leave_no_file(tmp_path, response, message):
    dest = tmp_path / "fingertips_ncmp.csv"
    with pytest.raises(FetchError, match=message.replace("(", r"\(").replace("?", r"\?")):
        fetch_fingertips(20601, dest, session=FakeSession(response))
    assert listing(tmp_path) == []


def test_failure_keeps_the_previous_file(tmp_path):
    dest = tmp_path / "fingertips_ncmp.csv"
    dest.write_bytes(b"previous good download")
    with pytest.raises(FetchError):
        fetch_fingertips(20601, dest, session=FakeSession(FakeResponse(b"", status=503)))
    assert dest.read_bytes() == b"previous good download"
    assert listing(tmp_path) == ["fingertips_ncmp.csv"]


def test_indicator_missing_from_the_answer(tmp_path):
    session = FakeSession(FakeResponse(fixture("reception_overweight_20601.csv")))
    with pytest.raises(FetchError, match="no rows for indicator 20602"):
        fetch_fingertips([20601, 20602], tmp_path / "ft.csv", session=session)
    assert listing(tmp_path) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"indicator_ids": "abc"}, "indicator ids"),
        ({"indicator_ids": []}, "at least one"),
        ({"indicator_ids": 20601, "area_type_id": 0}, "area_type_id"),
        ({"indicator_ids": 20601, "parent_area_type_id": "6"}, "parent_area_type_id"),
        ({"indicator_ids": 20601, "timeout": 0}, "timeout"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fetch_fingertips(dest=tmp_path / "x.csv", session=FakeSession(FakeResponse(b"")),
                         **kwargs)


def test_missing_destination_folder(tmp_path):
    with pytest.raises(FetchError, match="does not exist"):
        fetch_fingertips(20601, tmp_path / "nope" / "x.csv",
                         session=FakeSession(FakeResponse(b"")))
