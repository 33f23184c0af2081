"""Direct quotations and who said them: the rules, over the arrays of a token index.

This module is pure rules: it reads the token arrays of one index (:class:`TokenArrays`, which a
:class:`~mediamon.tokenindex.TokenIndex` satisfies), the texts of the documents with quote marks,
and the actor mentions matched by :mod:`mediamon.analysis.mentions`; it knows nothing of corpora,
shards or results. :func:`find_quotations` returns every quotation with its speaker and evidence,
and every quoted span that is *not* a quotation with the reason (:data:`REJECT_REASONS`).
Anchors: textacy's ``direct_quotations`` (quote-mark pairs, a minimum length, a title filter, a
cue verb next to the quote and its subject) and Stanford CoreNLP's ``QuoteAnnotator`` (directed and
undirected marks, quotes over several paragraphs) with the trigram patterns of its attribution
sieves (QUOTE-MENTION-VERB, QUOTE-VERB-MENTION, MENTION-VERB-QUOTE). No parser, no model: every
decision below is a documented rule over tokens, sentences and paragraphs.

1. Quote marks
    Double quotation marks only: ``"`` ``“`` ``”`` ``„`` ``‟`` ``«`` ``»`` (one matching form,
    ``"``, in the index). Single marks (``‘…’``, ``'…'``) never open a quotation: in these outlets
    they mark crossheads, terms and quotes *inside* quotes, and ``’`` is also the apostrophe
    ("Iran’s", "Iranians’"), so a quote nested in single marks stays part of the outer one. The
    double prime ``″`` (inches, seconds) is not a quote mark.
2. Opening or closing (from the spacing, then the glyph)
    A mark *can open* when it is glued to the token after it and not glued to a word before it
    (`` “We``); it *can close* when it is glued to the token before it and not glued to a word
    after it (``countries,” the``, ``Belarus”.``). Glued on both sides, it closes after a word or
    ``. , ! ? ; …`` (``.”Here``, ``стран“.``) and opens before a word otherwise (``:“We``). Marks
    with spaces on both sides (or words on both sides) decide by glyph: ``“ „ ‟ «`` open, ``” »``
    close, ``"`` does either. So mismatched marks pair (the seed opens with ``"`` and closes with
    ``”``), and German ``„…“`` and Russian ``«…»`` marks work as they are written.
3. Pairing, document by document, left to right
    Outside a quotation an opening mark opens one (a mark that can only close is a *stray*
    closing mark). Inside, a mark that can close closes it, also paragraphs later (a message quoted
    over three paragraphs). A mark that can only open, at the start of a paragraph or right after
    ``. ! ?`` (texts that lost their paragraph breaks), continues the quotation (the convention of
    repeating the opening mark at each new paragraph); elsewhere it means the open quotation was
    never closed (*unclosed*) and opens a new one. Guillemets nest (``«Указ «О корпорации»»``):
    the outer pair is the quotation.
4. Not quotations
    ``short``: fewer than :data:`MIN_WORDS` words between the marks (terms and scare quotes:
    “disarray”, “interim leader”; a hyphenated compound is one word). ``title``: every word that
    is not a function word is capitalised (“Russia and the Islamic World”, “Oil-Production
    Equipment”). ``name``: capitalised words that a naming noun of :data:`NAME_NOUNS` introduces
    (the draft national programme, “Russia’s water …”; an article titled “…”; проект «…») or that
    modify one written right after them (the “Deal of the Century” plan). ``unattributed``: no
    attribution (below) and not a standalone sentence (a quote that starts its sentence and ends
    with ``.``, ``!``, ``?`` or ``…`` inside the marks), as names of documents inside a sentence
    (“On the improvement and reform of Commonwealth organs.”). ``unclosed`` and ``stray``: marks
    left without a partner (recorded, never guessed).
5. Attribution: the first pattern that applies (:data:`PATTERNS`)
    A *cue* is a speech verb of :data:`SPEECH_VERBS` outside every quotation ("according" only
    before "to", "pointed" only before "out", "made" only before "(it) clear", "continued" only
    before ``, : .``; "States" after "United" is a name). Right of the quote, unless the quote
    ended its sentence inside the marks (``… elections.” He added``), up to the end of its clause
    (``. ! ? ; :``, a quote mark, the paragraph's end) and at most :data:`RIGHT_REACH` tokens:
    ``QUOTE, VERB SPEAKER`` (“…,” said Jalali), ``QUOTE, SPEAKER VERB`` (“…,” the ambassador
    highlighted; not when the words go on with "but", "and", "which", a preposition or a
    participle: the sentence's subject is left of the quote), ``QUOTE, SOURCE quoted SPEAKER as
    saying``. Left of it, in its sentence (in the sentence before when the quote follows a colon,
    as in "The message reads, in part:"): the nearest cue within 40 tokens gives ``SPEAKER VERB:
    QUOTE`` when only ``,`` ``:`` ``that`` or "in part"/"in particular" stand between the verb and
    the quote, else ``SPEAKER VERB ... QUOTE``. Inside the marks between dashes (Russian «…, —
    сказал он. — …»): ``QUOTE — VERB SPEAKER — QUOTE``. Then "according to" (the source of a
    report is weaker than a speech verb: “…,” Qalibaf said, according to ICANA):
    ``QUOTE, according to SPEAKER``, ``according to SPEAKER ... QUOTE``. Then, for a quote still
    without one: ``shared`` (another quotation of the same sentence is attributed: “A” and “B,”
    she said), ``continuation`` (it starts a sentence and the previous attributed quotation of the
    document ended at most one sentence before: the same speaker), ``SPEAKER VERB. QUOTE`` (it
    starts a sentence and the sentence before has a cue: "Raisi emphasized that … . “…”").
6. The speaker words
    Before a verb: from the start of the clause (the sentence, or the last ``. ! ? ; :``, quote
    mark, "that", "which", "who", "but", "while", ...) to the verb, skipping a leading "but"/"and"
    and a lead-in segment up to its comma ("Speaking at the session, ..."; "In 2007, ...") and
    stopping at the first adverb, auxiliary or time preposition ("also", "has", "on Monday", "went
    on to"). When that leaves nothing ("In a tweet on Sunday former U.S. secretary of state John
    Kerry said"), the run of capitalised words, role nouns and name particles right before the
    verb; for "X, who on Monday said", the words before "who"; for a bare "and warned", the subject
    of the sentence's previous cue. After "said"/"according to": up to the next comma or clause
    end. For a participle cue ("saying", "adding", "noting", Russian "заявив"), the speaker is the
    subject of the sentence: the words before the previous finite cue of the sentence ("Jalali
    stated that ..., adding, “…”" is Jalali's), else the sentence's first phrase.
7. The speaker
    ``name``: the actor of a mention inside the speaker words, persons first, then organisations
    and other actors, in order; a mention followed by ``'s`` ("Putin’s spokesman") or after a
    preposition ("the President *of Tatarstan*") is not the speaker, and a place only when it opens
    the speaker words ("Russia has denounced"). ``role``: no actor named and no name written after
    the role noun (:data:`ROLE_NOUNS`: "the ambassador", "The message"; not "Ayatollah Khamenei"),
    the noun is resolved to the actor it last described in the document before the quote: a person
    or organisation mention holding it ("President Putin"), starting at most 5 tokens after it
    ("the President of Tatarstan, Rustam Minnikhanov") or ending at most 4 tokens before it ("Kazem
    Jalali, Iran’s ambassador to Russia"), in its sentence; a document noun ("message",
    "greetings") the nearest such name at most 12 tokens before it ("Vladimir Putin sent his
    greetings"). Unresolved, the role is kept in ``speaker_text``. ``pronoun``: "he", "she",
    "him", "her" ("он", "она") is the most recently named, before the pronoun and the quotation,
    of the document's person actors, earlier speakers and subjects of earlier speech verbs whose
    words look like a name (capitalised, with only role nouns and particles in lower case; not
    pronouns). Otherwise the speaker words are shown (``speaker_text``) without an actor id.

Only quote marks, their neighbours, the cues and a few function words are looked at: mark
classification, word counts, clause bounds, cue search, speaker words and the roles' described
actors are numpy over the index arrays. Python loops run over quote marks (their glyph, the
pairing) and over quotations: the mentions inside its speaker words, the few tokens of a name run
before a verb when the clause start gives none, and the steps that depend on earlier quotations
(shared, continuation, pronouns); never over the tokens of a text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from .text import normalize

__all__ = [
    "CUE_PHRASES", "MIN_WORDS", "NAME_NOUNS", "PARTICIPLES", "PATTERNS", "REJECT_REASONS", "RIGHT_REACH",
    "ROLE_NOUNS", "SPEECH_VERBS", "Found", "TokenArrays", "find_quotations", "is_title", "pair_marks",
]  # fmt: skip

#: Fewest words inside the marks for a quotation (fewer: a term or scare quote).
MIN_WORDS = 3
#: Tokens right of a quote searched for its speech verb ("…,” the Iranian squad's long-serving
#: manager, Carlos Queiroz, a Portuguese national, was quoted as saying" needs 19).
RIGHT_REACH = 20

#: Speech verbs (cue forms, lower case), by the verb they inflect. Participles (-ing) take the
#: subject of their sentence. "reported" is absent on purpose: "…, IRNA reported" names the outlet.
SPEECH_VERBS: dict[str, tuple[str, ...]] = {
    "say": ("said", "says", "say", "saying"),
    "tell": ("told", "tells", "telling"),
    "add": ("added", "adds", "adding"),
    "note": ("noted", "notes", "noting"),
    "state": ("stated", "states", "stating"),
    "highlight": ("highlighted", "highlights", "highlighting"),
    "underline": ("underlined", "underlines", "underlining"),
    "underscore": ("underscored", "underscores", "underscoring"),
    "emphasize": ("emphasized", "emphasised", "emphasizes", "emphasises", "emphasizing", "emphasising"),
    "stress": ("stressed", "stresses", "stressing"),
    "explain": ("explained", "explains", "explaining"),
    "assert": ("asserted", "asserts", "asserting"),
    "announce": ("announced", "announces", "announcing"),
    "declare": ("declared", "declares", "declaring"),
    "remark": ("remarked", "remarking"),
    "comment": ("commented", "commenting"),
    "write": ("wrote", "writes", "writing"),
    "complain": ("complained", "complains", "complaining"),
    "continue": ("continued", "continues"),  # only before "," ":" or "." ("Molaei continued, “…”")
    "ask": ("asked", "asks", "asking"),
    "reply": ("replied", "replies", "replying"),
    "respond": ("responded", "responds", "responding"),
    "answer": ("answered", "answering"),
    "warn": ("warned", "warns", "warning"),
    "caution": ("cautioned", "cautions", "cautioning"),
    "insist": ("insisted", "insists", "insisting"),
    "argue": ("argued", "argues", "arguing"),
    "claim": ("claimed", "claiming"),
    "affirm": ("affirmed", "affirms", "affirming", "reaffirmed", "reaffirms", "reaffirming"),
    "reiterate": ("reiterated", "reiterates", "reiterating"),
    "conclude": ("concluded", "concludes", "concluding"),
    "suggest": ("suggested", "suggests", "suggesting"),
    "observe": ("observed", "observes", "observing"),
    "recall": ("recalled", "recalls", "recalling"),
    "acknowledge": ("acknowledged", "acknowledges", "acknowledging"),
    "admit": ("admitted", "admits", "admitting", "conceded", "concedes", "conceding"),
    "confirm": ("confirmed", "confirms", "confirming"),
    "clarify": ("clarified", "clarifies", "clarifying"),
    "urge": ("urged", "urges", "urging"),
    "describe": ("described", "describes", "describing"),
    "predict": ("predicted", "predicts", "predicting"),
    "mention": ("mentioned", "mentions", "mentioning"),
    "maintain": ("maintained", "maintains", "maintaining"),
    "proclaim": ("proclaimed", "proclaims"),
    "express": ("expressed", "expresses", "expressing", "voiced", "voices", "voicing"),
    "vow": ("vowed", "vows", "vowing", "pledged", "pledges", "pledging", "promised", "promises"),
    "criticise": ("criticized", "criticised", "criticizes", "criticises", "criticizing", "criticising",
                  "condemned", "condemns", "condemning", "denounced", "denounces", "denouncing",
                  "slammed", "slams", "slamming"),  # fmt: skip
    "tweet": ("tweeted", "tweets", "tweeting"),
    "read": ("reads", "read"),
    "quote": ("quoted",),
    "point out": ("pointed", "points", "pointing"),  # only before "out"
    "make clear": ("made", "makes", "making"),  # only before "clear" or "it clear"
    "according to": ("according",),  # only before "to"
    # Russian (matching forms: ё is е); gerunds in -в/-я take the sentence's subject like -ing
    "сказать": ("сказал", "сказала", "сказали", "сказав", "говорит", "говорил", "говорила", "говоря"),
    "заявить": ("заявил", "заявила", "заявили", "заявляет", "заявив"),
    "отметить": ("отметил", "отметила", "отметили", "отмечает", "отметив"),
    "подчеркнуть": ("подчеркнул", "подчеркнула", "подчеркнули", "подчеркивает", "подчеркнув"),
    "добавить": ("добавил", "добавила", "добавили", "добавив"),
    "сообщить": ("сообщил", "сообщила", "сообщили", "сообщает", "сообщив"),
    "пояснить": ("пояснил", "пояснила", "пояснив"),
    "указать": ("указал", "указала", "указав"),
    "признать": ("признал", "признала", "признав"),
    "написать": ("написал", "написала", "написав"),
    "ответить": ("ответил", "ответила", "ответив"),
}

#: Cue forms that take the subject of their sentence (participles and gerunds).
PARTICIPLES = frozenset(
    [f for forms in SPEECH_VERBS.values() for f in forms if f.endswith("ing")]
    + ["сказав", "говоря", "заявив", "отметив", "подчеркнув", "добавив", "сообщив", "пояснив", "указав",
       "признав", "написав", "ответив"]
)  # fmt: skip

#: Cue forms that count only before one of the given continuations (the verb is then the phrase).
CUE_PHRASES: dict[str, tuple[tuple[str, ...], ...]] = {
    "according": (("to",),),
    **{f: (("out",),) for f in ("pointed", "points", "pointing")},
    **{f: (("it", "clear"), ("clear",)) for f in ("made", "makes", "making")},
    **{f: ((",",), (":",), (".",)) for f in ("continued", "continues")},
}

#: Role nouns (singular, lower case) that can stand for a speaker; each maps to its group (a
#: document noun stands for whoever sent it: "The message reads" is the sender's).
ROLE_NOUNS: dict[str, str] = {
    **{w: w for w in (
        "ambassador", "president", "minister", "spokesman", "spokeswoman", "spokesperson", "official",
        "envoy", "diplomat", "leader", "chief", "head", "governor", "mayor", "secretary", "chairman",
        "chairwoman", "chair", "director", "commander", "general", "expert", "analyst", "professor",
        "deputy", "lawmaker", "legislator", "mp", "senator", "premier", "ayatollah", "cleric",
        "prosecutor", "judge", "negotiator", "representative", "adviser", "advisor", "aide", "attache",
        "attaché", "speaker", "chancellor", "king", "emir", "prince", "sheikh", "pope", "patriarch",
        "mufti", "imam", "delegation", "ministry", "government", "embassy", "kremlin", "presidency",
        "fm", "statement", "communique", "declaration", "readout", "resolution",
        "президент", "министр", "посол", "глава", "губернатор", "председатель", "премьер", "секретарь",
        "представитель", "лидер", "мэр", "депутат", "эксперт", "советник", "помощник", "руководитель",
        "директор", "спикер", "заявление",
    )},
    **{w: "message" for w in ("message", "greetings", "greeting", "letter", "telegram", "congratulations",
                              "condolences", "address", "послание", "обращение", "телеграмма", "письмо",
                              "приветствие")},
}  # fmt: skip

#: Nouns that name what follows or precedes them in quote marks: the programme “…”, the
#: “Oil-Production Equipment” exhibition, проект «…» (rule 4, ``name``).
NAME_NOUNS = frozenset(
    "plan programme program project initiative campaign operation exhibition festival conference forum "
    "summit slogan motto book film movie novel newspaper magazine journal daily agency channel song album "
    "document documents resolution agreement treaty convention law bill decree doctrine strategy concept "
    "award prize medal ship exercise exercises drill drills company firm group party movement organization "
    "organisation association center centre fund foundation club team brand network platform corridor "
    "pipeline format hashtag titled entitled named dubbed so-called "
    "проект проекта программа программы компания компании форум форума фестиваль фестиваля конференция "
    "конференции операция операции указ указа закон закона стратегия стратегии концепция доктрина фонд фонда "
    "центр центра движение движения партия партии газета газеты журнал журнала канал канала фильм фильма "
    "книга книги премия премии орден ордена медаль формат формата лагерь корпорация корпорации отель сеть "
    "кампания акция марафон выставка выставки конкурс конкурса батальон отряд бригада группа группы "
    "общество ассоциация союз платформа называемый называемая называемой называемые".split()
)  # fmt: skip

#: The attribution patterns a quotation row can carry.
PATTERNS = (
    "QUOTE, VERB SPEAKER", "QUOTE, SPEAKER VERB", "QUOTE, according to SPEAKER",
    "QUOTE, SOURCE quoted SPEAKER as saying", "SPEAKER VERB: QUOTE", "SPEAKER VERB ... QUOTE",
    "according to SPEAKER ... QUOTE", "QUOTE — VERB SPEAKER — QUOTE", "shared", "continuation",
    "SPEAKER VERB. QUOTE", "none",
)  # fmt: skip

#: Why a quoted span is not a quotation.
REJECT_REASONS = ("short", "title", "name", "unattributed", "unclosed", "stray")

# Words the rules look at (matching forms).
_PRONOUNS = ("he", "she", "him", "her", "он", "она")
_CLAUSE = ("that", "which", "who", "whom", "whose", "but", "while", "whereas", "although", "though",
           "because", "when", "where", "if", "whether",
           "что", "который", "которая", "которое", "которые", "но", "если", "когда", "чтобы", "хотя", "где")  # fmt: skip
_CONJUNCTIONS = ("and", "or", "nor", "as", "so", "then", "yet", "и", "или", "а")
_NP_STOP = (
    "also", "has", "have", "had", "was", "were", "is", "are", "will", "would", "could", "should", "may",
    "might", "can", "further", "then", "later", "once", "again", "earlier", "recently", "reportedly",
    "went", "continued", "on", "in", "at", "during", "for", "after", "before", "ultimately", "however",
    "too", "meanwhile", "finally", "separately", "himself", "herself", "itself", "themselves", "last",
    "yesterday", "today", "tonight", "currently", "previously", "already", "repeatedly", "explicitly",
    "clearly", "firmly", "strongly", "publicly", "openly", "bluntly", "flatly", "categorically",
    "officially", "emphatically", "specifically", "particularly", "frankly", "simply", "just", "not",
    "never", "while", "when", "who", "which", "that", "(", ")", "—", "–", "did", "does", "do", "been",
    "being", "once", "even", "still", "thus", "therefore", "there", "here", "this", "next", "told",
    "также", "тоже", "уже", "еще", "в", "во", "на", "по", "при", "сегодня", "вчера", "ранее", "не", "был",
    "была", "было", "были", "это",
)  # fmt: skip
_PREPOSITIONS = ("of", "at", "to", "from", "in", "for", "with", "by", "on", "about", "against",
                 "between", "among", "into", "toward", "towards", "over", "under", "via", "per", "like",
                 "than", "without", "within", "across", "through", "behind", "beyond", "near",
                 "в", "во", "на", "по", "с", "со", "о", "об", "при", "для", "к", "ко", "от", "из", "у", "за", "под",
                 "над", "перед", "между", "через", "без", "до", "после")  # fmt: skip
_DETERMINERS = ("the", "a", "an", "this", "these", "those", "its", "his", "her", "their", "our")
_LEAD_IN = ("in", "at", "on", "during", "after", "before", "elsewhere", "earlier", "later", "following",
            "amid", "despite", "upon", "with", "for", "regarding", "as", "while", "when", "since", "last",
            "asked", "according", "like", "unlike", "contrary", "besides", "apart", "from", "by", "through",
            "to", "under", "within", "without",
            "в", "во", "на", "по", "при", "после", "выступая", "отвечая", "комментируя", "обращаясь")  # fmt: skip
_LEAD_WORD = ("but", "and", "however", "meanwhile", "also", "so", "yet", "then", "separately", "likewise",
              "thus", "still", "moreover", "furthermore", "besides", "now")  # fmt: skip
_RELATIVE = ("who", "which", "that")
_HARD = (".", "!", "?", ";", ":", '"', "'", "…", "(", ")")  # "'": a lone single mark (crossheads)
_DASHES = ("—", "–", "-")
_IN_PART = ("part", "particular")

_OPEN_GLYPHS = frozenset("“„‟«")
_CLOSE_GLYPHS = frozenset("”»")
_QUOTE_GLYPHS = frozenset('"“”„‟«»＂')
_SENTENCE_END = frozenset(".!?…")

# Function words a title may hold in lower case (the title rule, 4).
_TITLE_SMALL = frozenset(
    "a an the and or nor but of in on at to for from with by as is are vs via de del la le el al und der "
    "die das и в на с по для о".split()
)
_WORD = re.compile(r"[^\W_](?:[\w’'.\-]*[^\W_])?")


class TokenArrays(Protocol):
    """What the rules read of a token index (:class:`~mediamon.tokenindex.TokenIndex` has it)."""

    vocab: list[str]
    ids: np.ndarray
    doc: np.ndarray
    sent: np.ndarray
    para: np.ndarray
    start: np.ndarray
    end: np.ndarray
    doc_offsets: np.ndarray

    @property
    def n_tokens(self) -> int: ...

    @property
    def is_word(self) -> np.ndarray: ...

    @property
    def counts(self) -> np.ndarray: ...

    @property
    def sent_offsets(self) -> np.ndarray: ...

    def vocab_id(self, form: str) -> int: ...

    def positions(self, ids: int | Sequence[int] | np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Found:
    """The quotations of one index, and the quoted spans that are not quotations.

    ``quotes`` holds aligned columns: ``doc`` (index document), ``open``/``close`` (token positions
    of the outer marks), ``char_start``/``char_end`` (the marks included), ``quote`` (the text
    between the marks), ``words``, ``paragraphs``, ``speaker`` (actor id or ``None``),
    ``speaker_text``, ``role``, ``resolved_by``, ``verb``, ``pattern``, ``attr_start``/``attr_end``
    (token span of the attribution: speaker words and verb; ``-1`` when none),
    ``attr_char_start``/``attr_char_end``, ``attribution`` (its text) and
    ``speaker_start``/``speaker_end`` (token span of the speaker words alone). ``rejected`` holds ``doc``, ``open``, ``close``
    (``-1`` for a lone mark), ``char_start``, ``char_end``, ``text`` and ``reason``.
    """

    quotes: Mapping[str, np.ndarray]
    rejected: Mapping[str, np.ndarray]


# ---------------------------------------------------------------------------------------------
# pure helpers
# ---------------------------------------------------------------------------------------------
def is_title(content: str) -> bool:
    """Whether quoted *content* reads as a name or title: every word outside :data:`_TITLE_SMALL`
    starts with a capital letter or a digit (at least one such word).

    >>> is_title("Russia and the Islamic World"), is_title("We are happy"), is_title("Oil-Production Equipment")
    (True, False, True)
    """
    seen = False
    for match in _WORD.finditer(content):  # stops at the first lower-case word (most quotes: soon)
        w = match.group()
        if w.lower() in _TITLE_SMALL:
            continue
        if not (w[0].isupper() or w[0].isdigit()):
            return False
        seen = True
    return seen


def pair_marks(
    doc: Sequence[int], can_open: Sequence[bool], can_close: Sequence[bool], para_start: Sequence[bool],
    nests: Sequence[bool] | None = None,
) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
    """Pair quote marks (rule 3 of the module docstring).

    The arguments describe the marks in text order: their document, whether each can open or
    close, whether it starts a paragraph or a sentence, and (*nests*) whether it is a guillemet
    ``«``/``»``, which nest (``«О корпорации «Роскосмос»»``). Returns ``(pairs, lone)``: pairs of
    mark numbers ``(opening, closing)`` of the outer quotations, and marks left alone with the
    reason (``"unclosed"`` or ``"stray"``).

    >>> pair_marks([0, 0, 0, 0], [True, False, True, False], [False, True, False, True], [False] * 4)
    ([(0, 1), (2, 3)], [])
    >>> pair_marks([0, 0, 0], [True, True, False], [False, False, True], [True, True, False])  # continued
    ([(0, 2)], [])
    >>> pair_marks([0, 0, 1], [True, True, True], [False, False, False], [False, False, False])
    ([], [(0, 'unclosed'), (1, 'unclosed'), (2, 'unclosed')])
    """
    pairs: list[tuple[int, int]] = []
    lone: list[tuple[int, str]] = []
    opened = -1
    depth = 0  # guillemets opened inside an open guillemet quotation
    current_doc = None
    nests = nests if nests is not None else [False] * len(doc)
    for k, (d, o, c, p, n) in enumerate(zip(doc, can_open, can_close, para_start, nests)):
        if d != current_doc:
            if opened >= 0:
                lone.append((opened, "unclosed"))
            opened, depth, current_doc = -1, 0, d
        if opened < 0:
            if o:
                opened = k
            else:
                lone.append((k, "stray"))
        elif n and nests[opened] and o and not c:
            depth += 1
        elif c and depth:
            depth -= 1
        elif c:
            pairs.append((opened, k))
            opened = -1
        elif not p:  # an opening mark inside the paragraph: the open quote never closed
            lone.append((opened, "unclosed"))
            opened = k
        # else: a paragraph-initial opening mark continues the open quotation
    if opened >= 0:
        lone.append((opened, "unclosed"))
    lone.sort()
    return pairs, lone


def _flags(vocab: list[str]) -> dict[str, np.ndarray]:
    """Boolean arrays over the vocabulary for each word class the rules use."""
    index = {form: i for i, form in enumerate(vocab)}

    def mark(forms: Sequence[str]) -> np.ndarray:
        out = np.zeros(len(vocab), dtype=bool)
        ids = [index[f] for f in forms if f in index]
        out[ids] = True
        return out

    cues = [f for forms in SPEECH_VERBS.values() for f in forms]
    arr = np.asarray(vocab, dtype=object)
    return {
        "cue": mark(cues),
        "participle": mark(sorted(PARTICIPLES)),
        "hard": mark(_HARD),
        "clause": mark(_CLAUSE),
        "conjunction": mark(_CONJUNCTIONS),
        "np_stop": mark(_NP_STOP),
        "prep": mark(_PREPOSITIONS),
        "det": mark(_DETERMINERS),
        "lead_in": mark(_LEAD_IN) | np.fromiter((len(f) > 4 and f.endswith("ing") for f in arr), bool, len(vocab)),
        "lead_word": mark(_LEAD_WORD),
        "relative": mark(_RELATIVE),
        "sentence_end": mark([".", "!", "?"]),
        "closes_after": mark([".", ",", "!", "?", ";", "…"]),
        "passive": mark(["was", "is", "were", "are", "been", "being"]),
        "comma": mark([","]),
        "dash": mark(_DASHES),
        "possessive": mark(["'s", "'"]),
        "pronoun": mark(_PRONOUNS),
        "role": mark(list(ROLE_NOUNS)),
        "in_part": mark(_IN_PART),
        "name_noun": mark(sorted(NAME_NOUNS)),
    }


def _first_at_or_after(sorted_pos: np.ndarray, at: np.ndarray, default: int) -> np.ndarray:
    """The first of *sorted_pos* that is ``>= at`` (``default`` when there is none)."""
    k = np.searchsorted(sorted_pos, at, side="left")
    out = np.full(at.shape, default, dtype=np.int64)
    ok = k < sorted_pos.size
    out[ok] = sorted_pos[k[ok]]
    return out


def _last_before(sorted_pos: np.ndarray, at: np.ndarray, default: int = -1) -> np.ndarray:
    """The last of *sorted_pos* that is ``< at`` (``default`` when there is none)."""
    k = np.searchsorted(sorted_pos, at, side="left") - 1
    out = np.full(at.shape, default, dtype=np.int64)
    ok = k >= 0
    out[ok] = sorted_pos[k[ok]]
    return out


# ---------------------------------------------------------------------------------------------
# the finder
# ---------------------------------------------------------------------------------------------
class _Index:
    """The arrays and derived word classes of one index, for the rules below."""

    def __init__(self, ix: TokenArrays, keep: np.ndarray | None) -> None:
        self.ix = ix
        self.n = ix.n_tokens
        self.ids = np.asarray(ix.ids)
        self.doc = np.asarray(ix.doc)
        self.sent = np.asarray(ix.sent)
        self.para = np.asarray(ix.para)
        self.start = np.asarray(ix.start)
        self.end = np.asarray(ix.end)
        self.doc_offsets = np.asarray(ix.doc_offsets, dtype=np.int64)
        self.sent_offsets = np.asarray(ix.sent_offsets, dtype=np.int64)
        self.keep = keep
        self.flags = _flags(ix.vocab)
        self.is_word = np.asarray(ix.is_word, dtype=bool)
        self._where: dict[str, np.ndarray] = {}

    def where(self, name: str) -> np.ndarray:
        """Sorted positions of the tokens of word class *name* (cached)."""
        return self.union(name)

    def union(self, *names: str) -> np.ndarray:
        """Sorted positions of the tokens of any of the word classes *names* (cached): from the
        postings for a rare class (costs its hits), from one pass over the token ids for a frequent
        one (a merge of many long postings lists would cost a sort)."""
        key = "|".join(names)
        hit = self._where.get(key)
        if hit is None:
            mask = np.logical_or.reduce([self.flags[n] for n in names])
            ids = np.flatnonzero(mask)
            hits = int(np.asarray(self.ix.counts)[ids].sum()) if ids.size else 0
            if hits * 20 > self.n:
                hit = np.flatnonzero(mask[self.ids]).astype(np.int64)
            else:
                hit = self.ix.positions(ids) if ids.size else np.zeros(0, np.int64)
            self._where[key] = hit
        return hit

    def is_(self, name: str, pos: int) -> bool:
        """Whether the token at *pos* is of word class *name* (one token)."""
        return 0 <= pos < self.n and bool(self.flags[name][self.ids[pos]])

    def has(self, name: str, pos: np.ndarray) -> np.ndarray:
        """Whether the tokens at *pos* (clipped to the index) are of word class *name*."""
        pos = np.asarray(pos, dtype=np.int64)
        inside = (pos >= 0) & (pos < self.n)
        out = np.zeros(pos.shape, dtype=bool)
        out[inside] = self.flags[name][self.ids[pos[inside]]]
        return out

    def form_is(self, pos: np.ndarray, form: str) -> np.ndarray:
        i = self.ix.vocab_id(form)
        pos = np.asarray(pos, dtype=np.int64)
        inside = (pos >= 0) & (pos < self.n)
        out = np.zeros(pos.shape, dtype=bool)
        if i >= 0:
            out[inside] = self.ids[pos[inside]] == i
        return out

    def glued(self, left: np.ndarray) -> np.ndarray:
        """Whether token *left* and token ``left + 1`` touch (same document, no space between)."""
        left = np.asarray(left, dtype=np.int64)
        ok = (left >= 0) & (left + 1 < self.n)
        out = np.zeros(left.shape, dtype=bool)
        a, b = left[ok], left[ok] + 1
        out[ok] = (self.doc[a] == self.doc[b]) & (self.end[a] == self.start[b])
        return out


def find_quotations(
    ix: TokenArrays,
    texts_of: Callable[[np.ndarray], np.ndarray],
    *,
    keep: np.ndarray | None = None,
    mentions: Mapping[str, np.ndarray] | None = None,
    kinds: Mapping[str, str] | None = None,
) -> Found:
    """Every quotation of the documents of *ix* (those with ``keep`` True), with its speaker.

    Parameters
    ----------
    ix
        The token arrays of one index.
    texts_of
        ``texts_of(docs)`` returns the texts over the index's documents (an object array), at least
        those of *docs* filled.
    keep
        Which documents count (bool over the index's documents; ``None``: all).
    mentions
        Actor mentions in index positions, sorted by start: ``actor``, ``token_start``,
        ``token_end`` (what :func:`mediamon.analysis.mentions.match_actors` returns).
    kinds
        Actor id -> kind (``person``, ``organisation``, ``place``, ``other``).

    Returns
    -------
    Found
        See the module docstring for every rule.
    """
    t = _Index(ix, keep)
    marks = _marks(t, texts_of)
    if marks is None:
        return _empty()
    m_pos, m_doc, can_open, can_close, para_start, nests, texts = marks
    pairs, lone = pair_marks(m_doc.tolist(), can_open.tolist(), can_close.tolist(), para_start.tolist(),
                             nests.tolist())  # fmt: skip
    o = np.asarray([m_pos[a] for a, _ in pairs], dtype=np.int64)
    c = np.asarray([m_pos[b] for _, b in pairs], dtype=np.int64)
    lone_pos = np.asarray([m_pos[k] for k, _ in lone], dtype=np.int64)
    lone_reason = [r for _, r in lone]

    d = t.doc[o].astype(np.int64) if o.size else np.zeros(0, np.int64)
    content = [texts[di][a:b] for di, a, b in zip(d.tolist(), t.end[o].tolist(), t.start[c].tolist())]
    words = _word_counts(t, o, c)
    title = np.fromiter((is_title(s) for s in content), dtype=bool, count=len(content))
    short = words < MIN_WORDS
    named = _named(t, o, c, content, d, texts)

    att = _attribute(t, o, c, d, texts, mentions, kinds)
    standalone = _standalone(t, o, content)
    attributed = att["pattern"] != ""
    is_quote = ~short & ~title & ~named & (attributed | standalone)
    reason = np.where(short, "short", np.where(title, "title", np.where(named, "name", "unattributed")))

    sel = np.flatnonzero(is_quote)
    pattern = att["pattern"].copy()
    pattern[(pattern == "") & is_quote] = "none"
    attribution = np.asarray(
        [texts[d[i]][att["attr_char_start"][i] : att["attr_char_end"][i]] if att["attr_start"][i] >= 0 else None
         for i in sel.tolist()], dtype=object,
    )  # fmt: skip
    quotes = {
        "doc": d[sel],
        "open": o[sel],
        "close": c[sel],
        "char_start": t.start[o[sel]].astype(np.int64),
        "char_end": t.end[c[sel]].astype(np.int64),
        "quote": np.asarray([content[i] for i in sel.tolist()], dtype=object),
        "words": words[sel],
        "paragraphs": (t.para[c[sel]] - t.para[o[sel]] + 1).astype(np.int64),
        **{k: v[sel] for k, v in att.items() if k != "pattern"},
        "pattern": pattern[sel],
        "attribution": attribution,
    }
    rej = np.flatnonzero(~is_quote)
    lone_doc = t.doc[lone_pos].astype(np.int64) if lone_pos.size else np.zeros(0, np.int64)
    lone_char = t.start[lone_pos].astype(np.int64) if lone_pos.size else np.zeros(0, np.int64)
    rejected = {
        "doc": np.concatenate([d[rej], lone_doc]),
        "open": np.concatenate([o[rej], np.where(np.asarray(lone_reason) == "unclosed", lone_pos, -1)
                                if lone_pos.size else np.zeros(0, np.int64)]),
        "close": np.concatenate([c[rej], np.where(np.asarray(lone_reason) == "stray", lone_pos, -1)
                                 if lone_pos.size else np.zeros(0, np.int64)]),
        "char_start": np.concatenate([t.start[o[rej]].astype(np.int64), lone_char]),
        "char_end": np.concatenate([t.end[c[rej]].astype(np.int64), lone_char + 1]),
        "text": np.asarray([content[i] for i in rej.tolist()] + [""] * lone_pos.size, dtype=object),
        "reason": np.asarray(reason[rej].tolist() + lone_reason, dtype=object),
    }  # fmt: skip
    order = np.lexsort((rejected["char_start"], rejected["doc"]))
    rejected = {k: v[order] for k, v in rejected.items()}
    return Found(quotes=quotes, rejected=rejected)


def _empty() -> Found:
    z = np.zeros(0, np.int64)
    e = np.zeros(0, object)
    quotes = {k: z for k in ("doc", "open", "close", "char_start", "char_end", "words", "paragraphs",
                             "attr_start", "attr_end", "attr_char_start", "attr_char_end", "speaker_start",
                             "speaker_end")}  # fmt: skip
    quotes.update({k: e for k in ("quote", "speaker", "speaker_text", "role", "resolved_by", "verb", "pattern",
                                  "attribution")})  # fmt: skip
    rejected = {k: z for k in ("doc", "open", "close", "char_start", "char_end")} | {"text": e, "reason": e}
    return Found(quotes=quotes, rejected=rejected)


def _marks(t: _Index, texts_of: Callable[[np.ndarray], np.ndarray]) -> tuple | None:
    """Positions of the double quote marks of the kept documents and how each can pair (rule 2)."""
    qid = t.ix.vocab_id('"')
    if qid < 0:
        return None
    pos = t.ix.positions(qid)
    if t.keep is not None and pos.size:
        pos = pos[t.keep[t.doc[pos]]]
    if pos.size == 0:
        return None
    doc = t.doc[pos].astype(np.int64)
    texts = texts_of(np.unique(doc))
    glyph = np.asarray([texts[di][s] for di, s in zip(doc.tolist(), t.start[pos].tolist())], dtype=object)
    real = np.fromiter((g in _QUOTE_GLYPHS for g in glyph), dtype=bool, count=glyph.size)
    pos, doc, glyph = pos[real], doc[real], glyph[real]
    if pos.size == 0:
        return None
    glued_left = t.glued(pos - 1)
    glued_right = t.glued(pos)
    left_word = glued_left & t.is_word[t.ids[np.maximum(pos - 1, 0)]]
    right_word = glued_right & t.is_word[t.ids[np.minimum(pos + 1, t.n - 1)]]
    left_flanking = glued_right & ~left_word
    right_flanking = glued_left & ~right_word
    opens_glyph = np.fromiter((g in _OPEN_GLYPHS for g in glyph), dtype=bool, count=glyph.size)
    closes_glyph = np.fromiter((g in _CLOSE_GLYPHS for g in glyph), dtype=bool, count=glyph.size)
    tie = left_flanking == right_flanking
    can_open = np.where(tie, ~closes_glyph, left_flanking)
    can_close = np.where(tie, ~opens_glyph, right_flanking)
    # glued on both sides: after a word or ". , ! ? ;" it closes (".”Here", "стран“."), else before a
    # word it opens (":“We", "(“We")
    both = glued_left & glued_right
    closes_after = left_word | t.has("closes_after", pos - 1)
    can_open = np.where(both, ~closes_after & right_word | (~closes_after & ~right_word & ~closes_glyph), can_open)
    can_close = np.where(both, closes_after | (~right_word & ~opens_glyph), can_close)
    # a mark that starts a paragraph, or a sentence after ". ! ?" (texts whose paragraph breaks were
    # lost repeat the opening mark there): where an open quotation may continue
    para_start = np.ones(pos.size, dtype=bool)
    inner = pos > 0
    para_start[inner] = (t.para[pos[inner] - 1] != t.para[pos[inner]]) | t.has("sentence_end", pos[inner] - 1)
    nests = np.fromiter((g in "«»" for g in glyph), dtype=bool, count=glyph.size)
    return pos, doc, can_open, can_close, para_start, nests, texts


def _word_counts(t: _Index, o: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Words strictly between each pair of marks: word tokens not glued to a preceding word or
    hyphen ("all-for-all", "Iran’s" and "U.S." are one word each)."""
    if o.size == 0:
        return np.zeros(0, np.int64)
    lengths = c - o - 1
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(o.size, np.int64)
    starts = np.repeat(o + 1, lengths)
    pos = starts + (np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths))
    word = t.is_word[t.ids[pos]]
    prev = pos - 1
    joined = t.glued(prev) & (t.is_word[t.ids[prev]] | t.flags["dash"][t.ids[prev]])
    new_word = (word & ~joined).astype(np.int64)
    counts = np.zeros(o.size, np.int64)
    np.add.at(counts, np.repeat(np.arange(o.size), lengths), new_word)
    return counts


