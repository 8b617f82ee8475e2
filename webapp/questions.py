"""The application and monitoring questions: one definition used by the web pages, the fillable PDF forms
and the mail poller that reads returned forms back. A question's `key` is its stable field name."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Kind = Literal["text", "textarea", "email", "phone", "radios"]


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    error: str  # GOV.UK wording for a missing answer: "Enter ...", "Select ..."
    kind: Kind = "textarea"
    hint: str = ""
    required: bool = True
    max_length: int = 3000
    choices: tuple[str, ...] = ()
    autocomplete: str = ""
    short_label: str = ""  # for "Check your answers" when the label is long
    # A force's own wording in Welsh (deployment [questions.KEY] label_cy, hint_cy); the standard
    # wording's Welsh is in the translation catalogue.
    label_cy: str = ""
    hint_cy: str = ""

    @property
    def summary_label(self) -> str:
        return self.short_label or self.label


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    questions: tuple[Question, ...]
    intro: str = ""


HEARD_ABOUT = (
    "A police officer or staff member",
    "A community group or organisation",
    "Social media",
    "The force's website",
    "A friend or family member",
    "A current IAG member",
    "Somewhere else",
)

APPLICATION_PAGES: tuple[Page, ...] = (
    Page(
        "your-details",
        "Your details",
        (
            Question(
                "full_name",
                "Full name",
                "Enter your full name",
                kind="text",
                max_length=200,
                autocomplete="name",
            ),
            Question(
                "email",
                "Email address",
                "Enter your email address",
                kind="email",
                max_length=320,
                hint="We will only use this to contact you about your application.",
                autocomplete="email",
            ),
            Question(
                "phone",
                "Phone number (optional)",
                "",
                kind="phone",
                required=False,
                max_length=40,
                hint="For international numbers include the country code.",
                autocomplete="tel",
                short_label="Phone number",
            ),
            Question(
                "area",
                "Postcode or area where you live",
                "Enter your postcode or the area where you live",
                kind="text",
                max_length=100,
                hint="For example, BS5 6XX or Easton, Bristol.",
                short_label="Postcode or area",
            ),
            Question(
                "contact_preference",
                "How would you prefer us to contact you?",
                "Select how you would prefer us to contact you",
                kind="radios",
                choices=("Email", "Phone"),
                short_label="Preferred contact",
            ),
        ),
    ),
    Page(
        "why-join",
        "Why you want to join",
        (
            Question(
                "why_join",
                "Why do you want to join this Independent Advisory Group?",
                "Enter why you want to join",
                short_label="Why you want to join",
            ),
            Question(
                "interest_in_policing",
                "What is your interest in policing?",
                "Enter your interest in policing",
                hint="For example, something that has happened to you or your community, or work you do.",
                short_label="Interest in policing",
            ),
        ),
    ),
    Page(
        "communities",
        "Your communities",
        (
            Question(
                "communities",
                "Which communities do you represent or have links with?",
                "Enter the communities you represent",
                hint="A community can be a place, a faith, a culture, an age group, an interest or an "
                "experience you share with others.",
                short_label="Communities",
            ),
            Question(
                "representing",
                "How would you represent these communities on the group?",
                "Enter how you would represent these communities",
                short_label="How you would represent them",
            ),
        ),
    ),
    Page(
        "engaging",
        "Engaging your community",
        (
            Question(
                "engagement",
                "How would you communicate and engage with your community on IAG matters?",
                "Enter how you would communicate with your community",
                hint="For example, meetings you go to, groups you belong to, or how people contact you.",
                short_label="Engaging your community",
            ),
        ),
    ),
    Page(
        "time",
        "The time it takes",
        (
            Question(
                "time_commitment",
                "Can you give this time?",
                "Select yes if you can give this time",
                kind="radios",
                choices=("Yes", "No"),
                short_label="Can give the time",
                hint="Members come to at least four meetings a year and read papers beforehand. "
                "Sometimes we ask for more, for example after a critical incident.",
            ),
            Question(
                "time_details",
                "Anything you would like us to know about your availability (optional)",
                "",
                required=False,
                max_length=1000,
                short_label="Availability",
            ),
        ),
    ),
    Page(
        "experience",
        "Your experience",
        (
            Question(
                "lived_experience",
                "Do you have lived experience of policing or the justice system you would like to tell us "
                "about? (optional)",
                "",
                required=False,
                hint="This is optional. Only tell us what you are comfortable sharing.",
                short_label="Lived experience",
            ),
            Question(
                "relevant_experience",
                "What relevant experience do you have?",
                "Enter your relevant experience",
                hint="For example, voluntary work, working in groups, reaching compromises, or balancing "
                "commitments.",
                short_label="Relevant experience",
            ),
        ),
    ),
    Page(
        "taking-part",
        "Taking part",
        (
            Question(
                "adjustments",
                "Do you need any adjustments to take part? (optional)",
                "",
                required=False,
                max_length=1000,
                hint="For example, step-free access, a hearing loop, large print papers, or meeting times.",
                short_label="Adjustments",
            ),
            Question(
                "heard_about",
                "Where did you hear about the IAG?",
                "Select where you heard about the IAG",
                kind="radios",
                choices=HEARD_ABOUT,
                short_label="Heard about the IAG",
            ),
        ),
    ),
)

PREFER_NOT = "Prefer not to say"

MONITORING_QUESTIONS: tuple[Question, ...] = (
    Question(
        "age_band",
        "What is your age?",
        "",
        kind="radios",
        required=False,
        choices=(
            "16 to 24",
            "25 to 34",
            "35 to 44",
            "45 to 54",
            "55 to 64",
            "65 to 74",
            "75 or over",
            PREFER_NOT,
        ),
    ),
    Question(
        "sex", "What is your sex?", "", kind="radios", required=False, choices=("Female", "Male", PREFER_NOT)
    ),
    Question(
        "gender_identity",
        "Is the gender you identify with the same as your sex registered at birth?",
        "",
        kind="radios",
        required=False,
        choices=("Yes", "No", PREFER_NOT),
    ),
    Question(
        "sexual_orientation",
        "Which of the following best describes your sexual orientation?",
        "",
        kind="radios",
        required=False,
        choices=(
            "Straight or heterosexual",
            "Gay or lesbian",
            "Bisexual",
            "Other sexual orientation",
            PREFER_NOT,
        ),
    ),
    Question(
        "ethnic_group",
        "What is your ethnic group?",
        "",
        kind="radios",
        required=False,
        choices=(
            "White: English, Welsh, Scottish, Northern Irish or British",
            "White: Irish",
            "White: Gypsy or Irish Traveller",
            "White: Roma",
            "White: any other White background",
            "Mixed or multiple ethnic groups: White and Black Caribbean",
            "Mixed or multiple ethnic groups: White and Black African",
            "Mixed or multiple ethnic groups: White and Asian",
            "Mixed or multiple ethnic groups: any other mixed or multiple ethnic background",
            "Asian or Asian British: Indian",
            "Asian or Asian British: Pakistani",
            "Asian or Asian British: Bangladeshi",
            "Asian or Asian British: Chinese",
            "Asian or Asian British: any other Asian background",
            "Black, Black British, Caribbean or African: Caribbean",
            "Black, Black British, Caribbean or African: African",
            "Black, Black British, Caribbean or African: "
            "any other Black, Black British or Caribbean background",
            "Other ethnic group: Arab",
            "Other ethnic group: any other ethnic group",
            PREFER_NOT,
        ),
    ),
    Question(
        "religion",
        "What is your religion?",
        "",
        kind="radios",
        required=False,
        choices=(
            "No religion",
            "Christian (including Church of England, Catholic, Protestant and all other Christian "
            "denominations)",
            "Buddhist",
            "Hindu",
            "Jewish",
            "Muslim",
            "Sikh",
            "Any other religion",
            PREFER_NOT,
        ),
    ),
    Question(
        "disability",
        "Do you have any physical or mental health conditions or illnesses lasting or "
        "expected to last 12 months or more?",
        "",
        kind="radios",
        required=False,
        choices=("Yes", "No", PREFER_NOT),
    ),
)

CODE_OF_ETHICS = (
    "Accountability",
    "Fairness",
    "Honesty",
    "Integrity",
    "Leadership",
    "Objectivity",
    "Openness",
    "Respect",
    "Selflessness",
)


def application_pages(overrides: dict[str, dict[str, str]] | None = None) -> tuple[Page, ...]:
    """The application pages with a force's own wording (deployment [questions.KEY] label/hint) applied."""
    if not overrides:
        return APPLICATION_PAGES
    return tuple(
        replace(
            page,
            questions=tuple(
                replace(
                    q,
                    label=overrides.get(q.key, {}).get("label", q.label),
                    hint=overrides.get(q.key, {}).get("hint", q.hint),
                    label_cy=overrides.get(q.key, {}).get("label_cy", ""),
                    hint_cy=overrides.get(q.key, {}).get("hint_cy", ""),
                )
                for q in page.questions
            ),
        )
        for page in APPLICATION_PAGES
    )


def all_questions(pages: tuple[Page, ...]) -> list[Question]:
    return [q for page in pages for q in page.questions]


# A specialist group's confirmations, asked before the application on the web and on the paper form; kept
# with the application's answers under these keys.
MEETS_REQUIREMENTS = Question(
    "meets_requirements",
    "Do you meet the requirements of the group you are applying to?",
    "Select whether you meet the group's requirements",
    kind="radios",
    required=False,
    choices=("Yes", "No"),
    hint="Answer if the group you chose is one of those above.",
    short_label="Meets the group's requirements",
)
SCREENING_CONSENT = Question(
    "screening_consent",
    "Do you consent to limited security screening if the group needs it?",
    "Select whether you consent to limited security screening",
    kind="radios",
    required=False,
    choices=("Yes", "No"),
    hint="Answer if the group you chose is one of those above.",
    short_label="Consents to limited security screening",
)


def confirmations(requirements: bool, screening: bool) -> tuple[Question, ...]:
    """The confirmations a group asks for: its requirements, when it has any; screening, when it may apply."""
    return tuple(
        q for q, asked in ((MEETS_REQUIREMENTS, requirements), (SCREENING_CONSENT, screening)) if asked
    )
