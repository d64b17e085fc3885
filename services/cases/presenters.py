"""From rows to API models: one place decides what each audience sees."""

from datetime import date, datetime
from uuid import UUID

from services.cases.desk_views import Customer, QueueResult, Workspace, covered_on
from services.cases.models import Case, CaseChange, CaseMessage, Holding, Person, StaffMember
from services.cases.schemas import (
    CaseDetail,
    CasePublic,
    CaseWorkspace,
    ChangePublic,
    CoveragePublic,
    CustomerFile,
    CustomerSummary,
    MessagePublic,
    PersonPublic,
    QueueCounts,
    QueueItem,
    QueuePage,
    StaffPublic,
)
from services.cases.service import CaseView
from services.cases.workflow import CaseRules, may_reopen, sla_state


def case_public(case: Case, now: datetime, rules: CaseRules) -> CasePublic:
    return CasePublic.model_validate(
        {
            **case.model_dump(),
            "sla_state": sla_state(case, now, rules.policy),
            "may_reopen": may_reopen(case, now, rules),
        }
    )


def message_public(message: CaseMessage, names: dict[UUID, Person]) -> MessagePublic:
    author = names.get(message.author_id)
    return MessagePublic.model_validate(
        {**message.model_dump(), "author_name": author.name if author else None}
    )


def person_public(user_id: UUID, person: Person | None, *, with_locale: bool = False) -> PersonPublic:
    if person is None:
        return PersonPublic(user_id=user_id)
    locale = person.locale if with_locale else None
    return PersonPublic(user_id=user_id, name=person.name, email=person.email, locale=locale)


def case_detail(view: CaseView, now: datetime, rules: CaseRules) -> CaseDetail:
    """A case with its conversation; `view.messages` holds only what the reader may see."""
    return CaseDetail(
        **case_public(view.case, now, rules).model_dump(),
        customer=person_public(view.case.account_id, view.customer),
        messages=[message_public(m, view.names) for m in view.messages],
    )


def coverage_public(holding: Holding, today: date) -> CoveragePublic:
    return CoveragePublic(
        license_id=holding.license_id,
        serial=holding.serial,
        product=holding.product,
        coverage_start=holding.coverage_start,
        coverage_end=holding.coverage_end,
        covered_today=covered_on(holding, today),
        void=holding.void,
    )


def change_public(change: CaseChange, names: dict[UUID, Person]) -> ChangePublic:
    actor = names.get(change.actor_id) if change.actor_id else None
    return ChangePublic.model_validate({**change.model_dump(), "actor_name": actor.name if actor else None})


def case_workspace(space: Workspace, now: datetime, today: date, rules: CaseRules) -> CaseWorkspace:
    case, names = space.view.case, space.view.names
    assignee = None
    if case.assignee_id is not None:
        assignee = person_public(case.assignee_id, names.get(case.assignee_id))
    detail = case_detail(space.view, now, rules).model_dump()
    detail["customer"] = person_public(case.account_id, space.view.customer, with_locale=True)
    return CaseWorkspace(
        **detail,
        assignee=assignee,
        license=coverage_public(space.license, today) if space.license else None,
        history=[change_public(c, names) for c in space.history],
        other_cases=[case_public(c, now, rules) for c in space.other_cases],
    )


def queue_page(result: QueueResult, now: datetime, rules: CaseRules) -> QueuePage:
    def item(case: Case) -> QueueItem:
        customer = result.names.get(case.account_id)
        assignee = result.names.get(case.assignee_id) if case.assignee_id else None
        return QueueItem(
            **case_public(case, now, rules).model_dump(),
            customer_name=customer.name if customer else None,
            assignee_name=assignee.name if assignee else None,
        )

    return QueuePage(
        items=[item(c) for c in result.cases], counts=QueueCounts(**result.counts), total=result.total
    )


def staff_public(member: StaffMember, names: dict[UUID, Person]) -> StaffPublic:
    person = names.get(member.user_id)
    return StaffPublic(
        user_id=member.user_id,
        name=person.name if person else None,
        email=person.email if person else member.email,
        roles=member.roles,
    )


def customer_summary(customer: Customer, today: date) -> CustomerSummary:
    person = customer.person
    return CustomerSummary(
        user_id=customer.user_id,
        name=person.name if person else None,
        email=person.email if person else None,
        locale=person.locale if person else None,
        licenses=[coverage_public(h, today) for h in customer.licenses],
        open_cases=customer.open_cases,
        cases=customer.cases,
    )


def customer_file(customer: Customer, now: datetime, today: date, rules: CaseRules) -> CustomerFile:
    return CustomerFile(
        **customer_summary(customer, today).model_dump(),
        case_list=[case_public(c, now, rules) for c in customer.case_list],
    )
