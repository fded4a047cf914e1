"""Input and output shapes of the API."""

import json
import re
from decimal import Decimal

from rest_framework import serializers

from commonweal.delivery.models import LineStatus


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


class ReturnLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    commitment = serializers.IntegerField(source="commitment_id")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.ChoiceField(choices=LineStatus.choices)
    reason = serializers.CharField()


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class DeliveryReturnSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    submitted_at = serializers.DateTimeField(source="created_at")
    submitted_by = serializers.EmailField(source="submitted_by.email")
    narrative = serializers.CharField()
    lines = ReturnLineSerializer(many=True)
    evidence = EvidenceSerializer(many=True)


# Plain decimal notation only: no exponents, digit separators or non-ASCII digits.
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


class ReturnSubmitSerializer(serializers.Serializer):
    quantities = serializers.JSONField(
        help_text='Quantities by commitment id, e.g. {"12": "4.5", "13": "0"}; '
        "leave out commitments with nothing to report."
    )
    narrative = serializers.CharField(allow_blank=True)
    evidence = serializers.FileField(required=False)

    def validate_quantities(self, value: object) -> dict[int, object]:
        if isinstance(value, str):  # multipart forms carry the object as a JSON string
            try:
                value = json.loads(value)
            except ValueError:
                raise serializers.ValidationError("Give quantities as a JSON object.") from None
        if not isinstance(value, dict):
            raise serializers.ValidationError("Give quantities as an object of commitment id to quantity.")
        parsed: dict[int, object] = {}
        for key, quantity in value.items():
            shown = str(quantity)[:40]
            if not re.fullmatch(r"\d{1,18}", str(key)):
                raise serializers.ValidationError(f"“{str(key)[:40]}” is not a commitment id.")
            if quantity in (None, ""):
                parsed[int(key)] = None
            elif isinstance(quantity, bool) or not PLAIN_NUMBER.fullmatch(str(quantity).strip()):
                raise serializers.ValidationError(f"Commitment {key}: “{shown}” is not a number.")
            else:
                parsed[int(key)] = Decimal(str(quantity).strip())
        return parsed


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[LineStatus.VERIFIED, LineStatus.REJECTED])
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class MeasureTotalSerializer(serializers.Serializer):
    measure_code = serializers.CharField(source="measure.code")
    measure_title = serializers.CharField(source="measure.title")
    unit = serializers.CharField(source="measure.unit")
    target_quantity = serializers.DecimalField(max_digits=16, decimal_places=2, source="target")
    claimed_quantity = serializers.DecimalField(max_digits=16, decimal_places=2, source="claimed")
    verified_quantity = serializers.DecimalField(max_digits=16, decimal_places=2, source="verified")