def _named(t: _Index, o: np.ndarray, c: np.ndarray, content: list[str], d: np.ndarray, texts: np.ndarray) -> np.ndarray:
    """Quotes with a capital first letter that a naming noun introduces (the programme “…”, проект
    «…», an article titled “…”; one comma may stand between) or that modify a naming noun written in
    lower case right after them (the “Oil-Production Equipment” exhibition). Quoted words that
    start in lower case after a noun ("the agreement “is not renegotiable”") are a predicate."""
    if o.size == 0:
        return np.zeros(0, dtype=bool)
    capital = np.fromiter((s[:1].isupper() or s[:1].isdigit() for s in content), dtype=bool, count=len(content))
    before = t.has("name_noun", o - 1) | (t.has("comma", o - 1) & t.has("name_noun", o - 2))
    after = t.has("name_noun", c + 1) & (t.doc[np.minimum(c + 1, t.n - 1)] == t.doc[c])
    for i in np.flatnonzero(after & capital).tolist():
        after[i] = texts[d[i]][t.start[c[i] + 1] : t.start[c[i] + 1] + 1].islower()
    return capital & (before | after)


def _standalone(t: _Index, o: np.ndarray, content: list[str]) -> np.ndarray:
    """Quotes that start their sentence (or paragraph) and end with sentence punctuation inside."""
    if o.size == 0:
        return np.zeros(0, dtype=bool)
    first = (t.sent_offsets[t.sent[o]] == o) | (o == t.doc_offsets[t.doc[o]])
    first[o > 0] |= t.para[o[o > 0] - 1] != t.para[o[o > 0]]
    ends = np.fromiter((s.rstrip()[-1:] in _SENTENCE_END for s in content), dtype=bool, count=len(content))
    return first & ends


