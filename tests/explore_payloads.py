"""A hostile corpus and actor list for the explore tests: every payload would act if it were markup.

Each payload sets ``document.title = 'pwned'``, opens a dialog or fetches a URL if it ever runs or
parses; the tests check that none of that happens and that the text is shown as text.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

PWNED = "pwned"
RLO = "\u202e"
LRO = "\u202d"
PAYLOADS = [
    "<script>document.title='pwned'</script>",
    "<img src=x onerror=\"document.title='pwned';alert(1)\">",
    "<svg onload=\"document.title='pwned'\"><circle r=1></svg>",
    "<a href=\"JaVaScRiPt:document.title='pwned'\">click</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">tab</a>",
    "</textarea><script>alert(1)</script>",
    "]]><script>alert(1)</script>",
    "<b style=\"position:fixed;inset:0;background:red\" id=mm-styled>styled</b>",
    "<iframe src=\"https://example.org/\"></iframe>",
    f"{RLO}evil override{LRO}",
]
JOINED = " ".join(PAYLOADS)
DOCS = [
    {
        "id": "evil-1",
        "date": "2021-06-19",
        "source": f"Evil <script>alert(1)</script> Times{RLO}",
        "url": "JaVaScRiPt:document.title='pwned'//",
        "title": f"<img src=x onerror=alert(1)>{RLO}Raisi wins",
        "text": f"President Raisi {PAYLOADS[0]} met Putin in Tehran. {PAYLOADS[1]} Raisi spoke.\n\n"
                f"{PAYLOADS[2]} Raisi and Putin discussed {PAYLOADS[3]} trade {PAYLOADS[4]} and energy. "
                f"{PAYLOADS[5]} Raisi {PAYLOADS[6]} again {PAYLOADS[7]} Putin. {PAYLOADS[8]} {PAYLOADS[9]} Raisi.",
    },
    {
        "id": "evil-2<svg onload=alert(1)>",
        "date": "2021-07-02",
        "source": "Good Wire",
        "url": "jav&#x09;ascript:alert(1)",
        "title": "</textarea>]]><b style=\"color:red\">Raisi</b>",
        "text": f"Ebrahim Raisi said {PAYLOADS[1]} Iran welcomes Putin. {RLO}Raisi thanked Putin.",
    },
    {
        "id": "evil-3",
        "date": None,
        "source": "Good Wire",
        "url": "https://example.org/raisi",
        "title": "Raisi visits",
        "text": f"Raisi visited Moscow {PAYLOADS[8]} and met Putin. Raisi {PAYLOADS[0]} returned.",
    },
]
ACTORS = [
    {"id": "raisi", "name": "Raisi <img src=x onerror=alert(1)>", "kind": "person", "aliases": ["Ebrahim Raisi", "Raisi"]},
    {"id": "putin<script>", "name": f"Putin{RLO} </textarea><script>alert(1)</script>", "kind": "person", "aliases": ["Putin"]},
]


def write_hostile(folder: Path) -> tuple[Path, Path]:
    """The corpus (JSON Lines) and actor list (YAML) written in *folder*."""
    corpus = folder / "hostile.jsonl"
    corpus.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in DOCS) + "\n", encoding="utf-8")
    actors = folder / "hostile-actors.yaml"
    actors.write_text(yaml.safe_dump(ACTORS, allow_unicode=True), encoding="utf-8")
    return corpus, actors


# What a page must not contain after it rendered the hostile corpus (a JS expression returning counts).
LIVE_MARKUP_JS = """(scope) => {
    const r = (scope && document.querySelector(scope)) || document;
    return {
        handlers: r.querySelectorAll('[onerror], [onload]').length,
        scripts: [...document.scripts].filter(s => /pwned|alert\\(1\\)/.test(s.text)).length,
        svg: r.querySelectorAll('svg[onload], svg circle').length,
        iframes: r.querySelectorAll('iframe').length,
        styled: r.querySelectorAll('#mm-styled, [style*="inset"]').length,
        jsLinks: [...r.querySelectorAll('a[href]')].filter(a => !/^(https?|file|blob):/i.test(a.href)).length,
    };
}"""
NO_LIVE_MARKUP = {"handlers": 0, "scripts": 0, "svg": 0, "iframes": 0, "styled": 0, "jsLinks": 0}
