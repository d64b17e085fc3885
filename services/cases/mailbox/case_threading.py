"""Which case a mail answers: the signed token in the `support+<token>@…` address it was sent
to, else one in `In-Reply-To` / `References` (clients that reply to the From address, or MTAs
that drop the subaddress). A token that does not verify is no token."""

from uuid import UUID

from services.cases.mailbox.parsing import ParsedMail
from shared.mail_threading import case_of_token, token_of_address, tokens_in_references


def case_answered(mail: ParsedMail, recipients: list[str], support_address: str, secret: str) -> UUID | None:
    tokens = [token_of_address(r, support_address) for r in recipients]
    tokens += tokens_in_references(mail.in_reply_to, mail.references)
    for token in tokens:
        case_id = case_of_token(token, secret) if token else None
        if case_id is not None:
            return case_id
    return None