def _attribute(
    t: _Index, o: np.ndarray, c: np.ndarray, d: np.ndarray, texts: np.ndarray,
    mentions: Mapping[str, np.ndarray] | None, kinds: Mapping[str, str] | None,
) -> dict[str, np.ndarray]:  # fmt: skip
    """The attribution of each pair (rules 5-7): pattern, verb, speaker words and speaker."""
    n = o.size
    pattern = np.full(n, "", dtype=object)
    verb_at = np.full(n, -1, np.int64)
    verb_len = np.ones(n, np.int64)
    sp_a = np.full(n, -1, np.int64)
    sp_b = np.full(n, -1, np.int64)
    cue, cue_len = _cues(t, o, c)
    finite = cue[~t.has("participle", cue)]
    hard = t.where("hard")
    comma_pos = t.where("comma")
    context = {"cue": cue, "cue_len": cue_len, "finite": finite, "hard": hard, "comma_pos": comma_pos}
    if n == 0:
        return _finish(t, o, c, d, texts, pattern, verb_at, verb_len, sp_a, sp_b, mentions, kinds, **context)

    def length(at: np.ndarray) -> np.ndarray:
        k = np.clip(np.searchsorted(cue, at), 0, max(cue.size - 1, 0))
        return cue_len[k] if cue.size else np.ones(at.shape, np.int64)

    dlo = t.doc_offsets[d]
    dhi = t.doc_offsets[d + 1]
    stops = t.union("np_stop", "comma")
    para_end = np.searchsorted(t.para, t.para[c], side="right").astype(np.int64)

    # -- right of the quote ---------------------------------------------------------------
    r0 = c + 1
    for _ in range(2):  # "…,” said", "…» — сказал", "«…», — сказал"
        skip = (r0 < dhi) & (t.has("comma", r0) | t.has("dash", r0))
        r0 = np.where(skip, r0 + 1, r0)
    r_hi = np.minimum.reduce([_first_at_or_after(hard, r0, t.n), para_end, dhi, r0 + RIGHT_REACH])
    r_cue = _first_at_or_after(cue, r0, t.n)
    found_r = (r_cue < r_hi) & (r0 < dhi) & ~_sentence_ended(t, c, r0, d, texts)
    according = found_r & t.form_is(r_cue, "according")
    participle_first = t.has("participle", r0)
    verb_first = found_r & (r_cue == r0) & ~according & ~participle_first
    # "…," Press TV quoted him as saying: the speaker is the object of "quoted" (but "…," the
    # manager was quoted as saying: passive, the speaker is before it)
    quoted_as = found_r & t.form_is(r_cue, "quoted") & ~t.has("passive", r_cue - 1)
    as_at = _first_at_or_after(_positions_of(t, "as"), r_cue + 1, t.n)
    quoted_as &= (as_at < r_cue + 6) & t.has("cue", as_at + 1)
    _set(pattern, verb_at, verb_len, sp_a, sp_b, quoted_as, "QUOTE, SOURCE quoted SPEAKER as saying", r_cue, 1,
         r_cue + 1, as_at)  # fmt: skip
    _set(pattern, verb_at, verb_len, sp_a, sp_b, verb_first, "QUOTE, VERB SPEAKER", r_cue, length(r_cue),
         r_cue + length(r_cue), _bound(r_cue + length(r_cue), r_hi, [stops], cap=12))  # fmt: skip
    # "…,” but acknowledged", "…,” to which Putin replied": the sentence goes on; its subject is
    # left of the quote
    goes_on = t.has("clause", r0) | t.has("conjunction", r0) | t.has("prep", r0) | participle_first
    _set(pattern, verb_at, verb_len, sp_a, sp_b, found_r & ~verb_first & ~according & ~goes_on,
         "QUOTE, SPEAKER VERB", r_cue, length(r_cue), r0, _bound(r0, r_cue, [t.where("np_stop")], cap=RIGHT_REACH))  # fmt: skip

    # -- left of the quote ----------------------------------------------------------------
    colon_before = (o - 1 >= dlo) & t.form_is(o - 1, ":")
    sent_of = np.where(colon_before, t.sent[np.maximum(o - 1, 0)], t.sent[o])
    l_lo = np.maximum(t.sent_offsets[sent_of], dlo)
    l_cue = _last_before(cue, o)
    found_l = (l_cue >= l_lo) & (o - l_cue <= 40)
    adjacent = _adjacent(t, l_cue + length(l_cue) - 1, o)
    left_according = found_l & t.form_is(l_cue, "according")
    a, b = _subject(t, l_cue, finite, hard, comma_pos, texts)
    m = found_l & ~left_according
    _set(pattern, verb_at, verb_len, sp_a, sp_b, m & adjacent, "SPEAKER VERB: QUOTE", l_cue, length(l_cue), a, b)
    _set(pattern, verb_at, verb_len, sp_a, sp_b, m & ~adjacent, "SPEAKER VERB ... QUOTE", l_cue, length(l_cue),
         a, b)  # fmt: skip

    # -- inside the marks, between dashes: «…, — сказал он. — …» ------------------------------
    inner = t.where("cue")
    k = np.searchsorted(o, inner, side="right") - 1
    held = (k >= 0) & (inner < c[np.maximum(k, 0)]) & t.has("dash", inner - 1)
    inner, k = inner[held], k[held]
    first = np.ones(inner.size, dtype=bool)
    first[1:] = k[1:] != k[:-1]
    e_cue = np.full(n, t.n, np.int64)
    e_cue[k[first]] = inner[first]
    found_e = e_cue < c
    e_end = _bound(e_cue + 1, c, [comma_pos, hard, t.where("dash")], cap=12)
    _set(pattern, verb_at, verb_len, sp_a, sp_b, found_e, "QUOTE — VERB SPEAKER — QUOTE", e_cue, 1, e_cue + 1, e_end)

    # -- "according to": the source of a report, weaker than a speech verb -------------------
    _set(pattern, verb_at, verb_len, sp_a, sp_b, found_r & according & (r_cue == r0), "QUOTE, according to SPEAKER",
         r_cue, 2, r_cue + 2, _bound(r_cue + 2, r_hi, [comma_pos], cap=12))  # fmt: skip
    _set(pattern, verb_at, verb_len, sp_a, sp_b, left_according, "according to SPEAKER ... QUOTE", l_cue, 2,
         l_cue + 2, _bound(l_cue + 2, o, [comma_pos, hard], cap=12))  # fmt: skip
    return _finish(t, o, c, d, texts, pattern, verb_at, verb_len, sp_a, sp_b, mentions, kinds, **context)


