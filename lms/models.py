"""Imports every model so that SQLAlchemy's metadata (and Alembic) sees the whole schema."""

from lms.api.models import ApiToken  # noqa: F401
from lms.assessments.models import (  # noqa: F401
    Answer,
    Assessment,
    AssessmentExcusal,
    AssessmentMedia,
    Question,
    QuestionTag,
    QuestionVersion,
    QuestionVersionMedia,
    Submission,
    SubmissionEvent,
)
from lms.audit.models import AuditLog  # noqa: F401
from lms.auth.models import (  # noqa: F401
    AccountToken,
    Invitation,
    LoginAttempt,
    LoginCardBatch,
    RememberToken,
    SignInCard,
    User,
    UserSession,
)
from lms.centres.models import Centre, CentreMembership, Room  # noqa: F401
from lms.communication.models import (  # noqa: F401
    Announcement,
    AnnouncementPerson,
    AnnouncementRead,
    Notification,
)
from lms.conversations.models import HelpRequest, Message, MessageSettings, MessageThread  # noqa: F401
from lms.core.models import Organization  # noqa: F401
from lms.curriculum.models import (  # noqa: F401
    CoreSubject,
    Part,
    Section,
    SectionProgress,
    SectionVisit,
    Subject,
    SubjectTeacher,
    Unit,
)
from lms.digest.models import DigestDelivery, DigestOptOut  # noqa: F401
from lms.outbox import JobOutbox  # noqa: F401
from lms.profiles.models import PersonProfile  # noqa: F401
from lms.resources.models import Resource, SectionResource, StoredFile  # noqa: F401
from lms.rewards.models import Badge, BadgeAward, LeaderboardOptOut, PointEntry, RewardSettings  # noqa: F401
from lms.school.models import (  # noqa: F401
    Classroom,
    ClassroomMembership,
    FamilyCode,
    Level,
    ParentLink,
    PromotionBatch,
    PromotionMove,
    StudentProfile,
    TeacherAssignment,
)
from lms.streams.models import (  # noqa: F401
    FilteredWord,
    Stream,
    StreamComment,
    StreamMute,
    StreamPost,
    StreamReaction,
    StreamReport,
)
from lms.teaching.models import (  # noqa: F401
    CourseSession,
    CourseSessionAnnouncement,
    CourseSessionAttendance,
    CourseSessionEnrollment,
    CourseSessionMeeting,
    CourseSessionSettings,
)
