"""Life after signing: settling what was delivered, admitting and releasing members,
and the term review, from the formation game and the one sharing path.

:func:`settle` recomputes shares on the delivered game and gives the balancing
transfers; :func:`admit` prices a newcomer's admission; :func:`withdraw` settles a
leaving member; :func:`review` evaluates the term (in the style of the Qingdao
performance evaluation) and re-checks the formation profile. See
``docs/after-signing.md``.
"""

from .actuals import Actuals, delivered_agreement, member_delivery, read_actuals
from .admit import Admission, admit, read_newcomer
from .review import Review, review
from .settle import Settlement, payments, settle, shown_transfers
from .withdraw import Withdrawal, progress, withdraw

__all__ = [
    "Actuals",
    "Admission",
    "Review",
    "Settlement",
    "Withdrawal",
    "admit",
    "delivered_agreement",
    "member_delivery",
    "payments",
    "progress",
    "read_actuals",
    "read_newcomer",
    "review",
    "settle",
    "shown_transfers",
    "withdraw",
]
