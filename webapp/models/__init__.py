"""All models, importable from one place."""

from webapp.models.applications import (
    Appeal,
    AppealOutcome,
    Application,
    Decision,
    DecisionStatus,
    Discussion,
    DiscussionStatus,
    Note,
    Referral,
    Source,
)
from webapp.models.drafts import ApplicantLink, Draft
from webapp.models.equality import EqualityFile, EqualityResponse, EqualityTally
from webapp.models.events import Event, EventChainHead
from webapp.models.groups import Group, GroupKind
from webapp.models.mail import DMARC_FAILED, Attachment, EmailKind, InboundEmail, Lease, MailboxState
from webapp.models.members import (
    PRESENT,
    Attendance,
    Availability,
    MeetingAnswer,
    MeetingResponse,
    Member,
    MemberSignIn,
    Paper,
    PaperDownload,
    PaperKind,
)
from webapp.models.notifications import (
    CaseView,
    Delivery,
    NewsKind,
    Notification,
    NotificationChoice,
)
from webapp.models.outbox import OutboxMessage, OutboxStatus
from webapp.models.people import Applicant, LoginAttempt, StaffRole, StaffUser
from webapp.models.signing import (
    DocumentKind,
    GroupDocument,
    Meeting,
    MemberRole,
    Membership,
    SigningRequest,
)
from webapp.models.wording import Wording

__all__ = [
    "DMARC_FAILED",
    "PRESENT",
    "Appeal",
    "AppealOutcome",
    "Applicant",
    "ApplicantLink",
    "Application",
    "Attachment",
    "Attendance",
    "Availability",
    "CaseView",
    "Decision",
    "DecisionStatus",
    "Delivery",
    "Discussion",
    "DiscussionStatus",
    "DocumentKind",
    "Draft",
    "EmailKind",
    "EqualityFile",
    "EqualityResponse",
    "EqualityTally",
    "Event",
    "EventChainHead",
    "Group",
    "GroupDocument",
    "GroupKind",
    "InboundEmail",
    "Lease",
    "LoginAttempt",
    "MailboxState",
    "Meeting",
    "MeetingAnswer",
    "MeetingResponse",
    "Member",
    "MemberRole",
    "MemberSignIn",
    "Membership",
    "NewsKind",
    "Note",
    "Notification",
    "NotificationChoice",
    "OutboxMessage",
    "OutboxStatus",
    "Paper",
    "PaperDownload",
    "PaperKind",
    "Referral",
    "SigningRequest",
    "Source",
    "StaffRole",
    "StaffUser",
    "Wording",
]
