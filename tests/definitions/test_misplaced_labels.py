"""``labels`` or ``annotations`` written beside ``metadata`` are told to move into it.

OpenSLO/slogen's samples write ``labels: {team: collection, tier: 0}`` at the top of the
document, beside ``metadata`` and ``spec`` (slogen reads them there; OpenSLO keeps labels in
``metadata.labels``). The error said "remove it", which loses them; the fix now says where they
belong. The expected texts are written by hand.
"""

from __future__ import annotations

from covenant.definitions.workspace import analyse_text

TEXT = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: web
labels:
  team: collection
spec:
  description: d
  annotations: {owner: sre}
"""


def test_labels_and_annotations_outside_metadata_are_told_to_move_there() -> None:
    _, problems = analyse_text(TEXT, file="ws.yaml")
    assert [(p.where, p.field, p.code, p.fix) for p in problems] == [
        (
            "ws.yaml:5",
            "labels",
            "unknown-field",
            "labels belong in metadata (metadata.labels): move them there",
        ),
        (
            "ws.yaml:9",
            "spec.annotations",
            "unknown-field",
            "annotations belong in metadata (metadata.annotations): move them there",
        ),
    ]