def _cues(t: _Index, o: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the cue verbs outside every quotation, and how many tokens each phrase has."""
    cue = t.where("cue")
    length = np.ones(cue.size, np.int64)
    ok = np.ones(cue.size, dtype=bool)
    for form, continuations in CUE_PHRASES.items():
        here = t.form_is(cue, form)
        if not here.any():
            continue
        matched = np.zeros(cue.size, dtype=bool)
        for cont in sorted(continuations, key=len, reverse=True):
            hit = here & ~matched
            for k, word in enumerate(cont, start=1):
                hit &= t.form_is(cue + k, word)
            length[hit] = 1 + len(cont)
            matched |= hit
        ok &= ~here | matched
    ok &= ~(t.form_is(cue, "states") & t.form_is(cue - 1, "united"))  # "the United States" is a name
    cue, length = cue[ok], length[ok]
    # cues inside a quotation (any pair, counted or not) are words of the quote, not attributions
    k = np.searchsorted(o, cue, side="right") - 1
    inside = (k >= 0) & (cue < c[np.maximum(k, 0)]) if o.size else np.zeros(cue.size, dtype=bool)
    return cue[~inside], length[~inside]


def _sentence_ended(t: _Index, c: np.ndarray, r0: np.ndarray, d: np.ndarray, texts: np.ndarray) -> np.ndarray:
    """Quotes whose last word ends a sentence inside the marks ("… elections.” He added"): their
    sentence is over, nothing right of them attributes them. After ``?`` or ``!`` a lower-case word
    ("“…?” he asked") goes on with the sentence."""
    ended = t.has("sentence_end", c - 1)
    loose = ended & ~t.form_is(c - 1, ".") & (r0 < t.n)
    for i in np.flatnonzero(loose).tolist():
        first = texts[d[i]][t.start[r0[i]] : t.start[r0[i]] + 1]
        ended[i] = not first.islower()
    return ended


def _positions_of(t: _Index, form: str) -> np.ndarray:
    i = t.ix.vocab_id(form)
    return t.ix.positions(i) if i >= 0 else np.zeros(0, np.int64)


def _set(
    pattern: np.ndarray, verb_at: np.ndarray, verb_len: np.ndarray, sp_a: np.ndarray, sp_b: np.ndarray,
    mask: np.ndarray, name: str, verb: np.ndarray, length: int | np.ndarray, a: np.ndarray, b: np.ndarray,
) -> None:  # fmt: skip
    """Record pattern *name* for the quotes of *mask* that have none yet (and speaker words)."""
    m = mask & (pattern == "") & (np.broadcast_to(b, mask.shape) > np.broadcast_to(a, mask.shape))
    pattern[m] = name
    verb_at[m] = np.broadcast_to(verb, m.shape)[m]
    verb_len[m] = np.broadcast_to(length, m.shape)[m]
    sp_a[m] = np.broadcast_to(a, m.shape)[m]
    sp_b[m] = np.broadcast_to(b, m.shape)[m]


def _bound(lo: np.ndarray, hi: np.ndarray, stops: list[np.ndarray], *, cap: int) -> np.ndarray:
    """The end of a span starting at *lo*: the first stop token at or after *lo*, at most *hi* and
    ``lo + cap``."""
    out = np.minimum(hi, lo + cap)
    for s in stops:
        out = np.minimum(out, _first_at_or_after(s, lo, np.iinfo(np.int64).max))
    return out


def _adjacent(t: _Index, verb: np.ndarray, o: np.ndarray) -> np.ndarray:
    """Whether only ``,`` ``:`` ``that`` and "in part"/"in particular" stand between verb and quote."""
    ok = verb >= 0
    for _ in range(5):
        gap = o - verb - 1
        ok_now = gap <= 0
        if ok_now.all():
            break
        p = o - 1
        # peel the allowed tokens off the right end of the gap, one step at a time
        step = (gap > 0) & (t.has("comma", p) | t.form_is(p, ":") | t.form_is(p, "that"))
        part = (gap > 1) & t.has("in_part", p) & t.form_is(p - 1, "in")
        o = np.where(step, o - 1, np.where(part, o - 2, o))
        if not (step | part).any():
            break
    return ok & (o - verb - 1 <= 0)


def _subject(
    t: _Index, verb: np.ndarray, finite: np.ndarray, hard: np.ndarray, comma_pos: np.ndarray, texts: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Speaker words ``[a, b)`` of the cue at *verb* (rule 6): the phrase before the verb, or for a
    participle the phrase before the previous finite cue of the sentence, else the sentence's first
    phrase; for "X, who on Monday said", the phrase before "who"."""
    v = np.asarray(verb, dtype=np.int64)
    safe = np.maximum(v, 0)
    s_lo = t.sent_offsets[t.sent[safe]]
    participle = (v >= 0) & t.has("participle", v)
    prev_finite = _last_before(finite, v)
    use_prev = participle & (prev_finite >= s_lo)
    head = np.where(use_prev, prev_finite, v)
    first_phrase = participle & ~use_prev
    lo, hi = _phrase_before(t, head, s_lo, hard, comma_pos, first_phrase)
    # "X said ... and warned “…”": a bare conjunction has the subject of the sentence's first cue
    bare = (hi - lo == 1) & t.has("lead_word", lo) & ~first_phrase
    if bare.any():
        prev = _last_before(finite, lo)
        has_prev = bare & (prev >= s_lo)
        lo2, hi2 = _phrase_before(t, np.where(has_prev, prev, lo), s_lo, hard, comma_pos, bare & ~has_prev)
        lo, hi = np.where(bare, lo2, lo), np.where(bare, hi2, hi)
    # "In a tweet on Sunday former U.S. secretary of state John Kerry said": no phrase forward from
    # the clause start; the capitalised run right before the verb
    empty = (hi <= lo) & (v >= 0) & ~first_phrase & ~t.has("relative", lo - 1)
    for k in np.flatnonzero(empty).tolist():
        h = int(head[k])
        lo[k] = _name_before(t, texts[int(t.doc[h])], h, int(s_lo[k]))
        hi[k] = h
    relative = (hi <= lo) & ~first_phrase & t.has("relative", lo - 1) & (lo - 1 > s_lo)
    if relative.any():
        # "... made by the German Foreign Minister Sigmar Gabriel who on Monday said": the words
        # between the last stop (a preposition, an auxiliary, a clause boundary) and "who"
        who = lo - 1
        stops = t.union("hard", "clause", "np_stop", "prep")
        lo2 = np.maximum(s_lo, _last_before(stops, who) + 1)
        lo, hi = np.where(relative, lo2, lo), np.where(relative, who, hi)
    return lo, hi


_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december".split()
)


