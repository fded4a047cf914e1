"""LM3, the local multiplier: how much each pound an organisation spends goes round the local economy.

The method is the New Economics Foundation's, from "The Money Trail: Measuring your impact on the local
economy using LM3" (Justin Sacks, NEF and the Countryside Agency, 2002), as summarised in the project's
reference notes (social-value-models.md, section 5):

- Round 1 (R1): the money entering the study, here the organisation's spend in the period;
- Round 2 (R2): how much of it is spent locally, here the spend with suppliers classified local;
- Round 3 (R3): how those local suppliers re-spend it locally, on local suppliers and on local staff,
  found by surveying them;
- LM3 = (R1 + R2 + R3) / R1. An LM3 of 1.50 means each £1 generated another 50p in the area; it lies
  between 1 and 3 when the rounds do not grow.

Round 3 here: each local supplier's round 2 receipts times the shares it reported in the survey (the
share of its income spent with local suppliers plus the share paid to local staff). A local supplier
that did not answer is given the mean of the answers of those that did (an unweighted mean of the
survey returns, as the method averages survey totals). Answers from suppliers that were not paid
locally in the period do not count towards the mean.

Staff surveys (employees of a supplier saying what share of their pay they spend locally) measure what
happens to the local staff pay counted in round 3: that is the next round of the money's journey, so it
is worked out and shown where staff were surveyed, but it is not added into LM3, which stops at round 3
by definition.

Everything is Decimal: shares are fractions from 0 to 1, money is summed unrounded and rounded to the
penny once, and LM3 is given to 3 decimal places.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from commonweal.core.formatting import money, percent_of_fraction

ZERO = Decimal("0")
ONE = Decimal("1")
PENNY = Decimal("0.01")
LM3_PLACES = Decimal("0.001")
SHARE_PLACES = Decimal("0.0001")
METHOD_SOURCE = (
    "New Economics Foundation, “The Money Trail: Measuring your impact on the local economy using LM3” "
    "(J. Sacks, NEF and the Countryside Agency, 2002)"
)


@dataclass(frozen=True)
class Receipt:
    """What one local supplier received from the organisation in the period (its round 2 money)."""

    supplier_id: int
    name: str
    amount: Decimal


@dataclass(frozen=True)
class SupplierAnswer:
    """A supplier's survey answer: shares of its income spent with local suppliers and paid to local staff."""

    respondent: str
    supplier_id: int | None
    local_supplier_share: Decimal
    local_staff_share: Decimal


@dataclass(frozen=True)
class StaffAnswer:
    """A supplier's employee's survey answer: the share of their pay they spend locally."""

    respondent: str
    supplier_id: int | None
    local_respend_share: Decimal


@dataclass(frozen=True)
class Step:
    """One line of the workings: a figure and how it was found."""

    name: str
    figure: str
    how: str


