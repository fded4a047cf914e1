"""Input and output shapes of the API."""

import json
import re
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from commonweal.core.dates import date_window_error
from commonweal.delivery.models import DeliveryReturn, LineStatus, ReturnLine, ReturnState
from commonweal.delivery.selectors_returns import is_late


class BoundedDateField(serializers.DateField):
    """A date the API accepts only inside the window every way in shares (`commonweal.core.dates`)."""

    def to_internal_value(self, value: Any) -> Any:
        parsed = super().to_internal_value(value)
        if message := date_window_error(parsed, name="The date"):
            raise serializers.ValidationError(message + ".")
        return parsed


class BoundedDateTimeField(serializers.DateTimeField):
    """A moment the API accepts only on a date inside the same window (`commonweal.core.dates`)."""

    def to_internal_value(self, value: Any) -> Any:
        parsed = super().to_internal_value(value)
        if message := date_window_error(parsed.date(), name="The date"):
            raise serializers.ValidationError(message + ".")
        return parsed


class OrganisationSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = serializers.CharField()


class AgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    title = serializers.CharField()
    buyer = serializers.CharField(source="organisation.slug")
    supplier = serializers.CharField(source="supplier.slug")
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    framework = serializers.CharField(source="framework_version.framework.code")
    framework_version = serializers.IntegerField(source="framework_version.number")


class CommitmentProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="commitment.pk")
    measure_code = serializers.CharField(source="commitment.measure.code")
    measure_title = serializers.CharField(source="commitment.measure.title")
    unit = serializers.CharField(source="commitment.measure.unit")
    due_date = serializers.DateField(source="commitment.due_date")
    target_quantity = serializers.DecimalField(max_digits=14, decimal_places=2, source="target")
    claimed_quantity = serializers.DecimalField(max_digits=14, decimal_places=2, source="claimed")
    verified_quantity = serializers.DecimalField(max_digits=14, decimal_places=2, source="verified")
    status = serializers.CharField()


class AgreementDetailSerializer(AgreementSerializer):
    commitments = CommitmentProgressSerializer(many=True, source="progress")


class ReturnLineEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()
    quantity_before = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    quantity_after = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    actor = serializers.EmailField(source="actor.email")
    created_at = serializers.DateTimeField()


class ReturnLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    commitment = serializers.IntegerField(source="commitment_id")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.ChoiceField(choices=LineStatus.choices)
    reason = serializers.CharField(help_text="The reason for a rejection or the question of a query.")
    evidence_reference = serializers.CharField()
    beneficiary_reference = serializers.CharField()
    note = serializers.CharField()
    evidence = serializers.SerializerMethodField(help_text="Ids of the return's evidence files for this line.")
    evidenced = serializers.SerializerMethodField(help_text="Claimed with at least one evidence file.")
    events = ReturnLineEventSerializer(many=True, help_text="The conversation on the line, oldest first.")

    def get_evidence(self, line: ReturnLine) -> list[int]:
        return sorted(evidence.pk for evidence in line.evidence.all())

    def get_evidenced(self, line: ReturnLine) -> bool:
        return (
            line.delivery_return.state == ReturnState.SUBMITTED
            and line.status != LineStatus.REJECTED
            and bool(self.get_evidence(line))
        )


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class CaseStudySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    commitment = serializers.IntegerField(source="commitment_id", allow_null=True)
    title = serializers.CharField()
    story = serializers.CharField()
    consent_given_by = serializers.CharField()
    consent_date = serializers.DateField()


class DeliveryReturnSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    period = serializers.IntegerField(source="period_id", allow_null=True)
    period_label = serializers.SerializerMethodField()
    state = serializers.ChoiceField(choices=ReturnState.choices)
    late = serializers.SerializerMethodField(help_text="Submitted after the period's return due date.")
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by = serializers.EmailField(source="submitted_by.email")
    narrative = serializers.CharField()
    lines = ReturnLineSerializer(many=True)
    evidence = EvidenceSerializer(many=True)
    case_studies = CaseStudySerializer(many=True)

    def get_period_label(self, delivery_return: DeliveryReturn) -> str:
        return delivery_return.period.label if delivery_return.period else ""

    def get_late(self, delivery_return: DeliveryReturn) -> bool:
        return is_late(delivery_return)


