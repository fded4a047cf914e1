"""`commonweal evaluation simulate SCENARIO.yaml [--json]`: try an evaluation model (criteria, weights,
price method) on made-up tenders before publishing it. Reads a file, stores nothing.

Exit codes: 0 for a result; 2 when the file cannot be read or the model is not sound, with a message
naming the problem (e.g. “bids[2].price: must be a number”). The format is in docs/evaluation-methods.md;
commonweal/procurement/data/example-scenario.yaml is an example.
"""

import json
from pathlib import Path
from typing import IO, Any, cast

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from commonweal.core.formatting import money
from commonweal.procurement import scoring

BAD_INPUT = 2


def _refuse(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


def scenario_read(path: Path) -> scoring.ScenarioFile:
    """The scenario in a YAML (or JSON) file, checked as a model; CommandError (exit 2) if it is not."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _refuse(f"{path}: no such file.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise _refuse(f"{path}: cannot be read ({error}).") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise _refuse(f"{path}: not valid YAML{where}: {problem}.") from None
    try:
        loaded = scoring.scenario_from_data(data)
    except scoring.ScenarioError as error:
        raise _refuse(f"{path}:\n" + "\n".join(f"  {problem}" for problem in error.problems)) from None
    problems = scoring.weights_problems(
        loaded.scenario.criteria,
        price_method=loaded.scenario.price_method,
        min_social_value_weight=loaded.min_social_value_weight,
    )
    if problems:
        raise _refuse(f"{path}: the evaluation model is not sound:\n" + "\n".join(f"  {p}" for p in problems))
    return loaded


class Command(BaseCommand):
    help = "Tender evaluation: simulate an evaluation model on made-up tenders before publishing it."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        simulate = actions.add_parser(
            "simulate",
            help="every bidder's points per criterion, total, rank and the winner, and whether social value "
            "changed the winner",
        )
        simulate.add_argument("scenario", type=Path, help="a YAML file: price_method, criteria, bids")
        simulate.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = scenario_read(options["scenario"])
        try:
            result = scoring.evaluate(loaded.scenario)
        except ValueError as error:
            raise _refuse(f"{options['scenario']}: {error}") from None
        if options["json"]:
            self.stdout.write(json.dumps(scoring.result_data(result), indent=2, ensure_ascii=False))
            return
        self.table(loaded.scenario, result)

    def table(self, scenario: scoring.Scenario, result: scoring.Result) -> None:
        console = Console(file=cast(IO[str], self.stdout), width=140, highlight=False)
        per_point = result.price_method == scoring.PRICE_PER_QUALITY_POINT
        table = Table(title=f"Price method: {scoring.PRICE_METHOD_LABELS[result.price_method]}")
        table.add_column("Rank", justify="right")
        table.add_column("Bidder")
        table.add_column("Price", justify="right")
        for criterion in scenario.criteria:
            table.add_column(f"{criterion.code} ({criterion.weight.normalize():f})", justify="right")
        table.add_column("Quality and social value" if per_point else "Total", justify="right")
        if per_point:
            table.add_column("£ per point", justify="right")
        table.add_column("Disqualified")
        for row in result.bids:
            cells = [
                str(row.rank) if row.rank is not None else "–",
                row.bidder,
                money(row.price),
                *(str(row.points[c.code]) if c.code in row.points else "–" for c in scenario.criteria),
                str(row.total) if row.rank is not None else "–",
            ]
            if per_point:
                cells.append(money(row.price_per_quality_point) if row.price_per_quality_point is not None else "–")
            cells.append("; ".join(row.disqualified))
            table.add_row(*cells)
        console.print(table)
        if result.winner:
            console.print(f"Winner: {result.winner}")
        elif result.tied:
            console.print(
                f"No winner: {' and '.join(result.tied)} are tied and the tie-break rules cannot separate them."
            )
        else:
            console.print("No winner: no tender is eligible.")
        without = result.winner_without_social_value or "no single winner"
        if result.social_value_changed_winner:
            console.print(f"Social value changed the winner: without it the winner would be {without}.")
        else:
            console.print(f"Social value did not change the winner (without it: {without}).")
