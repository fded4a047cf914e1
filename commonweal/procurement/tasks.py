"""Background work for procurement: recording the flags of tenders once their deadline has passed."""

from django_tasks import task

from commonweal.tenancy.selectors import Member

from . import selectors, services_evaluation


@task()
def opened_tenders_flag() -> dict[str, int]:
    """Record the flags the rules raise on every procurement whose tender deadline has passed, each as its
    buyer's system member (what `commonweal procurement open-tenders` does). Returns the count per
    procurement (by id)."""
    return {
        str(procurement.pk): len(
            services_evaluation.flags_refresh(
                actor=None, member=Member.system(procurement.organisation), procurement=procurement
            )
        )
        for procurement in selectors.procurements_with_tenders_opened()
    }
