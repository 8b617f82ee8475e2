"""A force's deployment file (TOML in instance/): who the force is, its shared mailbox, its groups and the
texts shown to applicants. Content, not code: a force changes it without a developer."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import languages
from webapp.models import Group, GroupKind
from webapp.questions import APPLICATION_PAGES, Page, all_questions, application_pages


class DeploymentError(Exception):
    """The deployment file is missing or wrong; the message says where."""


@dataclass(frozen=True)
class GroupSpec:
    slug: str
    name: str
    kind: GroupKind
    open_to_applicants: bool
    summary: str = ""
    requirements: str = ""
    screening_may_apply: bool = False
    meeting_place: str = ""
    welsh: dict[str, str] = field(default_factory=dict)  # name, summary, ... in Welsh (with Welsh on)
    expected_meetings: int = 4  # meetings a year each member is expected at (the register flags fewer)
    vetting: str = "none"  # "none", "limited screening" or the vetting level required of members
    term_years: int = 3  # how long a membership lasts before it is renewed or ends


WELSH_GROUP_FIELDS = ("name", "summary", "requirements", "meeting_place")


@dataclass(frozen=True)
class Deployment:
    force_name: str
    mailbox: str
    groups: tuple[GroupSpec, ...]
    texts: dict[str, str] = field(default_factory=dict)
    website: str = ""
    source: str = ""
    question_wording: dict[str, dict[str, str]] = field(default_factory=dict)
    reply_working_days: int = 20  # how soon the force promises a reply, in working days
    languages: tuple[str, ...] = ("en",)  # ("en", "cy") for a force in Wales
    welsh_texts: dict[str, str] = field(default_factory=dict)  # [texts_cy]
    force_name_cy: str = ""
    # Where requests that are not for the IAGs are passed on ([contacts]: CONTACTS), each an address or page.
    contacts: dict[str, str] = field(default_factory=dict)

    def text(self, key: str, default: str = "") -> str:
        """One of the force's texts, in the page's language."""
        if "cy" in self.languages and languages.current() == "cy":
            return self.welsh_texts.get(key, default)
        return self.texts.get(key, default)

    @property
    def name(self) -> str:
        """The force's name in the page's language."""
        if self.force_name_cy and languages.current() == "cy":
            return self.force_name_cy
        return self.force_name

    def group_text(self, slug: str, field_name: str, english: str) -> str:
        """A group's name, summary, requirements or meeting place in the page's language (`english` is
        the group's own, as kept in the database)."""
        if "cy" not in self.languages or languages.current() != "cy":
            return english
        spec = next((g for g in self.groups if g.slug == slug), None)
        return spec.welsh.get(field_name, english) if spec else english

    @property
    def application_pages(self) -> tuple[Page, ...]:
        return application_pages(self.question_wording)

    @property
    def mail_domain(self) -> str:
        return self.mailbox.rpartition("@")[2] or "localhost"


def prose(text: str) -> str:
    """TOML multi-line strings keep the file's line breaks; keep only blank-line paragraph breaks."""
    paragraphs = [" ".join(part.split()) for part in text.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def _require(table: dict, key: str, where: str, kind: type = str):
    if key not in table:
        raise DeploymentError(f"{where}: '{key}' is missing")
    value = table[key]
    if not isinstance(value, kind):
        raise DeploymentError(f"{where}: '{key}' must be {kind.__name__}, not {type(value).__name__}")
    return value


def load(path: str | Path) -> Deployment:
    path = Path(path)
    if not path.exists():
        raise DeploymentError(
            f"No deployment file at {path}. Copy one of instance/examples/*.toml there "
            "(or set IAG_DEPLOYMENT_FILE)."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DeploymentError(f"{path}: {exc}") from exc
    force = _require(data, "force", str(path), dict)
    force_name = _require(force, "name", f"{path}: [force]")
    mailbox = _require(force, "mailbox", f"{path}: [force]")
    groups = []
    for index, raw in enumerate(data.get("groups", []), start=1):
        where = f"{path}: group {index}"
        kind = _require(raw, "kind", where)
        if kind not in {k.value for k in GroupKind}:
            raise DeploymentError(f"{where}: kind must be strategic, area or specialist, not '{kind}'")
        expected = raw.get("expected_meetings", 4)
        if not isinstance(expected, int) or isinstance(expected, bool) or not 0 <= expected <= 52:
            raise DeploymentError(
                f"{where}: expected_meetings must be a whole number from 0 to 52, not {expected!r}"
            )
        term = raw.get("term_years", 3)
        if not isinstance(term, int) or isinstance(term, bool) or not 1 <= term <= 10:
            raise DeploymentError(
                f"{where}: term_years must be a whole number of years from 1 to 10, not {term!r}"
            )
        vetting = raw.get("vetting", "none")
        if not isinstance(vetting, str) or not vetting.strip() or len(vetting) > 40:
            raise DeploymentError(
                f'{where}: vetting must be "none", "limited screening" or a vetting level such as "NPPV2"'
            )
        groups.append(
            GroupSpec(
                slug=_require(raw, "slug", where),
                name=_require(raw, "name", where),
                kind=GroupKind(kind),
                open_to_applicants=_require(raw, "open_to_applicants", where, bool),
                summary=prose(raw.get("summary", "")),
                requirements=prose(raw.get("requirements", "")),
                screening_may_apply=bool(raw.get("screening_may_apply", False)),
                meeting_place=prose(raw.get("meeting_place", "")),
                welsh={f: prose(raw[f"{f}_cy"]) for f in WELSH_GROUP_FIELDS if raw.get(f"{f}_cy")},
                expected_meetings=expected,
                vetting=vetting.strip(),
                term_years=term,
            )
        )
    if not groups:
        raise DeploymentError(f"{path}: at least one [[groups]] entry is needed")
    slugs = [g.slug for g in groups]
    if len(set(slugs)) != len(slugs):
        raise DeploymentError(f"{path}: two groups share a slug")
    deployment = Deployment(
        force_name=force_name,
        mailbox=mailbox,
        website=force.get("website", ""),
        groups=tuple(groups),
        texts={k: prose(v) for k, v in data.get("texts", {}).items()},
        question_wording=_question_wording(data.get("questions", {}), str(path)),
        reply_working_days=_reply_days(force, f"{path}: [force]"),
        source=str(path),
        languages=_languages(force, f"{path}: [force]"),
        welsh_texts={k: prose(v) for k, v in data.get("texts_cy", {}).items()},
        force_name_cy=force.get("name_cy", ""),
        contacts=_contacts(data.get("contacts", {}), f"{path}: [contacts]"),
    )
    if "cy" in deployment.languages:
        _check_welsh(deployment, str(path))
    return deployment


# Who handles what arrives in the IAG mailbox but is not for the IAGs (README "Applying by email").
CONTACTS = {
    "data_protection": "subject access requests (the force's data protection or disclosure unit)",
    "freedom_of_information": "Freedom of Information requests",
    "complaints": "complaints about the police (the force's professional standards department)",
}


def _contact(value: str) -> bool:
    """An email address, or a web page on https (a complaints form), or blank (no contact)."""
    value = value.strip()
    address = re.fullmatch(r"[^@\s<>]{1,64}@[^@\s<>]{1,255}\.[^@\s<>.]{2,63}", value)
    return len(value) <= 300 and (not value or bool(address) or value.startswith("https://"))


def _contacts(raw: object, where: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise DeploymentError(f"{where}: must be a table of {', '.join(CONTACTS)}")
    unknown = sorted(set(raw) - set(CONTACTS))
    if unknown:
        raise DeploymentError(
            f"{where}: unknown {', '.join(unknown)}; the contacts are {', '.join(CONTACTS)}"
        )
    if any(not isinstance(value, str) or not _contact(value) for value in raw.values()):
        raise DeploymentError(
            f"{where}: each contact is an email address or a web address of up to 300 characters"
        )
    return {key: value.strip() for key, value in raw.items() if value.strip()}


def _languages(force: dict, where: str) -> tuple[str, ...]:
    chosen = force.get("languages", ["en"])
    if not isinstance(chosen, list) or chosen not in (["en"], ["en", "cy"]):
        raise DeploymentError(f'{where}: \'languages\' must be ["en"] or ["en", "cy"], not {chosen!r}')
    return tuple(chosen)


def _check_welsh(deployment: Deployment, where: str) -> None:
    """With Welsh on, every text a person reads has its Welsh: never silent English on a Welsh page."""
    missing = []
    if not deployment.force_name_cy:
        missing.append("[force] name_cy")
    missing += [f"[texts_cy] {key}" for key in deployment.texts if not deployment.welsh_texts.get(key)]
    for index, group in enumerate(deployment.groups, start=1):
        missing += [
            f"group {index} ({group.slug}) {f}_cy"
            for f in WELSH_GROUP_FIELDS
            if getattr(group, f) and not group.welsh.get(f)
        ]
    for key, wording in deployment.question_wording.items():
        missing += [
            f"[questions.{key}] {k}_cy"
            for k in ("label", "hint")
            if k in wording and f"{k}_cy" not in wording
        ]
    if missing:
        raise DeploymentError(f"{where}: Welsh is on, so these need their Welsh: {'; '.join(missing)}")


def _reply_days(force: dict, where: str) -> int:
    days = force.get("reply_working_days", 20)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
        raise DeploymentError(f"{where}: 'reply_working_days' must be a whole number of days from 1 to 90")
    return days


def _question_wording(raw: dict, where: str) -> dict[str, dict[str, str]]:
    known = {q.key for q in all_questions(APPLICATION_PAGES)}
    for key, wording in raw.items():
        if key not in known:
            raise DeploymentError(
                f"{where}: [questions.{key}] is not a question (known: {', '.join(sorted(known))})"
            )
        if not isinstance(wording, dict) or set(wording) - {"label", "hint", "label_cy", "hint_cy"}:
            raise DeploymentError(
                f"{where}: [questions.{key}] may set only label and hint (and label_cy, hint_cy)"
            )
    return {key: {k: prose(v) for k, v in wording.items()} for key, wording in raw.items()}


def sync_groups(session: Session, deployment: Deployment) -> list[str]:
    """Create groups that are new in the file and update the ones that exist (by slug), except those a
    system admin has edited on the admin screen: that is where they are changed from then on. Returns
    what changed."""
    changes = []
    existing = {g.slug: g for g in session.scalars(select(Group))}
    for position, spec in enumerate(deployment.groups):
        group = existing.get(spec.slug)
        if group is None:
            group = Group(slug=spec.slug)
            session.add(group)
            changes.append(f"added {spec.name}")
        elif group.edited_at is not None:
            changes.append(f"kept {group.name} as edited on the admin screen")
            continue
        for name in (
            "name",
            "kind",
            "open_to_applicants",
            "summary",
            "requirements",
            "screening_may_apply",
            "meeting_place",
            "expected_meetings",
            "vetting",
            "term_years",
        ):
            setattr(group, name, getattr(spec, name))
        group.position = position
    session.flush()
    return changes
