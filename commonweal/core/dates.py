"""The window of dates Commonweal accepts from people, files and the API, so that one absurd date (year 1 or
year 9999) cannot make thousands of reporting periods or overflow date arithmetic."""

from datetime import date

from .errors import ApplicationError

# Social value practice and its data start in the 1990s (the Local Government Act 1999's best value duty is
# the earliest a council's data goes back); agreements end within a lifetime. Anything outside is a typing
# mistake or an attack.
DATE_EARLIEST = date(1990, 1, 1)
DATE_LATEST = date(2100, 12, 31)


def date_window_text() -> str:
    return f"between {DATE_EARLIEST:%-d %B %Y} and {DATE_LATEST:%-d %B %Y}"


def date_window_error(value: date | None, *, name: str) -> str | None:
    """The message for a date outside the window (None when it is inside, or when there is no date)."""
    if value is None or DATE_EARLIEST <= value <= DATE_LATEST:
        return None
    return f"{name} must be {date_window_text()}"


def date_window_check(value: date | None, *, name: str, field: str) -> None:
    """Raise ApplicationError naming the field when `value` is outside the window."""
    if message := date_window_error(value, name=name):
        raise ApplicationError(message + ".", field_errors={field: message})