# Plain decimal notation only: no exponents, digit separators or non-ASCII digits.
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


def json_value(value: object, what: str) -> object:
    """Multipart forms carry objects and lists as JSON strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise serializers.ValidationError(f"Give {what} as JSON.") from None
    return value


def quantity_parse(value: object, where: str) -> Decimal | None:
    shown = str(value)[:40]
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not PLAIN_NUMBER.fullmatch(str(value).strip()):
        raise serializers.ValidationError(f"{where}: “{shown}” is not a number.")
    return Decimal(str(value).strip())


class QuantitiesField(serializers.JSONField):
    def to_internal_value(self, data: Any) -> dict[int, Decimal | None]:  # type: ignore[override]
        value: Any = super().to_internal_value(data)  # a multipart form's JSON string is parsed here
        if isinstance(value, str):  # a JSON body may carry the object as a string too
            try:
                value = json.loads(value)
            except ValueError:
                raise serializers.ValidationError("Give quantities as a JSON object.") from None
        if not isinstance(value, dict):
            raise serializers.ValidationError("Give quantities as an object of commitment id to quantity.")
        parsed: dict[int, Decimal | None] = {}
        for key, quantity in value.items():
            if not re.fullmatch(r"\d{1,18}", str(key)):
                raise serializers.ValidationError(f"“{str(key)[:40]}” is not a commitment id.")
            parsed[int(key)] = quantity_parse(quantity, f"Commitment {key}")
        return parsed


REFERENCE_KEYS = ("evidence_reference", "beneficiary_reference", "note")


class FilesField(serializers.ListField):
    """One or more files under one name; a problem is reported on the field itself, not per index."""

    child = serializers.FileField()

    def to_internal_value(self, data: Any) -> list[Any]:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            detail: Any = error.detail
            while isinstance(detail, dict | list) and detail:
                detail = next(iter(detail.values())) if isinstance(detail, dict) else detail[0]
            raise serializers.ValidationError(str(detail)) from None


class ReferencesField(serializers.JSONField):
    def to_internal_value(self, data: Any) -> dict[int, dict[str, str]]:  # type: ignore[override]
        value = json_value(super().to_internal_value(data), "references")
        if not isinstance(value, dict):
            raise serializers.ValidationError("Give references as an object of commitment id to references.")
        parsed: dict[int, dict[str, str]] = {}
        for key, item in value.items():
            if not re.fullmatch(r"\d{1,18}", str(key)):
                raise serializers.ValidationError(f"“{str(key)[:40]}” is not a commitment id.")
            if not isinstance(item, dict) or set(item) - set(REFERENCE_KEYS):
                raise serializers.ValidationError(
                    f"Commitment {key}: give an object with evidence_reference, beneficiary_reference and note."
                )
            if not all(isinstance(text, str) for text in item.values()):
                raise serializers.ValidationError(f"Commitment {key}: references and notes are text.")
            parsed[int(key)] = item
        return parsed


class CaseStudyInputSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    story = serializers.CharField(allow_blank=True)
    consent_given_by = serializers.CharField(allow_blank=True, required=False, default="")
    consent_date = BoundedDateField(required=False, allow_null=True, default=None)
    commitment = serializers.IntegerField(required=False, allow_null=True, default=None)


class CaseStudiesField(serializers.JSONField):
    def to_internal_value(self, data: Any) -> list[dict[str, object]]:
        value = json_value(super().to_internal_value(data), "case studies")
        if not isinstance(value, list):
            raise serializers.ValidationError("Give case studies as a JSON list.")
        items = CaseStudyInputSerializer(data=value, many=True)
        items.is_valid(raise_exception=True)
        return list(items.validated_data)


class ReturnWriteSerializer(serializers.Serializer):
    quantities = QuantitiesField(
        help_text='Quantities by commitment id, e.g. {"12": "4.5", "13": "0"}; leave out commitments with '
        'nothing to report ("" or null removes a line from a draft).'
    )
    references = ReferencesField(
        required=False,
        help_text='Optional, by commitment id: {"12": {"evidence_reference": "TS-104", '
        '"beneficiary_reference": "APP-7", "note": "..."}}. Each reference can be claimed once.',
    )
    narrative = serializers.CharField(allow_blank=True)
    evidence = FilesField(required=False, help_text="Evidence files; each supports every line.")
    case_studies = CaseStudiesField(
        required=False,
        help_text="Optional list of {title, story, consent_given_by, consent_date, commitment}; consent is required.",
    )


class ReturnSubmitSerializer(ReturnWriteSerializer):
    period = serializers.IntegerField(
        required=False,
        help_text="The reporting period's id (see the periods endpoint); by default the earliest that has started "
        "and has no return.",
    )
    submit = serializers.BooleanField(
        required=False, default=True, help_text="false saves a draft, which can be changed and submitted later."
    )


class ReturnUpdateSerializer(ReturnWriteSerializer):
    quantities = QuantitiesField(required=False, help_text="As for creating; lines not named stay as they are.")
    narrative = serializers.CharField(allow_blank=True, required=False)


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[LineStatus.VERIFIED, LineStatus.REJECTED, LineStatus.QUERIED])
    reason = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        help_text="Required to reject (the reason) or to query (the question for the supplier).",
    )


class BulkReviewSerializer(ReviewSerializer):
    line_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=False,
        max_length=500,
        help_text="Ids of the return lines to decide, on any of the organisation's submitted returns (at most 500).",
    )


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True)
    quantity = serializers.CharField(
        required=False, allow_blank=True, help_text="A revised quantity; leave out to keep the one claimed."
    )
    evidence_reference = serializers.CharField(required=False, allow_blank=True)
    beneficiary_reference = serializers.CharField(required=False, allow_blank=True)
    evidence = FilesField(required=False, help_text="More evidence files for the line.")

    def validate_quantity(self, value: str) -> Decimal | None:
        return quantity_parse(value, "Quantity")


class EvidenceUploadSerializer(serializers.Serializer):
    evidence = FilesField(help_text="One or more evidence files.")
    commitments = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Ids of the commitments whose lines the files support; every line when left out.",
    )


class CaseStudyCreateSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    story = serializers.CharField(allow_blank=True)
    consent_given_by = serializers.CharField(allow_blank=True)
    consent_date = serializers.DateField(allow_null=True)
    commitment = serializers.IntegerField(required=False, allow_null=True, default=None)


class BulkReturnSerializer(serializers.Serializer):
    returns_csv = serializers.FileField(help_text="The CSV file (columns as in the template on the returns page).")
    submit = serializers.BooleanField(required=False, default=True, help_text="false saves drafts.")


class BulkSavedSerializer(serializers.Serializer):
    agreement_reference = serializers.CharField()
    buyer = serializers.CharField()
    period = serializers.CharField()
    state = serializers.CharField(help_text="draft, submitted, or unchanged (already submitted with these figures).")
    lines = serializers.IntegerField()


class PeriodSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="period.pk")
    label = serializers.CharField(source="period.label")  # type: ignore[assignment]  # a field, not Field.label
    start_date = serializers.DateField(source="period.start_date")
    end_date = serializers.DateField(source="period.end_date")
    return_due_date = serializers.DateField(source="period.return_due_date")
    status = serializers.CharField()
    delivery_return = serializers.IntegerField(source="delivery_return.pk", allow_null=True, default=None)


class MeasureTotalSerializer(serializers.Serializer):
    measure_code = serializers.CharField(source="measure.code")
    measure_title = serializers.CharField(source="measure.title")
    unit = serializers.CharField(source="measure.unit")
    target_quantity = serializers.DecimalField(max_digits=16, decimal_places=2, source="target")
    claimed_quantity = serializers.DecimalField(max_digits=16, decimal_places=2, source="claimed")
    evidenced_quantity = serializers.DecimalField(max_digits=16, decimal_places=2, source="evidenced")
    verified_quantity = serializers.DecimalField(max_digits=16, decimal_places=2, source="verified")