@dataclass(frozen=True)
class SupplierRound3:
    """One local supplier's part of round 3."""

    supplier_id: int
    name: str
    receipts: Decimal
    local_supplier_share: Decimal
    local_staff_share: Decimal
    answered: bool  # False: the mean of the answers was used
    respend_with_suppliers: Decimal  # unrounded
    respend_on_staff: Decimal  # unrounded

    @property
    def respend(self) -> Decimal:
        return (self.respend_with_suppliers + self.respend_on_staff).quantize(PENNY, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Lm3Result:
    round1: Decimal
    round2: Decimal
    round3: Decimal
    round3_with_suppliers: Decimal
    round3_on_staff: Decimal
    lm3: Decimal | None  # None when round 1 is not above zero
    mean_local_supplier_share: Decimal | None  # None when no usable supplier answered
    mean_local_staff_share: Decimal | None
    suppliers: list[SupplierRound3]
    answers_used: int
    answers_not_used: list[tuple[str, str]]  # (respondent, why)
    staff_respend: Decimal | None  # the next round, where staff were surveyed; not part of LM3
    staff_answers: int
    steps: list[Step] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether round 3 rests on survey answers (without any, round 3 is £0 and LM3 understated)."""
        return self.mean_local_supplier_share is not None


def _money(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def _pence(pounds: Decimal) -> str:
    return f"{(pounds * 100).normalize():f}p"


def _mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, ZERO) / len(values)


def lm3_calculate(
    *,
    round1: Decimal,
    receipts: Sequence[Receipt],
    supplier_answers: Sequence[SupplierAnswer],
    staff_answers: Sequence[StaffAnswer] = (),
    period: str = "the period",
) -> Lm3Result:
    """LM3 from round 1 (the spend in the period), each local supplier's receipts and the survey answers."""
    for answer in supplier_answers:
        for share in (answer.local_supplier_share, answer.local_staff_share):
            if not ZERO <= share <= ONE:
                raise ValueError(f"{answer.respondent}: a share must be from 0 to 1, not {share}.")
        if answer.local_supplier_share + answer.local_staff_share > ONE:
            raise ValueError(f"{answer.respondent}: the shares add up to more than all of the income.")
    round2 = sum((receipt.amount for receipt in receipts), ZERO)
    local_ids = {receipt.supplier_id for receipt in receipts}

    by_supplier: dict[int, list[SupplierAnswer]] = defaultdict(list)
    usable: list[SupplierAnswer] = []
    not_used: list[tuple[str, str]] = []
    for answer in supplier_answers:
        if answer.supplier_id is None:
            usable.append(answer)  # not linked to a supplier: it still tells us how local firms re-spend
        elif answer.supplier_id in local_ids:
            usable.append(answer)
            by_supplier[answer.supplier_id].append(answer)
        else:
            not_used.append((answer.respondent, f"not a local supplier paid in {period}"))
    mean_suppliers = _mean([answer.local_supplier_share for answer in usable]) if usable else None
    mean_staff = _mean([answer.local_staff_share for answer in usable]) if usable else None

    rows: list[SupplierRound3] = []
    for receipt in receipts:
        answers = by_supplier.get(receipt.supplier_id)
        if answers:
            supplier_share = _mean([answer.local_supplier_share for answer in answers])
            staff_share = _mean([answer.local_staff_share for answer in answers])
        else:
            supplier_share, staff_share = mean_suppliers or ZERO, mean_staff or ZERO
        rows.append(
            SupplierRound3(
                supplier_id=receipt.supplier_id,
                name=receipt.name,
                receipts=receipt.amount,
                local_supplier_share=supplier_share,
                local_staff_share=staff_share,
                answered=bool(answers),
                respend_with_suppliers=receipt.amount * supplier_share,
                respend_on_staff=receipt.amount * staff_share,
            )
        )
    with_suppliers = sum((row.respend_with_suppliers for row in rows), ZERO)
    on_staff = sum((row.respend_on_staff for row in rows), ZERO)
    round3 = _money(with_suppliers + on_staff)
    round1, round2 = _money(round1), _money(round2)
    lm3 = ((round1 + round2 + round3) / round1).quantize(LM3_PLACES, rounding=ROUND_HALF_UP) if round1 > 0 else None

    # Staff re-spend: each surveyed supplier's local staff pay times its staff's mean local re-spend share.
    staff_by_supplier: dict[int, list[Decimal]] = defaultdict(list)
    for staff in staff_answers:
        if not ZERO <= staff.local_respend_share <= ONE:
            raise ValueError(f"{staff.respondent}: a share must be from 0 to 1, not {staff.local_respend_share}.")
        if staff.supplier_id is not None and staff.supplier_id in local_ids:
            staff_by_supplier[staff.supplier_id].append(staff.local_respend_share)
        else:
            not_used.append((staff.respondent, f"does not work for a local supplier paid in {period}"))
    staff_respend = (
        _money(
            sum(
                (row.respend_on_staff * _mean(staff_by_supplier[row.supplier_id]) for row in rows),
                ZERO,
            )
        )
        if staff_by_supplier
        else None
    )

    answered = sum(1 for row in rows if row.answered)
    steps = [
        Step("Round 1", money(round1), f"All spend in {period}, net of credits, redacted payments included."),
        Step(
            "Round 2",
            money(round2),
            f"Spend with the {len(rows)} suppliers classified local. Spend with suppliers whose location is "
            "not known is not counted as local.",
        ),
    ]
    if mean_suppliers is not None and mean_staff is not None:
        steps.append(
            Step(
                "Mean survey answer",
                f"{percent_of_fraction(mean_suppliers)} + {percent_of_fraction(mean_staff)}",
                f"The unweighted mean of {len(usable)} supplier answers: "
                f"{percent_of_fraction(mean_suppliers)} of income spent with local suppliers and "
                f"{percent_of_fraction(mean_staff)} paid to local staff. It is used for "
                f"the {len(rows) - answered} local suppliers that did not answer.",
            )
        )
    else:
        steps.append(
            Step(
                "Mean survey answer",
                "none",
                "No local supplier has answered the survey, so round 3 cannot be estimated and is taken as £0: "
                "LM3 is understated until answers are added.",
            )
        )
    steps += [
        Step(
            "Round 3",
            money(round3),
            f"Each local supplier's round 2 receipts times the share it re-spends locally: "
            f"{money(with_suppliers)} with local suppliers and {money(on_staff)} paid to local staff "
            f"({answered} suppliers from their own answers, {len(rows) - answered} from the mean).",
        ),
        Step(
            "LM3",
            f"{lm3:f}" if lm3 is not None else "not given",
            (
                f"(R1 + R2 + R3) ÷ R1 = ({money(round1)} + {money(round2)} + {money(round3)}) ÷ "
                f"{money(round1)}. Each £1 spent generated another {_pence(lm3 - ONE)} in the local economy."
                if lm3 is not None
                else "Round 1 is £0 or less, so there is nothing to multiply."
            ),
        ),
    ]
    if staff_respend is not None:
        steps.append(
            Step(
                "Staff re-spend (not in LM3)",
                money(staff_respend),
                f"Where a supplier's staff were surveyed ({len(staff_answers)} answers): its local staff pay "
                "times the mean share its staff say they spend locally. This is the next round of the money's "
                "journey, so it is shown but not added to LM3.",
            )
        )
    return Lm3Result(
        round1=round1,
        round2=round2,
        round3=round3,
        round3_with_suppliers=_money(with_suppliers),
        round3_on_staff=_money(on_staff),
        lm3=lm3,
        mean_local_supplier_share=mean_suppliers.quantize(SHARE_PLACES) if mean_suppliers is not None else None,
        mean_local_staff_share=mean_staff.quantize(SHARE_PLACES) if mean_staff is not None else None,
        suppliers=rows,
        answers_used=len(usable),
        answers_not_used=not_used,
        staff_respend=staff_respend,
        staff_answers=len(staff_answers),
        steps=steps,
    )
