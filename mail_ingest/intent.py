"""What a person's email asks for, read from its subject and its own words (not the quoted text below), in
English and Welsh: to apply, a question, or neither. Mail in another language is named, so that triage
can find someone to read it. Pure: no database, no mailbox."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

APPLY, QUESTION = "apply", "question"
MENTIONS = "mentions joining"  # a word of applying or joining, but not said as applying: weak evidence

# Saying, in so many words, that this is an application (these win over a question mark: "I'd like to
# apply - is there a closing date?" is an application, and its question is answered by the coordinator).
_APPLYING = [
    r"(like|love|want|wish|hoping|hope|keen|write|writing|interested)\s+(to\s+)?(apply|join)",
    r"(i\s*am|i'm|i\s+would\s+like\s+to\s+be)\s+applying",
    r"apply(ing)?\s+(to\s+join|for\s+(membership|a\s+place)|to\s+become)",
    r"(my|an?|the)\s+(completed\s+|filled[\s-]in\s+)?(application|application\s+form|form)\s+(is\s+)?"
    r"(attached|below|enclosed|here)",
    r"(attached|enclosed|below)\s+(is|are|please\s+find)?\s*(my\s+)?(completed\s+)?(application|form)",
    r"please\s+(accept|consider)\s+(my|this)\s+(application|email\s+as\s+(an|my)\s+application)",
    r"become\s+a\s+member",
    # Welsh: "I would like to join / to apply", "my application", "application form", "membership".
    r"hoffwn\s+(ymuno|wneud\s+cais|gyflwyno\s+cais|fod\s+yn\s+aelod)",
    r"(rwyf|rydw\s+i|dw\s+i|rwy'n|rwy\s+n)\s*(eisiau|awyddus\s+i|am)\s+(ymuno|wneud\s+cais)",
    r"(fy|y)\s+(nghais|cais|ffurflen(\s+gais)?)\s+(wedi\s+ei\s+(atodi|hatodi)|isod|yma|ynghlwm)",
    r"cais\s+(i\s+ymuno|am\s+aelodaeth)",
]
# A subject that says it is an IAG application, in so many words (a bare "Application" may be for a
# shotgun certificate or a job: it only mentions applying). Read in subjects and email bodies, never in an
# attached document, where a form's or a CV's heading says the same.
_HEADINGS = [
    r"^\s*(membership\s+application|iag\s+application|application\s+to\s+join|application\s+for\s+"
    r"(membership|the\s+\w+(\s+\w+){0,4}\s+iag|iag))\b",
    r"ffurflen\s+gais",
    r"^\s*cais\s+(iag|aelodaeth)\b",
]
# The words of applying, weaker: they count when nothing says it is a question.
_JOINING_WORDS = r"\b(apply|applying|application|join|joining|membership|ymuno|cais|aelodaeth|ffurflen)\b"
# Asking, not applying (English and Welsh).
_ASKING = [
    r"\?",
    r"^\s*(question|query|enquiry|inquiry|quick\s+question|ymholiad|cwestiwn)\b",
    r"\b(could|can|would)\s+(someone|somebody|you|anyone)\b",
    r"\b(ring|call|phone|contact)\s+me\b",
    r"\b(more\s+information|find\s+out\s+more|more\s+details|further\s+details)\b",
    r"\b(i\s+was\s+wondering|wondering\s+if|i'd\s+like\s+to\s+know|i\s+would\s+like\s+to\s+know)\b",
    r"\b(ffoniwch|cysylltwch|mwy\s+o\s+wybodaeth|tybed)\b",
]
LETTER_APPLYING = [re.compile(pattern, re.IGNORECASE | re.MULTILINE) for pattern in _APPLYING]
APPLYING = LETTER_APPLYING + [re.compile(pattern, re.IGNORECASE | re.MULTILINE) for pattern in _HEADINGS]
JOINING_WORDS = re.compile(_JOINING_WORDS, re.IGNORECASE)
ASKING = [re.compile(pattern, re.IGNORECASE | re.MULTILINE) for pattern in _ASKING]
# Every phrase of applying contains one of these: text with none of them is not read phrase by phrase.
STEMS = (
    "appl",
    "join",
    "form",
    "member",
    "accept",
    "consider",
    "ymuno",
    "cais",
    "nghais",
    "aelod",
    "ffurflen",
    "hoffwn",
)
# Where the person's own words end: the quoted message, a forwarded one, or a signature.
_QUOTE_START = re.compile(
    r"^(>|On .{5,200} wrote:|-{2,}\s*(Original|Forwarded) Message|From: .+@|Sent from my|Anfonwyd o)",
    re.IGNORECASE | re.MULTILINE,
)
OWN_WORDS = 3000  # characters of a body read for its intent
LETTER_READ = 800  # characters of an attached letter read for the words of applying: its opening
LANGUAGE_SAMPLE = 300  # ... and for its language: enough to tell (the tests show), and quick
MIN_LETTERS_FOR_LANGUAGE = 20
LANGUAGE_CONFIDENCE = 0.8
OURS = {"en", "cy"}
# The languages told apart: ours, and those most written in the UK and the world. A short list gives
# clearer odds than the model's 200 (which splits Chinese between zh, wuu and yue, say).
LANGUAGES = [
    "en",
    "cy",
    "ga",
    "gd",
    "pl",
    "ro",
    "pa",
    "ur",
    "bn",
    "gu",
    "ar",
    "zh",
    "es",
    "pt",
    "fr",
    "it",
    "de",
    "nl",
    "lt",
    "lv",
    "ru",
    "uk",
    "bg",
    "tr",
    "ku",
    "fa",
    "ps",
    "so",
    "am",
    "sw",
    "yo",
    "ha",
    "ta",
    "hi",
    "ne",
    "vi",
    "th",
    "tl",
    "hu",
    "cs",
    "sk",
    "sq",
    "el",
    "he",
    "ko",
    "ja",
    "ms",
    "id",
]


@dataclass(frozen=True)
class Intent:
    kind: str = ""  # APPLY, QUESTION, MENTIONS or "" (none of them)
    evidence: str = ""  # the words that decided it, for the email's reason
    language: str = ""  # the language's English name, when it is neither English nor Welsh
    welsh: bool = False  # written in Welsh: the answer goes in Welsh where the force offers it


def own_words(body: str) -> str:
    """The start of a body, up to the quoted or forwarded text or the signature."""
    text = (body or "")[:OWN_WORDS]
    cut = _QUOTE_START.search(text)
    return text[: cut.start()] if cut else text


def intent_of(subject: str, body: str) -> Intent:
    """What the subject and the body's own words ask for, and the language if it is not ours. Saying so
    in English or Welsh words needs no language check; anything else is checked."""
    words = own_words(body)
    text = f"{subject}\n{words}"
    welsh = written_in_welsh(text)
    lowered = text.lower()
    stems = any(stem in lowered for stem in STEMS)
    applying = next((found for p in (APPLYING if stems else ()) if (found := p.search(text))), None)
    # The language is named whatever is asked (a short Polish note says "IAG" and "Bristol" too), unless
    # the sender's own words apply in English or Welsh: then they are ours.
    in_their_words = applying is not None and applying.start() > len(subject)
    language = "" if welsh or in_their_words else language_of(_sample(text, words))
    if applying is not None:
        return Intent(APPLY, applying.group(0).strip(), language, welsh)
    for pattern in ASKING:
        if found := pattern.search(text):
            return Intent(QUESTION, found.group(0).strip(), language, welsh)
    if stems and (found := JOINING_WORDS.search(text)):
        return Intent(MENTIONS, found.group(0), language, welsh)
    return Intent("", "", language, welsh)


def _sample(text: str, words: str) -> str:
    """What the language is told from: the start of the sender's own words, or with too few of them the
    subject too."""
    start = words[:LANGUAGE_SAMPLE]
    return (start if len(_letters(start)) >= MIN_LETTERS_FOR_LANGUAGE else text)[:LANGUAGE_SAMPLE]


# Words that are Welsh and not English (the short, common ones of every Welsh sentence), and their
# English counterparts: a message is Welsh when it has several of the first and fewer of the second.
WELSH_WORDS = frozenset(
    [
        "yr",
        "yn",
        "mae",
        "ac",
        "ar",
        "gyda",
        "diolch",
        "helo",
        "rwy",
        "rydw",
        "dw",
        "hoffwn",
        "ydw",
        "fy",
        "eich",
        "chi",
        "gan",
        "hefyd",
        "ond",
        "bod",
        "wedi",
        "gwneud",
        "cais",
        "ymuno",
        "os",
        "sut",
        "ble",
        "pryd",
        "pam",
        "hwn",
        "hon",
        "hyn",
        "gallaf",
        "allwch",
        "annwyl",
        "cofion",
        "yw",
        "oes",
        "nid",
        "dim",
        "gyfer",
        "ynglŷn",
        "ymlaen",
        "llaw",
    ]
)
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "to",
        "of",
        "is",
        "you",
        "for",
        "with",
        "this",
        "that",
        "have",
        "would",
        "like",
        "please",
        "thank",
        "hello",
        "dear",
        "my",
        "your",
        "can",
    ]
)


def written_in_welsh(text: str) -> bool:
    """Whether `text` is written in Welsh: a simple count of common words each language has and the other
    has not (tests/unit/test_welsh_detector.py)."""
    words = [word.lower() for word in WORD.findall(text)]
    welsh = sum(1 for word in words if word in WELSH_WORDS)
    english = sum(1 for word in words if word in ENGLISH_WORDS)
    return welsh >= 3 and welsh > english


LETTER = re.compile(r"[^\W\d_]")


def _letters(text: str) -> str:
    return "".join(LETTER.findall(text))


@functools.cache
def _identifier() -> Any:
    # py3langid's model, loaded once (about a second) on first use; probabilities, so short or mixed text
    # can be left undecided rather than guessed.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    return identifier


# Short words that only English or Welsh writing is full of: two of them, and the text is ours (the model,
# and the second it takes to load, are kept for mail that may not be).
OUR_WORDS = (
    ENGLISH_WORDS
    | WELSH_WORDS
    | frozenset(
        "are could thanks will what when where how it be we our am an do if was not".split()  # noqa: SIM905
    )
)
WORD = re.compile(r"[a-zâêîôûŵŷ']+", re.IGNORECASE)
OUR_SHARE = 0.2


def language_of(text: str) -> str:
    """The English name of the language `text` is written in, when that is confidently neither English
    nor Welsh; "" otherwise (ours, too short to tell, or unsure)."""
    if len(_letters(text)) < MIN_LETTERS_FOR_LANGUAGE and not _non_latin(text):
        return ""
    words = [word.lower() for word in WORD.findall(text)]
    ours = [word for word in words if word in OUR_WORDS]
    # Two of our short words, and enough of them: English is about half such words; a short Polish or
    # Romanian note shares only a few ("do", "to", "we", "a") and reads as its own language.
    if len(set(ours)) >= 2 and len(ours) >= OUR_SHARE * len(words):
        return ""
    code, confidence = _identifier().classify(text)
    if code in OURS or confidence < LANGUAGE_CONFIDENCE:
        return ""
    return _name(code)


def _non_latin(text: str) -> bool:
    """Written in a script other than Latin (a few characters of Chinese say more than many of English)."""
    return sum(1 for ch in text if ch.isalpha() and ord(ch) > 0x24F) >= 4


def _name(code: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code).english_name or code
    except (UnknownLocaleError, ValueError):
        return code


def applying_in_letter(document: str) -> str:
    """The words of applying in the opening of a letter someone attached ("I would like to join the Bristol
    IAG"), or "": the phrases only, never a heading (a form's or a CV's)."""
    opening = own_words(document[:LETTER_READ])
    if not any(stem in opening.lower() for stem in STEMS):
        return ""
    return next((found.group(0).strip() for p in LETTER_APPLYING if (found := p.search(opening))), "")


# --- Mail that is for someone else, or has a legal clock ---------------------------------------------------
# Each read from the subject and the sender's own words, as the intent is. These win over the words of
# applying: a subject access request that mentions "my application", a police job application, an FOI request
# about IAG membership are none of them an application to an IAG. (Marks are webapp.models.Mark values.)
_OTHER_PURPOSES = {
    "subject access request": [
        r"\bsubject\s+access(\s+request)?\b",
        r"\b(?-i:SAR)\b",
        r"\bright\s+of\s+access\b",
        r"\barticle\s+15\b",
        r"\b(cop(y|ies)|all)\s+of\s+(all\s+)?(the\s+)?(my\s+)?(personal\s+)?(data|information|records?|details)\s+"
        r"(that\s+|which\s+)?(you|the\s+force|the\s+police|your\s+\w+)\s+(hold|holds|have|keep|keeps|store)",
        r"\b(personal\s+)?(data|information)\s+(you|the\s+force)\s+(hold|holds|have|keep)\s+(about|on)\s+me\b",
        r"\bcais\s+(am\s+)?fynediad\s+gwrthrych\b",  # Welsh: subject access request
    ],
    "freedom of information request": [
        r"\bfreedom\s+of\s+information\b",
        r"\b(?-i:FOIA?)\b",
        r"\brhyddid\s+gwybodaeth\b",
    ],
    "complaint about the police": [
        r"\b(make|making|lodge|lodging|raise|raising|file|submit)\s+an?\s+(formal\s+)?complaint\b",
        r"\bcomplaint\s+(about|against|regarding|concerning)\b",
        r"\b(i\s+wish|i\s+want|i\s+would\s+like|i'd\s+like)\s+to\s+complain\b",
        r"\bprofessional\s+standards\b",
        r"\b(?-i:IOPC)\b",
        r"\bgwneud\s+cwyn\b",
    ],
    "job application for the force": [
        r"\b(police\s+constable|student\s+officer|(?-i:PCDA|DHEP|PCEP|PCSO)|detective\s+constable|"
        r"police\s+community\s+support\s+officer|call\s+handler|police\s+staff)\b.{0,80}\b"
        r"(role|post|position|vacanc(y|ies)|application|apply|applying|recruitment|campaign)\b",
        r"\b(job|vacancy|post|position|role)\s+(reference|ref\.?|number)\b",
        r"\b(role|post|position|job|vacancy)\s+(of|as)\s+(an?\s+)?(police\s+constable|student\s+officer|"
        r"detective\s+constable|call\s+handler|(?-i:PCSO))\b",
        r"\b(recruitment|vacancy)\s+(campaign|team|portal)\b",
        r"\bapply(ing)?\s+for\s+the\s+(role|post|position|job|vacancy)\b",
    ],
}
# Every phrase of each purpose contains one of its stems: most mail has none, and is not read phrase by
# phrase (the phrases cost half a millisecond a message; the stems a few microseconds).
_PURPOSE_STEMS = {
    "subject access request": ("subject", "sar", "access", "article", "hold", "keep", "store", "fynediad"),
    "freedom of information request": ("freedom", "foi", "rhyddid"),
    "complaint about the police": ("complain", "standards", "iopc", "cwyn"),
    "job application for the force": (
        "constable", "officer", "pcda", "dhep", "pcep", "pcso", "handler", "staff", "recruit", "vacanc",
        "job", "role", "position", "post",
    ),
}  # fmt: skip
OTHER_PURPOSES = {
    mark: (_PURPOSE_STEMS[mark], [re.compile(pattern, re.IGNORECASE | re.DOTALL) for pattern in patterns])
    for mark, patterns in _OTHER_PURPOSES.items()
}


def other_purpose(subject: str, body: str) -> tuple[str, str]:
    """(the mark, the words that showed it) when the subject and the sender's own words ask for something
    that is not for the IAGs or has a legal clock; ("", "") otherwise."""
    text = f"{subject}\n{own_words(body)}"
    lowered = text.lower()
    for mark, (stems, patterns) in OTHER_PURPOSES.items():
        if not any(stem in lowered for stem in stems):
            continue
        for pattern in patterns:
            if found := pattern.search(text):
                return mark, " ".join(found.group(0).split())[:80]
    return "", ""
