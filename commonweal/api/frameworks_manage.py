"""API for managing frameworks (a social value lead): start one from a template, import one from a file in
the formats the command line reads, fork a published version, start a draft, add to it, change and
remove its items, publish it, and export a version. Each calls the service the pages call
(`frameworks/services_*.py`)."""

from typing import Any

from django.http import HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.frameworks import interchange, services_interchange, services_versions
from commonweal.frameworks import selectors_versions as selectors
from commonweal.frameworks.models import UnitKind, ValueType
from commonweal.tenancy.permissions import Permission, member_require

from .frameworks import FrameworkVersionSerializer

PARSERS = [JSONParser, MultiPartParser, FormParser]


def _optional_text(max_length: int, help_text: str = "") -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length, allow_blank=True, required=False, default="", help_text=help_text
    )


NOT_A_DRAFT = OpenApiResponse(description="Refused: for example the version is published, or a code is taken.")


class FrameworkCreateInputSerializer(serializers.Serializer):
    template = serializers.CharField(max_length=100, help_text="A shipped template's key (see the templates page).")
    code = serializers.CharField(max_length=100, help_text="Letters, numbers, hyphens and underscores.")
    title = serializers.CharField(max_length=300)


class FrameworkForkInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=300)


class FrameworkImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A framework file: .yaml, .json, .xlsx or .csv, as `commonweal frameworks import` reads."
    )
    code = _optional_text(100, "Default: the file's code.")
    title = _optional_text(300, "Default: the file's title.")


class PublishInputSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=2000, help_text="What changed in this version.")


class ThemeInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=400)
    description = _optional_text(5000)


class OutcomeInputSerializer(ThemeInputSerializer):
    theme_code = serializers.CharField(max_length=100, help_text="The code of the draft's theme it belongs to.")


class MeasureInputSerializer(ThemeInputSerializer):
    outcome_code = serializers.CharField(max_length=100, help_text="The code of the draft's outcome it belongs to.")
    unit = serializers.ChoiceField(choices=UnitKind.choices)
    counting_rule = _optional_text(5000)
    evidence_required = _optional_text(5000)
    value_type = serializers.ChoiceField(choices=ValueType.choices, default=ValueType.ADDITIONAL_SOCIAL)


class ItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    title = serializers.CharField()


def _created(version: Any) -> Response:
    return Response(FrameworkVersionSerializer(version).data, status=status.HTTP_201_CREATED)


def _lead(request: Request, org: str) -> Any:
    return member_require(user=request.user, slug=org, permission=Permission.MANAGE_FRAMEWORKS)


class FrameworkCreateApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=FrameworkCreateInputSerializer,
        responses={201: FrameworkVersionSerializer},
        summary="Start a framework from a shipped template (social value lead)",
        examples=[
            OpenApiExample(
                "From the starter template",
                value={"template": "starter", "code": "local-framework", "title": "Our local framework"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, org: str) -> Response:
        member = _lead(request, org)
        payload = FrameworkCreateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = services_versions.framework_from_template(actor=member.user, member=member, **payload.validated_data)
        return _created(version)


class FrameworkImportApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": FrameworkImportInputSerializer},
        responses={201: FrameworkVersionSerializer, 200: FrameworkVersionSerializer},
        summary="Import a framework file, all or nothing (social value lead)",
        description=(
            "201 with the new published version; 200 with the latest version when the file matches it "
            "(nothing changed). A refused file answers 400 with every problem and its line in `detail`."
        ),
    )
    def post(self, request: Request, org: str) -> Response:
        member = _lead(request, org)
        payload = FrameworkImportInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        document = interchange.document_parse(upload.read(), upload.name or "")
        started = timezone.now()
        version = services_interchange.framework_import(
            actor=member.user,
            member=member,
            document=document,
            code=payload.validated_data["code"] or None,
            title=payload.validated_data["title"] or None,
        )
        answer = status.HTTP_201_CREATED if version.created_at >= started else status.HTTP_200_OK
        return Response(FrameworkVersionSerializer(version).data, status=answer)


class FrameworkForkApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=FrameworkForkInputSerializer,
        responses={201: FrameworkVersionSerializer},
        summary="Copy a published version you can read into a new framework of yours (social value lead)",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = _lead(request, org)
        source = selectors.framework_version_get(member=member, pk=pk)
        payload = FrameworkForkInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = services_versions.framework_fork(
            actor=member.user, member=member, source=source, **payload.validated_data
        )
        return _created(version)


class DraftCreateApi(APIView):
    @extend_schema(
        request=None,
        responses={201: FrameworkVersionSerializer},
        summary="Start a draft version of your framework, copying its latest published version",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = _lead(request, org)
        framework = selectors.framework_owned_get(member=member, pk=pk)
        return _created(services_versions.version_draft_create(actor=member.user, member=member, framework=framework))


class VersionPublishApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=PublishInputSerializer,
        responses={200: FrameworkVersionSerializer},
        summary="Publish a draft: from then on it never changes (social value lead)",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = _lead(request, org)
        version = selectors.version_owned_get(member=member, pk=pk)
        payload = PublishInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        version = services_versions.version_publish(
            actor=member.user, member=member, version=version, notes=payload.validated_data["notes"]
        )
        return Response(FrameworkVersionSerializer(version).data)


def _draft_item(version: Any, model_name: str, code: str, field: str) -> Any:
    """A theme or outcome of `version` by its code, or a 400 naming `field`."""
    item = getattr(version, model_name).filter(code=code).first()
    if item is None:
        raise serializers.ValidationError({field: f"The version has no {model_name[:-1]} with the code {code}"})
    return item


class ThemeAddApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=ThemeInputSerializer, responses={201: ItemOutputSerializer, 400: NOT_A_DRAFT}, summary="Add a theme"
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = _lead(request, org)
        version = selectors.version_owned_get(member=member, pk=pk)
        payload = ThemeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        theme = services_versions.theme_add(actor=member.user, member=member, version=version, **payload.validated_data)
        return Response(ItemOutputSerializer(theme).data, status=status.HTTP_201_CREATED)


class OutcomeAddApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=OutcomeInputSerializer,
        responses={201: ItemOutputSerializer, 400: NOT_A_DRAFT},
        summary="Add an outcome to a theme of a draft",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = _lead(request, org)
        version = selectors.version_owned_get(member=member, pk=pk)
        payload = OutcomeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        theme = _draft_item(version, "themes", data.pop("theme_code"), "theme_code")
        outcome = services_versions.outcome_add(actor=member.user, member=member, theme=theme, **data)
        return Response(ItemOutputSerializer(outcome).data, status=status.HTTP_201_CREATED)


class MeasureAddApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=MeasureInputSerializer,
        responses={201: ItemOutputSerializer, 400: NOT_A_DRAFT},
        summary="Add a measure to an outcome of a draft",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = _lead(request, org)
        version = selectors.version_owned_get(member=member, pk=pk)
        payload = MeasureInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        outcome = _draft_item(version, "outcomes", data.pop("outcome_code"), "outcome_code")
        measure = services_versions.measure_add(actor=member.user, member=member, outcome=outcome, **data)
        return Response(ItemOutputSerializer(measure).data, status=status.HTTP_201_CREATED)


class MeasureUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=400)
    unit = serializers.ChoiceField(choices=UnitKind.choices)
    description = _optional_text(5000)
    counting_rule = _optional_text(5000)
    evidence_required = _optional_text(5000)
    value_type = serializers.ChoiceField(choices=ValueType.choices, default=ValueType.ADDITIONAL_SOCIAL)


class MeasureUpdateApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=MeasureUpdateInputSerializer,
        responses={200: ItemOutputSerializer, 400: NOT_A_DRAFT},
        summary="Change a draft's measure: its wording, unit, rules and value type (its code stays)",
        examples=[
            OpenApiExample(
                "Reworded",
                value={"title": "Local people hired", "unit": "count", "counting_rule": "Count each person once"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = _lead(request, org)
        measure = selectors.measure_owned_get(member=member, pk=pk)
        payload = MeasureUpdateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        measure = services_versions.measure_update(
            actor=member.user, member=member, measure=measure, **payload.validated_data
        )
        return Response(ItemOutputSerializer(measure).data)


class ThemeUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=400)
    description = _optional_text(5000)


class OutcomeUpdateInputSerializer(ThemeUpdateInputSerializer):
    theme_code = serializers.CharField(
        max_length=100, required=False, help_text="Move it to this theme of the same draft (by its code)."
    )


class ThemeUpdateApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=ThemeUpdateInputSerializer,
        responses={200: ItemOutputSerializer, 400: NOT_A_DRAFT},
        summary="Rename or reword a draft's theme (its code stays)",
        examples=[OpenApiExample("Renamed", value={"title": "Good local jobs"}, request_only=True)],
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = _lead(request, org)
        theme = selectors.theme_owned_get(member=member, pk=pk)
        payload = ThemeUpdateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        theme = services_versions.theme_update(actor=member.user, member=member, theme=theme, **payload.validated_data)
        return Response(ItemOutputSerializer(theme).data)


class OutcomeUpdateApi(APIView):
    parser_classes = PARSERS

    @extend_schema(
        request=OutcomeUpdateInputSerializer,
        responses={200: ItemOutputSerializer, 400: NOT_A_DRAFT},
        summary="Rename or reword a draft's outcome, or move it to another of its themes (its code stays)",
        examples=[
            OpenApiExample(
                "Moved", value={"title": "More local people employed", "theme_code": "JOBS"}, request_only=True
            )
        ],
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = _lead(request, org)
        outcome = selectors.outcome_owned_get(member=member, pk=pk)
        payload = OutcomeUpdateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        code = data.pop("theme_code", None)
        theme = _draft_item(outcome.version, "themes", code, "theme_code") if code else None
        outcome = services_versions.outcome_update(
            actor=member.user, member=member, outcome=outcome, theme=theme, **data
        )
        return Response(ItemOutputSerializer(outcome).data)


class ThemeRemoveApi(APIView):
    @extend_schema(
        request=None,
        responses={204: None, 400: NOT_A_DRAFT},
        summary="Remove a draft's theme, with its outcomes and measures",
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = _lead(request, org)
        theme = selectors.theme_owned_get(member=member, pk=pk)
        services_versions.theme_remove(actor=member.user, member=member, theme=theme)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OutcomeRemoveApi(APIView):
    @extend_schema(
        request=None, responses={204: None, 400: NOT_A_DRAFT}, summary="Remove a draft's outcome, with its measures"
    )
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = _lead(request, org)
        outcome = selectors.outcome_owned_get(member=member, pk=pk)
        services_versions.outcome_remove(actor=member.user, member=member, outcome=outcome)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeasureRemoveApi(APIView):
    @extend_schema(request=None, responses={204: None, 400: NOT_A_DRAFT}, summary="Remove a draft's measure")
    def post(self, request: Request, org: str, pk: int) -> Response:
        member = _lead(request, org)
        measure = selectors.measure_owned_get(member=member, pk=pk)
        services_versions.measure_remove(actor=member.user, member=member, measure=measure)
        return Response(status=status.HTTP_204_NO_CONTENT)


EXPORT_FORMAT = OpenApiParameter(
    "file_format",
    str,
    enum=list(interchange.FORMATS),
    description="yaml (the default), json, xlsx or csv: the formats `commonweal frameworks import` reads.",
)


class VersionExportApi(APIView):
    @extend_schema(
        parameters=[EXPORT_FORMAT],
        responses={
            # YAML and JSON hold the document (as `commonweal frameworks export` writes it); XLSX and CSV are files.
            (200, content_type.split(";")[0]): OpenApiTypes.OBJECT if fmt in ("yaml", "json") else OpenApiTypes.BINARY
            for fmt, content_type in interchange.CONTENT_TYPES.items()
        },
        summary="A framework version as a file (value sets only of your own frameworks)",
    )
    def get(self, request: Request, org: str, pk: int) -> HttpResponse:
        member = member_require(user=request.user, slug=org)
        version = selectors.framework_version_get(member=member, pk=pk)
        fmt = request.query_params.get("file_format", "yaml")
        if fmt not in interchange.FORMATS:
            raise serializers.ValidationError({"file_format": "Choose yaml, json, xlsx or csv"})
        owned = version.organisation_id == member.organisation.pk
        response = HttpResponse(
            interchange.version_export(version, fmt, include_value_sets=owned),
            content_type=interchange.CONTENT_TYPES[fmt],
        )
        response["Content-Disposition"] = f'attachment; filename="{interchange.export_filename(version, fmt)}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


urlpatterns: list[URLPattern] = [
    path("organisations/<slug:org>/frameworks/create/", FrameworkCreateApi.as_view(), name="framework-create"),
    path("organisations/<slug:org>/frameworks/import/", FrameworkImportApi.as_view(), name="framework-import"),
    path("organisations/<slug:org>/frameworks/<int:pk>/drafts/", DraftCreateApi.as_view(), name="framework-draft"),
    path(
        "organisations/<slug:org>/framework-versions/<int:pk>/fork/",
        FrameworkForkApi.as_view(),
        name="framework-version-fork",
    ),
    path(
        "organisations/<slug:org>/framework-versions/<int:pk>/publish/",
        VersionPublishApi.as_view(),
        name="framework-version-publish",
    ),
    path(
        "organisations/<slug:org>/framework-versions/<int:pk>/themes/",
        ThemeAddApi.as_view(),
        name="framework-version-theme-add",
    ),
    path(
        "organisations/<slug:org>/framework-versions/<int:pk>/outcomes/",
        OutcomeAddApi.as_view(),
        name="framework-version-outcome-add",
    ),
    path(
        "organisations/<slug:org>/framework-versions/<int:pk>/measures/",
        MeasureAddApi.as_view(),
        name="framework-version-measure-add",
    ),
    path(
        "organisations/<slug:org>/framework-measures/<int:pk>/update/",
        MeasureUpdateApi.as_view(),
        name="framework-measure-update",
    ),
    path(
        "organisations/<slug:org>/framework-themes/<int:pk>/update/",
        ThemeUpdateApi.as_view(),
        name="framework-theme-update",
    ),
    path(
        "organisations/<slug:org>/framework-outcomes/<int:pk>/update/",
        OutcomeUpdateApi.as_view(),
        name="framework-outcome-update",
    ),
    path(
        "organisations/<slug:org>/framework-themes/<int:pk>/remove/",
        ThemeRemoveApi.as_view(),
        name="framework-theme-remove",
    ),
    path(
        "organisations/<slug:org>/framework-outcomes/<int:pk>/remove/",
        OutcomeRemoveApi.as_view(),
        name="framework-outcome-remove",
    ),
    path(
        "organisations/<slug:org>/framework-measures/<int:pk>/remove/",
        MeasureRemoveApi.as_view(),
        name="framework-measure-remove",
    ),
    path(
        "organisations/<slug:org>/framework-versions/<int:pk>/export/",
        VersionExportApi.as_view(),
        name="framework-version-export",
    ),
]
