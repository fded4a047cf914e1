"""Helpers for the agreement, commitment and substitution tests: reporting periods, claims in a known
state, value sets, and files of commitments."""

import io
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from commonweal.delivery import services_returns
from commonweal.delivery.models import (
    Agreement,
    Commitment,
    DeliveryReturn,
    LineStatus,
    ReportingPeriod,
    ReturnLine,
    ReturnState,
)
from commonweal.frameworks.models import Measure, ValueSet
from commonweal.tenancy.selectors import Member

from . import factories
from .conftest import Tenant


def periods_made(agreement: Agreement) -> list[ReportingPeriod]:
    """The agreement's reporting periods, as creating it through the service makes them (a factory does not)."""
    return services_returns.periods_ensure(
        actor=None, member=Member.system(agreement.organisation), agreement=agreement
    )


def claim(commitment: Commitment, quantity: str, status: str = LineStatus.VERIFIED) -> ReturnLine:
    """A line on a submitted return of the commitment's agreement, already in `status`."""
    agreement = commitment.agreement
    delivery_return = DeliveryReturn.objects.create(
        organisation=agreement.organisation,
        agreement=agreement,
        state=ReturnState.SUBMITTED,
        submitted_by=factories.UserFactory.create(),
        narrative="Delivered as claimed.",
    )
    return ReturnLine.objects.create(
        organisation=agreement.organisation,
        delivery_return=delivery_return,
        commitment=commitment,
        quantity=Decimal(quantity),
        status=status,
    )


def value_set_for(tenant: Tenant, values: dict[Measure, str], **adjustments: Any) -> ValueSet:
    """A value set of the tenant's buyer with £ per unit for each measure, attached to its agreement."""
    value_set = factories.ValueSetFactory.create(organisation=tenant.buyer)
    for measure, value in values.items():
        factories.ValueSetEntryFactory.create(
            value_set=value_set, measure_code=measure.code, value_per_unit=Decimal(value), **adjustments
        )
    tenant.agreement.value_set = value_set
    tenant.agreement.save(update_fields=["value_set"])
    return value_set


def measure_in(tenant: Tenant, **kwargs: Any) -> Measure:
    """Another measure in the tenant's agreement's framework version."""
    version = tenant.agreement.framework_version
    return factories.MeasureFactory.create(version=version, organisation=tenant.buyer, **kwargs)


HEADER = ["measure code", "target quantity", "due date", "place code", "beneficiary group"]


def csv_file(
    rows: list[list[str]], name: str = "commitments.csv", header: list[str] | None = None
) -> SimpleUploadedFile:
    lines = [",".join(header or HEADER), *(",".join(row) for row in rows)]
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def xlsx_file(rows: list[list[Any]], name: str = "commitments.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


def date_fields(prefix: str, name: str, when: date | None) -> dict[str, str]:
    """The three boxes of a GOV.UK date input, as a browser posts them."""
    if when is None:
        return {f"{prefix}-{name}_{part}": "" for part in ("day", "month", "year")}
    return {
        f"{prefix}-{name}_day": str(when.day),
        f"{prefix}-{name}_month": str(when.month),
        f"{prefix}-{name}_year": str(when.year),
    }
