"""What the soak's clients were answered: every request, its status and the object it was about.

The invariants judge the stack by these records: an answer 2xx means the effect must exist
exactly once; any other answer (a 503 during an outage, a 502 while a service is stopped, a
timeout) means it may exist at most once, since the client cannot know whether it happened.
"""

from collections import Counter
from dataclasses import dataclass, field

UNANSWERED = 0  # no HTTP answer at all: connection refused, reset or timed out
UNAVAILABLE = frozenset({UNANSWERED, 502, 503, 504})


@dataclass(frozen=True)
class Answer:
    op: str
    status: int
    key: str  # what the request was about (email, serial, case subject, …)
    seconds: float
    request_id: str = ""  # the gateway's X-Request-ID, which the service logs under


@dataclass
class Ledger:
    answers: list[Answer] = field(default_factory=list)

    def record(self, op: str, status: int, key: str, seconds: float, request_id: str = "") -> None:
        self.answers.append(Answer(op, status, key, seconds, request_id))

    def keys(self, op: str, *, succeeded: bool) -> set[str]:
        """The objects of `op` answered 2xx (succeeded) or answered otherwise and never 2xx."""
        ok = {a.key for a in self.answers if a.op == op and 200 <= a.status < 300}
        if succeeded:
            return ok
        return {a.key for a in self.answers if a.op == op} - ok

    def succeeded(self, op: str) -> int:
        return sum(1 for a in self.answers if a.op == op and 200 <= a.status < 300)

    def statuses(self) -> Counter[int]:
        return Counter(a.status for a in self.answers)

    def count(self, status: int) -> int:
        return sum(1 for a in self.answers if a.status == status)
