"""Reads about grants (docs/grants-360giving.md): how many grant agreements an organisation has let."""

from commonweal.tenancy.selectors import Member

from .models import Agreement, AgreementKind


def grant_agreement_count(*, member: Member) -> int:
    """The member's organisation's agreements of kind grant (a supplier or community organisation lets none)."""
    return Agreement.objects.filter(organisation=member.organisation, kind=AgreementKind.GRANT).count()
