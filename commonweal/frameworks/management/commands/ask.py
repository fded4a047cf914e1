"""`commonweal ask --organisation SLUG --value 250000 --category services --months 36`: the proposed ask."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from commonweal.core.errors import ApplicationError
from commonweal.frameworks.models import ContractCategory, SupplierSize
from commonweal.frameworks.proportionality import PART_TITLES, ask_as_dict, ask_part_texts
from commonweal.frameworks.selectors_priorities import ask_for
from commonweal.tenancy.models import Organisation
from commonweal.tenancy.selectors import Member


class Command(BaseCommand):
    help = (
        "Propose the social value ask for a planned procurement from the organisation's proportionality "
        "policy, with the reason for each part. Nothing is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="the organisation's short name (slug)")
        parser.add_argument("--value", required=True, help="estimated contract value in pounds, e.g. 250000")
        parser.add_argument("--category", required=True, choices=ContractCategory.values)
        parser.add_argument("--months", required=True, help="how long the contract runs, in months")
        parser.add_argument(
            "--supplier-size",
            choices=SupplierSize.values,
            default=SupplierSize.ANY,
            help="the expected supplier: sme (or VCSE), large, or any if not known (the default)",
        )
        parser.add_argument("--description", default="", help="what is being bought; used to suggest outcomes")
        parser.add_argument("--json", action="store_true", help="print the ask as JSON, as the API gives it")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation has the short name “{options['organisation']}”.")
        try:
            ask = ask_for(
                member=Member.system(organisation),
                value=options["value"],
                category=options["category"],
                months=options["months"],
                supplier_size=options["supplier_size"],
                description=options["description"],
            )
        except ApplicationError as error:
            details = "; ".join(
                f"--{field.replace('_', '-')}: {message}" for field, message in error.field_errors.items()
            )
            raise CommandError(f"{error.message} {details}".strip()) from None
        if options["json"]:
            self.stdout.write(json.dumps(ask_as_dict(ask), indent=2, ensure_ascii=False))
            return
        texts = ask_part_texts(ask)
        self.stdout.write(
            f"{organisation.name}: the proposed social value ask for a {ask.category} contract worth "
            f"{ask.value_text} over {ask.months} month{'s' if ask.months != 1 else ''}. Nothing is stored.\n"
        )
        for part, reason in ask.reasons:
            self.stdout.write(f"{PART_TITLES[part]}: {texts[part]}")
            self.stdout.write(f"  Why: {reason}\n")