def _name_before(t: _Index, text: str, head: int, s_lo: int) -> int:
    """The start of the run of name words right before token *head*: capitalised words (not days or
    months), role nouns, name particles, "of", "the" and possessives."""
    k = head - 1
    while k >= s_lo:
        form = t.ix.vocab[t.ids[k]]
        word = text[t.start[k] : t.end[k]]
        capital = word[:1].isupper() and form not in _CALENDAR
        if not (capital or form in ROLE_NOUNS or form in _NAME_PARTICLES or form in ("of", "the", "'s")):
            break
        k -= 1
    lo = k + 1
    while lo < head and t.ix.vocab[t.ids[lo]] in ("of", "the", "'s"):
        lo += 1
    return lo


def _phrase_before(
    t: _Index, head: np.ndarray, s_lo: np.ndarray, hard: np.ndarray, comma_pos: np.ndarray, first_phrase: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The noun phrase that ends the clause before token *head* (or, where *first_phrase*, the first
    phrase of the sentence)."""
    boundary = t.union("hard", "clause")
    lo = np.maximum(s_lo, _last_before(boundary, head) + 1)
    lo = np.where(first_phrase, s_lo, lo)
    lo = np.where(t.has("lead_word", lo) & (lo + 1 < head), lo + 1, lo)  # "But the French delegation ..."
    # skip a lead-in segment ("Speaking at the session, ..."; "In 2007, ...")
    first_comma = _first_at_or_after(comma_pos, lo, t.n)
    lead = t.has("lead_in", lo) & (first_comma < head)
    lo = np.where(lead, first_comma + 1, lo)
    stop = t.union("np_stop", "cue")
    hi = np.minimum(head, _first_at_or_after(stop, lo, t.n))
    hi = np.where(first_phrase, np.minimum(hi, _first_at_or_after(comma_pos, lo, t.n)), hi)
    return lo, hi


class _Rows:
    """The attribution columns of the pairs, filled in by :func:`_finish`."""

    OBJECT = ("speaker", "speaker_text", "role", "resolved_by", "verb")
    INT = ("attr_start", "attr_end", "speaker_start", "speaker_end")

    def __init__(self, n: int, pattern: np.ndarray) -> None:
        self.pattern = pattern
        self.cols: dict[str, np.ndarray] = {k: np.full(n, None, dtype=object) for k in self.OBJECT}
        self.cols.update({k: np.full(n, -1, np.int64) for k in self.INT})

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name]

    def copy(self, i: int, j: int, how: str) -> None:
        self.pattern[i] = how
        for col in self.cols.values():
            col[i] = col[j]

    def words(self, i: int, text: str, t: _Index, a: int, b: int, v: int, vl: int) -> None:
        """Speaker words ``[a, b)`` and verb ``[v, v + vl)`` of row *i*, as spans and text."""
        self.cols["speaker_text"][i] = _clean(text[t.start[a] : t.end[b - 1]])
        self.cols["verb"][i] = _clean(text[t.start[v] : t.end[v + vl - 1]]).rstrip(",:.")
        self.cols["attr_start"][i], self.cols["attr_end"][i] = min(a, v), max(b, v + vl)
        self.cols["speaker_start"][i], self.cols["speaker_end"][i] = a, b

    def columns(self, t: _Index) -> dict[str, np.ndarray]:
        a, b = self.cols["attr_start"], self.cols["attr_end"]
        has = a >= 0
        cs = np.full(a.size, -1, np.int64)
        ce = np.full(a.size, -1, np.int64)
        cs[has] = t.start[a[has]]
        ce[has] = t.end[b[has] - 1]
        return {**self.cols, "pattern": self.pattern, "attr_char_start": cs, "attr_char_end": ce}


def _finish(
    t: _Index, o: np.ndarray, c: np.ndarray, d: np.ndarray, texts: np.ndarray, pattern: np.ndarray,
    verb_at: np.ndarray, verb_len: np.ndarray, sp_a: np.ndarray, sp_b: np.ndarray,
    mentions: Mapping[str, np.ndarray] | None, kinds: Mapping[str, str] | None, **context: np.ndarray,
) -> dict[str, np.ndarray]:  # fmt: skip
    """Speakers of the attributed quotes, then the quotes attributed through other quotes."""
    n = o.size
    rows = _Rows(n, pattern)
    if n == 0:
        return rows.columns(t)
    has = pattern != ""
    people = _People(t, mentions, kinds, context, texts, np.unique(d))
    for i in np.flatnonzero(has).tolist():
        a, b = int(sp_a[i]), int(sp_b[i])
        rows.words(i, texts[d[i]], t, a, b, int(verb_at[i]), int(verb_len[i]))
    people.name(rows, np.flatnonzero(has), d[has], texts)

    # quotes attributed through other quotes, and pronouns, document by document in order
    sent_o, sent_c = t.sent[o].astype(np.int64), t.sent[c].astype(np.int64)
    first = (t.sent_offsets[sent_o] == o) | (o == t.doc_offsets[d])
    first[o > 0] |= t.para[o[o > 0] - 1] != t.para[o[o > 0]]
    attr_end = rows["attr_end"]
    end_sent = np.where(attr_end > 0, t.sent[np.maximum(attr_end - 1, 0)], sent_c).astype(np.int64)
    end_sent = np.maximum(end_sent, sent_c)
    by_sentence: dict[tuple[int, int], int] = {}
    for i in np.flatnonzero(has).tolist():
        for s in range(int(sent_o[i]), int(sent_c[i]) + 1):
            by_sentence.setdefault((int(d[i]), s), i)
    before = _previous_sentence(t, o, d, first & (pattern == ""), texts, context)
    previous: dict[int, int] = {}
    for i in range(n):
        di = int(d[i])
        if pattern[i] == "":
            j = next((by_sentence[(di, s)] for s in range(int(sent_o[i]), int(sent_c[i]) + 1)
                      if by_sentence.get((di, s), i) != i), None)  # fmt: skip
            p = previous.get(di)
            if j is not None:
                rows.copy(i, j, "shared")
            elif first[i] and p is not None and sent_o[i] - end_sent[p] <= 1:
                rows.copy(i, p, "continuation")
            elif before[0][i] >= 0:  # SPEAKER VERB. QUOTE
                v, vl, a, b = (int(x[i]) for x in before)
                rows.pattern[i] = "SPEAKER VERB. QUOTE"
                rows.words(i, texts[di], t, a, b, v, vl)
                people.name(rows, np.array([i]), np.array([di]), texts)
        a, b = int(rows["speaker_start"][i]), int(rows["speaker_end"][i])
        if pattern[i] not in ("", "shared", "continuation") and rows["speaker"][i] is None and b - a == 1:
            if t.is_("pronoun", a):
                people.pronoun(rows, i, a, di, texts[di], o, d)
        if pattern[i] != "":
            previous[di] = i
    return rows.columns(t)


def _previous_sentence(
    t: _Index, o: np.ndarray, d: np.ndarray, which: np.ndarray, texts: np.ndarray, context: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``SPEAKER VERB. QUOTE`` for the quotes of *which*: the last cue of the sentence before each
    and its speaker words, as ``(verb, verb length, a, b)`` (verb ``-1`` where there is none)."""
    cue = context["cue"]
    verb = np.full(o.size, -1, np.int64)
    length = np.ones(o.size, np.int64)
    a = np.full(o.size, -1, np.int64)
    b = np.full(o.size, -1, np.int64)
    s = t.sent[o].astype(np.int64) - 1
    ok = which & (s >= 0) & (o != t.doc_offsets[d])
    k = np.searchsorted(cue, o, side="left") - 1
    ok &= k >= 0
    ok[ok] &= cue[k[ok]] >= t.sent_offsets[s[ok]]
    if ok.any():
        v = cue[k[ok]]
        aa, bb = _subject(t, v, context["finite"], context["hard"], context["comma_pos"], texts)
        good = bb > aa
        sel = np.flatnonzero(ok)[good]
        verb[sel], length[sel], a[sel], b[sel] = v[good], context["cue_len"][k[sel]], aa[good], bb[good]
    return verb, length, a, b


_SPACES = re.compile(r"\s+")
_APPOSITION = re.compile(r",\s+(?:a|an|who|which|whose)\s.*$", re.S)


def _clean(text: str) -> str:
    """Speaker words for display: one line, an apposition starting "a"/"an"/"who" dropped."""
    return _APPOSITION.sub("", _SPACES.sub(" ", text)).strip(" ,")


_KIND_RANK = {"person": 0, "organisation": 1, "other": 2, "place": 3}
# the last capitalised word of speaker words is the name a pronoun can point back to
_NAME = re.compile(r"\b[^\W\d_][^\W_]*")
_NAME_PARTICLES = frozenset(
    "and senior former deputy foreign prime vice first chief top acting new late incumbent outgoing bin al "
    "ibn de van von da di le la el mr mrs ms dr".split()
)
_NOT_NAMES = frozenset(
    "he she him her it its they them we i you one this that these those there here who which the a an".split()
)


@lru_cache(maxsize=1 << 16)
def _person_like(words: str) -> bool:
    """Words that can name a person: every lower-case word is a determiner, a preposition, a role
    noun or a name particle, and the last word is capitalised ("Mutlaq bin Majed al-Qahtani";
    not "the latest stance of its General Secretariat")."""
    parts = _NAME.findall(words)
    if not parts or not parts[-1][0].isupper():
        return False
    small = _NAME_PARTICLES | set(_DETERMINERS) | set(_PREPOSITIONS) | set(ROLE_NOUNS)
    return all(w[0].isupper() or w.casefold() in small for w in parts)


class _People:
    """The actor mentions of the index, and how speaker words resolve to an actor (rule 7)."""

    def __init__(
        self, t: _Index, mentions: Mapping[str, np.ndarray] | None, kinds: Mapping[str, str] | None,
        context: Mapping[str, np.ndarray], texts: np.ndarray, docs: np.ndarray,
    ) -> None:  # fmt: skip
        self.t = t
        self.context = context
        self.texts = texts
        self.has_text = np.zeros(t.doc_offsets.size, dtype=bool)
        self.has_text[docs] = True
        kinds = kinds or {}
        if mentions is None or len(mentions["token_start"]) == 0:
            self.actor = np.zeros(0, object)
            self.ms = self.me = self.rank = np.zeros(0, np.int64)
        else:
            self.actor = np.asarray(mentions["actor"], dtype=object)
            self.ms = np.asarray(mentions["token_start"], dtype=np.int64)
            self.me = np.asarray(mentions["token_end"], dtype=np.int64)
            self.rank = np.fromiter((_KIND_RANK.get(kinds.get(a, "other"), 2) for a in self.actor), np.int64,
                                    self.actor.size)  # fmt: skip
        # how far back a preposition governs the name ("of Tatarstan": 1, "of the Institute": 2); it
        # only counts inside the speaker words ("according to Putin" names Putin)
        self.prep_at = np.where(t.has("prep", self.ms - 1), 1,
                                np.where(t.has("det", self.ms - 1) & t.has("prep", self.ms - 2), 2, 0))  # fmt: skip
        self.eligible = ~(t.has("possessive", self.me) & t.glued(self.me - 1))
        self.roles = t.where("role")
        self._described: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
        self._subjects: dict[int, list[tuple[int, str]]] = {}
        self._name_positions: dict[str, np.ndarray] = {}
        self._all_subjects: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def named(self, a: int, b: int) -> str | None:
        """The actor named in speaker words ``[a, b)``: persons first, then organisations and other
        actors, in order; a place only when it opens the words."""
        lo = int(np.searchsorted(self.ms, a, side="left"))
        hi = int(np.searchsorted(self.ms, b, side="left"))
        lead = a + 1 if self.t.is_("det", a) else a
        best = None
        for k in range(lo, hi):
            if self.me[k] > b or not self.eligible[k] or (self.prep_at[k] and self.ms[k] - self.prep_at[k] >= a):
                continue
            if self.rank[k] == 3 and self.ms[k] not in (a, lead):  # a place speaks only as the subject
                continue
            key = (int(self.rank[k]), int(self.ms[k]))
            if best is None or key < best[0]:
                best = (key, self.actor[k])
        return None if best is None else str(best[1])

    def name(self, rows: _Rows, which: np.ndarray, docs: np.ndarray, texts: Any) -> None:
        """Resolve the speaker words of rows *which*: a named actor, else a role noun (only when no
        name follows it: "Ayatollah Khamenei" names a speaker who is not an actor)."""
        t = self.t
        for i, doc in zip(np.asarray(which).tolist(), np.asarray(docs).tolist()):
            a, b = int(rows["speaker_start"][i]), int(rows["speaker_end"][i])
            actor = self.named(a, b)
            if actor is not None:
                rows["speaker"][i], rows["resolved_by"][i] = actor, "name"
                continue
            k = int(np.searchsorted(self.roles, b, side="left")) - 1
            if k < 0 or self.roles[k] < a:
                continue
            r = int(self.roles[k])
            form = t.ix.vocab[t.ids[r]]
            rows["role"][i] = form
            if r + 1 < b and t.is_word[t.ids[r + 1]] and texts[doc][t.start[r + 1] : t.start[r + 1] + 1].isupper():
                continue
            hit = self.described_by(ROLE_NOUNS.get(form, form), int(doc), a)
            if hit is not None:
                rows["speaker"][i], rows["resolved_by"][i] = hit, "role"

    def described_by(self, group: str, doc: int, before: int) -> str | None:
        """The actor the role group last described in *doc* before token *before*."""
        if self._described is None:
            self._described = self._describe()
        entry = self._described.get(group)
        if entry is None:
            return None
        pos, docs, actor = entry
        k = int(np.searchsorted(pos, before, side="left")) - 1
        return str(actor[k]) if k >= 0 and docs[k] == doc else None

    def _describe(self) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """For each role group: the positions of its nouns that describe a person or organisation
        actor, their documents and that actor. A noun describes the name that holds it ("President
        Putin"), starts at most 5 tokens after it ("President of Tatarstan, Rustam Minnikhanov") or
        ends at most 4 before it ("Kazem Jalali, Iran’s ambassador"), the nearest, in its sentence; a
        document noun ("message", "greetings") the nearest name at most 12 tokens before it
        ("Vladimir Putin sent his greetings")."""
        t, roles = self.t, self.roles
        ok = self.rank <= 1
        actor, ms, me = self.actor[ok], self.ms[ok], self.me[ok]
        if roles.size == 0 or ms.size == 0:
            return {}
        group = np.asarray([ROLE_NOUNS.get(t.ix.vocab[i], "") for i in t.ids[roles].tolist()], dtype=object)
        document = group == "message"
        k_after = np.searchsorted(ms, roles, side="right")
        has_after = k_after < ms.size
        dist_after = np.where(has_after, ms[np.minimum(k_after, ms.size - 1)] - roles, 10**9)
        order = np.argsort(me, kind="stable")
        k_before = np.searchsorted(me[order], roles, side="right") - 1
        has_before = k_before >= 0
        before = order[np.maximum(k_before, 0)]
        dist_before = np.where(has_before, roles - me[before] + 1, 10**9)
        k_cover = np.searchsorted(ms, roles, side="right") - 1
        cover = (k_cover >= 0) & (me[np.maximum(k_cover, 0)] > roles)
        after_ok = ~document & (dist_after <= 5)
        before_ok = dist_before <= np.where(document, 12, 4)
        pick = np.full(roles.size, -1, np.int64)
        take_after = after_ok & (~before_ok | (dist_after < dist_before))
        pick[before_ok] = before[before_ok]
        pick[take_after] = k_after[take_after]
        pick[cover] = k_cover[cover]
        valid = pick >= 0
        valid[valid] = t.sent[ms[pick[valid]]] == t.sent[roles[valid]]
        out: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for g in set(group[valid].tolist()):
            sel = valid & (group == g)
            out[g] = (roles[sel], t.doc[roles[sel]].astype(np.int64), actor[pick[sel]])
        return out

    def pronoun(self, rows: _Rows, i: int, at: int, doc: int, text: str, o: np.ndarray, d: np.ndarray) -> None:
        """"he"/"she"/"him"/"her" (rule 7): the most recently named, before the pronoun and the
        quotation, of the document's person actors, earlier speakers and subjects of earlier speech
        verbs (a capitalised last word, not a pronoun)."""
        t = self.t
        lo = int(t.doc_offsets[doc])
        best: tuple[int, str | None, str] | None = None
        k = int(np.searchsorted(self.ms, at, side="left")) - 1
        while k >= 0 and self.ms[k] >= lo:
            if self.rank[k] == 0:
                named = _clean(text[t.start[self.ms[k]] : t.end[self.me[k] - 1]])
                best = (int(self.ms[k]), str(self.actor[k]), named)
                break
            k -= 1
        limit = min(at, int(o[i]))  # names before the pronoun and before the quotation itself
        # named actors are found by their mentions (above); other names by their last word
        candidates = []
        j = i - 1
        while j >= 0 and d[j] == doc:  # the earlier quotations of this document
            if rows["speaker_text"][j] and rows["speaker"][j] is None:
                candidates.append(rows["speaker_text"][j])
            j -= 1
        candidates += [words for h, words in self.subjects(doc, text) if h < limit]
        seen: set[str] = set()
        actor = None
        for words in candidates:
            if words in seen:
                continue
            seen.add(words)
            pos = self.name_positions(words)
            j = int(np.searchsorted(pos, limit, side="left")) - 1
            if j >= 0 and pos[j] >= lo and (best is None or pos[j] > best[0]):
                best = (int(pos[j]), actor, words)
        if best is not None:
            rows["speaker"][i], rows["speaker_text"][i], rows["resolved_by"][i] = best[1], best[2], "pronoun"

    def name_positions(self, words: str) -> np.ndarray:
        """Token positions of the last word of *words* when it is a name (capitalised, not a
        pronoun), else none (cached per word)."""
        names = _NAME.findall(words)
        head = names[-1] if names else ""
        hit = self._name_positions.get(head)
        if hit is None:
            hid = -1
            if head and head[0].isupper() and head.casefold() not in _NOT_NAMES:
                hid = self.t.ix.vocab_id(normalize(head))
            hit = self._name_positions[head] = self.t.ix.positions(hid) if hid >= 0 else np.zeros(0, np.int64)
        return hit

    def subjects(self, doc: int, text: str) -> list[tuple[int, str]]:
        """(last token, words) of the speaker words of the speech verbs of *doc* that read as the
        name of a person outside the actor list (cached)."""
        hit = self._subjects.get(doc)
        if hit is not None:
            return hit
        t = self.t
        if self._all_subjects is None:  # the speaker words of every speech verb, computed at once
            cue = self.context["cue"]
            cue = cue[~t.form_is(cue, "according")]  # the source of a report, not a subject's verb
            cue = cue[self.has_text[t.doc[cue]]]  # documents with quotations (their texts are read)
            a, b = _subject(t, cue, self.context["finite"], self.context["hard"], self.context["comma_pos"],
                            self.texts)  # fmt: skip
            self._all_subjects = (cue, a, b)
        cue, a, b = self._all_subjects
        lo, hi = np.searchsorted(cue, [t.doc_offsets[doc], t.doc_offsets[doc + 1]])
        out = []
        for aa, bb in zip(a[lo:hi].tolist(), b[lo:hi].tolist()):
            if bb <= aa:
                continue
            words = _clean(text[t.start[aa] : t.end[bb - 1]])
            if _person_like(words) and self.named(aa, bb) is None:  # named actors come from mentions
                out.append((bb - 1, words))
        self._subjects[doc] = out
        return out
