"""Demo data for `make run`: staff in every role, and applications with full answers that together cover
every state an application can be in, each taken there through the services staff and applicants use
(webapp/demo_journeys.py). Loaded once."""

from __future__ import annotations

import mailbox
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.clock import now
from webapp.demo_journeys import Journeys
from webapp.deployment import Deployment, sync_groups
from webapp.models import Group, Source
from webapp.services import applications, letters, staff
from webapp.services.actors import APPLICANT, MAIL
from webapp.workflow import Role, State


@dataclass(frozen=True)
class Person:
    """A demo applicant, with the answers only they would give; the rest are filled in plausibly."""

    name: str
    area: str
    why: str
    communities: str
    lived: str
    state: State  # how far their application has gone
    group: str = "bristol"
    source: Source = Source.WEB
    phone: str = ""


PEOPLE = (
    Person(
        name="Amina Yusuf",
        area="Easton, Bristol",
        why="I run a youth football club and want young people's views of stop and search to be heard.",
        communities="Young people in Easton; the Somali community in Bristol.",
        lived="My brother was stopped and searched several times on his way to school.",
        state=State.SUBMITTED,
    ),
    Person(
        name="Dev Patel",
        area="Lawrence Hill, Bristol",
        why="I volunteer at a food bank and see how policing feels to people in hardship.",
        communities="People using the food bank; Gujarati families in east Bristol.",
        lived="I reported a hate crime at our shop and was kept informed well.",
        state=State.IN_REVIEW,
        source=Source.EMAIL,
    ),
    Person(
        name="Grace Mensah",
        area="St Pauls, Bristol",
        why="I want the force to hear from the African-Caribbean community before decisions, not after.",
        communities="The African-Caribbean community; St Pauls Carnival volunteers.",
        lived="I have seen friends arrested at carnival and want it done with respect.",
        state=State.DISCUSSION_INVITED,
        phone="07700 900311",
    ),
    Person(
        name="Tomasz Nowak",
        area="Fishponds, Bristol",
        why="I can bring the views of Polish workers who rarely contact the police.",
        communities="Polish and other Eastern European workers in Bristol.",
        lived="A colleague was exploited by an employer and did not know where to turn.",
        state=State.DISCUSSION_HELD,
    ),
    Person(
        name="Hannah Clarke",
        area="Bedminster, Bristol",
        why="As a disabled woman I want policing to be accessible to everyone.",
        communities="Disabled people; the Deaf community in south Bristol.",
        lived="I was not given an interpreter when I gave a statement.",
        state=State.DECISION_PROPOSED,
    ),
    Person(
        name="Yusuf Ali",
        area="Barton Hill, Bristol",
        why="I lead the mosque's youth work and want to build trust.",
        communities="Muslim young people in Barton Hill.",
        lived="Young people at the mosque are wary of the police.",
        state=State.MEMBER,
    ),
    Person(
        name="Nadia Rahman",
        area="Eastville, Bristol",
        why="I teach at a secondary school and hear what pupils think of the police.",
        communities="Secondary school pupils and their parents.",
        lived="Pupils filmed a stop and search outside school gates.",
        state=State.OFFERED,
    ),
    Person(
        name="Chloe Evans",
        area="Bath",
        why="I care about how the police treat students and night-time workers.",
        communities="Students in Bath; bar and club staff.",
        lived="A friend's report of spiking was not followed up.",
        state=State.REFERRED,
    ),
    Person(
        name="Marcus Reid",
        area="Knowle West, Bristol",
        why="I want estates like mine to have a say.",
        communities="Residents of Knowle West.",
        lived="I was stopped several times as a teenager.",
        state=State.UNSUCCESSFUL,
    ),
    Person(
        name="Fatima Begum",
        area="Easton, Bristol",
        why="I run a women's group and want women's safety taken seriously.",
        communities="Bangladeshi women in Easton.",
        lived="Women in our group have not reported harassment.",
        state=State.APPEAL_LODGED,
    ),
    Person(
        name="Leon Gordon",
        area="Southmead, Bristol",
        why="I mentor young men leaving custody.",
        communities="Young men in Southmead; families of people in prison.",
        lived="I have been in custody myself, years ago.",
        state=State.APPEAL_UPHELD,
    ),
    Person(
        name="Priyanka Rao",
        area="Clifton, Bristol",
        why="I am a GP and see the effects of crime on health.",
        communities="Patients of an inner-city practice.",
        lived="Patients tell me they do not trust the police.",
        state=State.APPEAL_DISMISSED,
    ),
    Person(
        name="Owen Price",
        area="Redland, Bristol",
        why="I chair a residents' association and want it heard.",
        communities="Residents of Redland and Cotham.",
        lived="Our street had a spate of burglaries.",
        state=State.AGREEMENT_SENT,
    ),
    Person(
        name="Kwame Asante",
        area="St Pauls, Bristol",
        why="I organise community events and want them policed with the community.",
        communities="Carnival organisers; the Ghanaian community in Bristol.",
        lived="I have seen events go well when the police talked to us first.",
        state=State.MEMBER,
    ),
    Person(
        name="Siobhan Murphy",
        area="Southville, Bristol",
        why="I work in mental health and want crisis calls handled with care.",
        communities="People in mental health crisis and their carers.",
        lived="A client in crisis was held in a cell rather than a hospital.",
        state=State.MEMBER,
    ),
    Person(
        name="Rhiannon Evans",
        area="Taunton",
        why="I farm near Taunton and want rural communities represented.",
        communities="Farmers and rural villages in Somerset.",
        lived="Machinery thefts are common and rarely solved.",
        state=State.MEMBER,
        group="somerset",
    ),
    Person(
        name="Sara Haile",
        area="Lawrence Hill, Bristol",
        why="I support refugees settling in Bristol.",
        communities="Eritrean and Sudanese refugees.",
        lived="Refugees I work with fear the police.",
        state=State.WITHDRAWN,
    ),
)


