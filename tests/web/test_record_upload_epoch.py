"""The only web page where a person enters tickets or incidents — the sources page's "Ingest a
ticket or incident export" form — takes the instants the files and the one-record API routes
take: epoch numbers in the unit their digits tell (10 seconds, 13 milliseconds), and refuses a
number of a length no unit has, or one outside 1970-01-01 to 2200-01-01, in a file's words,
naming the row and the field; nothing of a refused row is stored.

2026-11-20T09:00:00Z is 1,795,165,200 seconds after 1970 (worked by hand in
tests/api/test_record_epoch.py); 09:10 is 600 s later, 1,795,165,800,000 ms."""

from __future__ import annotations

from pathlib import Path

from tests.api.test_record_files_api import ticket
from tests.web.test_record_upload_page import _browsers, _cells, _upload

EPOCH = (
    "id,customer,priority,created,first_response,resolved\n"
    "EP-1,globex,P1,1795165200,1795165800000,\n"
    "EP-2,globex,P1,999999999,,\n"  # 9 digits: no unit
    "EP-3,globex,P1,7258118400,,\n"  # 2200-01-01T00:00:00Z: outside the range
)


def test_the_upload_form_takes_epoch_numbers_and_refuses_what_a_file_refuses(
    tmp_path: Path,
) -> None:
    shop, editor, _ = _browsers(tmp_path)

    answer = _upload(editor, "epoch.csv", EPOCH.encode())

    assert answer.status_code == 201, answer.text
    # kind, read, inserted, updated, unchanged, rejected
    assert _cells(answer.text, "records-report") == [["tickets", "3", "1", "0", "0", "2"]]
    rejected = _cells(answer.text, "records-rejected")
    assert [(where, field) for where, field, _ in rejected] == [
        ("epoch.csv:3", "created"),
        ("epoch.csv:4", "created"),
    ]
    # the words of POST /tickets for the same values (tests/api/test_record_epoch.py)
    assert (
        "'999999999' is an epoch number whose digits tell no unit — write epoch seconds "
        "with 10 digits, milliseconds with 13" in rejected[0][2]
    )
    assert "'7258118400' lies outside 1970-01-01 to 2200-01-01" in rejected[1][2]
    status, made = ticket(shop, "EP-1")
    assert status == 200, made
    assert (made["created"], made["first_response"]) == (
        "2026-11-20T09:00:00Z",
        "2026-11-20T09:10:00Z",
    )
    assert ticket(shop, "EP-2")[0] == 404
    assert ticket(shop, "EP-3")[0] == 404
