"""Datelines, editor codes and licence trailers (mediamon.newstext); expected offsets counted by hand."""

from __future__ import annotations

import pytest

from mediamon.newstext import find_bodies, find_body

LICENCE = ("All Content by Mehr News Agency is licensed under a Creative Commons Attribution 4.0 "
           "International License.")


@pytest.mark.parametrize(
    ("text", "dateline", "body"),
    [
        ("TEHRAN — The talks began.", "TEHRAN", "The talks began."),
        ("TEHRAN - The talks began.", "TEHRAN", "The talks began."),
        ("TEHRAN – The talks began.", "TEHRAN", "The talks began."),
        ("TEHRAN—The talks began.", "TEHRAN", "The talks began."),
        ("MOSCOW, July 29 (Reuters) – The talks began.", "MOSCOW", "The talks began."),
        ("KAZAN (AP) — The talks began.", "KAZAN", "The talks began."),
        ("KAZAN, Russia – The talks began.", "KAZAN", "The talks began."),
        ("ST PETERSBURG, Russia - The talks began.", "ST PETERSBURG", "The talks began."),
        ("  NEW DELHI —  The talks began.  ", "NEW DELHI", "The talks began."),
    ],
)
def test_datelines(text: str, dateline: str, body: str) -> None:
    p = find_body(text)
    assert p.dateline == dateline
    assert text[p.body_start:p.body_end] == body


@pytest.mark.parametrize(
    "text",
    [
        "US President Joe Biden said the talks began.",  # capitals, no dash
        "The talks in Vienna — which began on Monday — went on.",  # dash later in the first sentence
        "Iran and Russia - two neighbours - met.",  # hyphen later, not capitals
        "It began.\n\nTEHRAN — a dateline-like line further in.",
        "TEHRAN-based analysts said so.",  # hyphen without spaces
        "US - China talks resumed.",  # too short to be a place (fewer than three capitals)
        "TEHRAN —",  # nothing after the dash: not a dateline
    ],
)
def test_not_datelines(text: str) -> None:
    p = find_body(text)
    assert p.dateline is None
    assert p.body_start == len(text) - len(text.lstrip())


def test_seed_shape_trailers() -> None:
    text = "TEHRAN — Raisi met Putin in Kazan.  \u00a0 SA/PA " + LICENCE
    p = find_body(text)
    assert text[p.body_start:p.body_end] == "Raisi met Putin in Kazan."
    assert (p.dateline, p.editor_code, p.license, p.license_holder) == (
        "TEHRAN", "SA/PA", "CC BY 4.0", "Mehr News Agency")
    assert p.license_text == LICENCE
    assert text == "TEHRAN — Raisi met Putin in Kazan.  \u00a0 SA/PA " + LICENCE  # unchanged


@pytest.mark.parametrize(
    ("text", "code", "body"),
    [
        ("They met. SA/PA/MR", "SA/PA/MR", "They met."),
        ("“We agree,” he said.\nEF/MA\n", "EF/MA", "“We agree,” he said."),
        ("He spoke with the US/UK", None, "He spoke with the US/UK"),  # no sentence end before
        ("A ratio of HIV/AIDS cases rose.", None, "A ratio of HIV/AIDS cases rose."),
    ],
)
def test_editor_codes(text: str, code: str | None, body: str) -> None:
    p = find_body(text)
    assert p.editor_code == code
    assert text[p.body_start:p.body_end] == body


def test_licence_variants() -> None:
    p = find_body("Body.\nAll content on this site is licensed under Creative Commons Attribution 4.0 International")
    assert (p.license, p.license_holder) == ("CC BY 4.0", None)
    p = find_body("Body. All content by X Ltd is licensed under a Creative Commons "
                  "Attribution-NonCommercial-ShareAlike 4.0 International License.")
    assert (p.license, p.license_holder) == ("CC BY-NC-SA 4.0", "X Ltd")
    # a licence sentence in the middle is not a trailer
    p = find_body(LICENCE + " Then the story goes on.")
    assert p.license is None and p.body_end == len(LICENCE + " Then the story goes on.")


def test_only_trailer_recognises_nothing() -> None:
    p = find_body(LICENCE)
    assert (p.body_start, p.body_end, p.license) == (0, len(LICENCE), None)
    assert find_body("").body_end == 0
    assert find_body("   ").dateline is None


def test_find_bodies_table() -> None:
    df = find_bodies(["TEHRAN — A.", "B."])
    assert df[["body_start", "body_end", "dateline"]].values.tolist() == [[9, 11, "TEHRAN"], [0, 2, None]]