def answers(person: Person) -> dict[str, str]:
    """A full set of answers, as the web form keeps them."""
    first = person.name.split()[0].lower()
    return {
        "full_name": person.name,
        "email": f"{first}@example.org",
        "phone": person.phone,
        "area": person.area,
        "contact_preference": "Phone" if person.phone else "Email",
        "why_join": person.why,
        "interest_in_policing": "I want policing to be fair, and to be seen to be fair, where I live.",
        "communities": person.communities,
        "representing": "By asking people what they think before meetings and telling them what happened.",
        "engagement": "Through the groups I already belong to, and social media.",
        "time_commitment": "Yes",
        "time_details": "Weekday evenings suit me best.",
        "lived_experience": person.lived,
        "relevant_experience": "I have volunteered for several years and am used to committee work.",
        "adjustments": "",
        "heard_about": "A community group or organisation",
    }


DEMO_EMAILS = (
    (
        "Leila Haddad <leila@example.org>",
        "Application to join the LGBT+ IAG",
        "Hello,\n\nI would like to apply to join the LGBT+ IAG. "
        "I volunteer with a support group in Bristol.\n\nLeila",
    ),
    (
        "Out of Office <chris@example.net>",
        "Automatic reply: IAG meeting",
        "I am out of the office until Monday.",
    ),
    (
        "Kofi Mensah <kofi@example.org>",
        "Question about meetings",
        "Hello, where do the Bristol IAG meetings take place? Thanks, Kofi",
    ),
)


def seed_mailbox(path: str, mailbox_address: str) -> int:
    """Drop the demo emails into the local Maildir that `iag-mail run` reads on the embedded default."""
    box = mailbox.Maildir(path, create=True)
    for sender, subject, body in DEMO_EMAILS:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, mailbox_address, subject
        message["Message-ID"] = make_msgid(domain="demo.invalid")
        message["Date"] = format_datetime(now())
        if subject.startswith("Automatic reply"):
            message["Auto-Submitted"] = "auto-replied"
        message.set_content(body)
        box.add(message.as_bytes())
    return len(DEMO_EMAILS)


def seed(
    session: Session,
    deployment: Deployment,
    people: tuple[tuple[str, str, Role, str | None], ...],
    password: str,
    policy: staff.Policy,
) -> bool:
    """Create the demo staff (enrolled through the real enrolment path) and applications, unless present."""
    if staff.find_by_email(session, people[0][0]) is not None:
        return False
    sync_groups(session, deployment)
    slugs = set(session.scalars(select(Group.slug)))
    for email, name, role, slug in people:
        if slug is not None and slug not in slugs:
            continue  # a deployment without this group (e.g. Gwent): skip that demo user
        user, _token = staff.create_user(session, email, name, role, slug, policy)
        staff.complete_enrolment(session, user, password, staff.current_code(user))
        user.totp_last_step = None  # let the demo user sign in with the code that is current now
    journeys = Journeys(session, {email: staff.find_by_email(session, email) for email, *_ in people})
    for person in PEOPLE:
        group = session.scalar(select(Group).where(Group.slug == person.group))
        if group is None or not journeys.ready:
            continue  # a deployment without this group (e.g. Gwent): skip this demo applicant
        given = answers(person)
        arrival = applications.Arrival(
            source=person.source,
            name=person.name,
            email=given["email"],
            phone=person.phone or None,
            group=group,
            answers=given if person.source is Source.WEB else {"why_join": person.why},
            idempotency_key=f"demo:{given['email']}",
        )
        application, _ = applications.receive(
            session, arrival, APPLICANT if person.source is Source.WEB else MAIL
        )
        letters.application_received(session, application)
        journeys.take(application, person.state)
    if journeys.ready and journeys.coordinator is not None:
        from webapp import demo_group_work

        demo_group_work.seed(session, journeys.coordinator)
    return True
