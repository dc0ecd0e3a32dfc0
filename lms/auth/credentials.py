"""Revoking a user's credentials: one function for every event that must end them.

``revoke_credentials`` ends the user's login sessions (all, or all but this browser's), bumps
``User.login_version`` — the *credentials version* every Flask session and every API JWT carries
(``ver`` claim), so both stop working at their next request —, deletes every remembered browser
(``lms.auth.remember``) and, unless told otherwise, revokes the personal access tokens (through
``lms.core.signals.credentials_revoked``: the API domain connects its revocation there).

Who calls it, and what survives:

=====================================  ====================  =========  =================
event                                  this browser          JWTs       personal tokens
=====================================  ====================  =========  =================
password change (``/me``)              stays signed in (*)   revoked    revoked
password reset (the emailed link)      signed in afresh      revoked    revoked
"sign out everywhere" (``/me``)        signed out            revoked    revoked
"sign out everywhere else" (``/me``)   stays signed in (*)   revoked    kept
deactivation (admin)                   —                     revoked    revoked
role change (admin)                    —                     revoked    kept
=====================================  ====================  =========  =================

(*) with a new remember-me cookie when it had one.
"""

from __future__ import annotations

from lms.auth import login_sessions, remember
from lms.auth.models import User
from lms.core import signals


def revoke_credentials(user: User, *, keep_this_browser: bool = False, keep_api_tokens: bool = False) -> dict:
    """End what signs ``user`` in (see the table above); returns counts for the audit log.

    ``keep_this_browser``: the acting browser (``user``'s own) stays signed in, with the new
    credentials version, and with a new remember-me series when it was remembered."""
    keep_id = login_sessions.current_login_session_id() if keep_this_browser else None
    remembered = keep_this_browser and remember.current_series(user) is not None
    ended = login_sessions.end_user_login_sessions(user, except_id=keep_id)
    user.login_version = (user.login_version or 1) + 1
    forgotten = remember.forget_user(user)
    revoked = 0 if keep_api_tokens else sum(signals.answers(signals.credentials_revoked, user))
    if keep_this_browser:
        from flask_login import login_user

        login_user(user, fresh=True)
        if remembered:
            remember.remember(user, keep_id)
    return {"sessions_ended": ended, "remembered_browsers_forgotten": forgotten, "api_tokens_revoked": revoked}
