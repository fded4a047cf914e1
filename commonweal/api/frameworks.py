"""API for frameworks: the frameworks an organisation can read (its own and those shared with its
networks) and one version's themes → outcomes → measures."""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commonweal.frameworks import selectors_versions as selectors
from commonweal.frameworks.models import Framework, FrameworkVersion
from commonweal.tenancy.permissions import member_require

from .pagination import LIST_PARAMETERS, list_response


class FrameworkVersionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.IntegerField()
    status = serializers.CharField(help_text="draft or published")
    published_at = serializers.DateTimeField(allow_null=True)


class FrameworkSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    licence = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field called "source", not Field.source
    template = serializers.CharField(help_text="The shipped template it was made from, if any.")
    owner = serializers.CharField(source="organisation.slug", help_text="The organisation that owns it.")
    shared = serializers.SerializerMethodField(help_text="True if another organisation shares it with yours.")
    versions = serializers.SerializerMethodField(help_text="Newest first; drafts only of your own frameworks.")

    def _owned(self, framework: Framework) -> bool:
        return framework.organisation_id == self.context["organisation"].pk

    def get_shared(self, framework: Framework) -> bool:
        return not self._owned(framework)

    @extend_schema_field(FrameworkVersionSummarySerializer(many=True))
    def get_versions(self, framework: Framework) -> list[dict[str, Any]]:
        versions = sorted(framework.versions.all(), key=lambda version: -version.number)
        if not self._owned(framework):
            versions = [version for version in versions if version.is_published]
        data: list[dict[str, Any]] = FrameworkVersionSummarySerializer(versions, many=True).data  # type: ignore[assignment]
        return data


VERIFICATION_HELP = "How far the item was checked against its source: verified, third_party, unconfirmed or local."


class MeasureSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    unit = serializers.CharField(help_text="count, fte, weeks, hours, days, gbp, tco2e or percent")
    counting_rule = serializers.CharField()
    evidence_required = serializers.CharField()
    value_type = serializers.CharField(help_text="local_economic or additional_social")
    verification = serializers.CharField(help_text=VERIFICATION_HELP)
    source_note = serializers.CharField()


class OutcomeNodeSerializer(serializers.Serializer):
    """An outcome of the version's tree (`selectors.OutcomeNode`) with its measures."""

    code = serializers.CharField(source="outcome.code")
    title = serializers.CharField(source="outcome.title")
    description = serializers.CharField(source="outcome.description")
    verification = serializers.CharField(source="outcome.verification", help_text=VERIFICATION_HELP)
    source_note = serializers.CharField(source="outcome.source_note")
    measures = MeasureSerializer(many=True)


class ThemeNodeSerializer(serializers.Serializer):
    """A theme of the version's tree (`selectors.ThemeNode`) with its outcomes."""

    code = serializers.CharField(source="theme.code")
    title = serializers.CharField(source="theme.title")
    description = serializers.CharField(source="theme.description")
    verification = serializers.CharField(source="theme.verification", help_text=VERIFICATION_HELP)
    source_note = serializers.CharField(source="theme.source_note")
    outcomes = OutcomeNodeSerializer(many=True)


class FrameworkVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    framework = serializers.CharField(source="framework.code")
    framework_title = serializers.CharField(source="framework.title")
    owner = serializers.CharField(source="framework.organisation.slug")
    number = serializers.IntegerField()
    status = serializers.CharField(help_text="draft or published")
    published_at = serializers.DateTimeField(allow_null=True)
    source = serializers.CharField()  # type: ignore[assignment]  # a field called "source", not Field.source
    notes = serializers.CharField()
    themes = serializers.SerializerMethodField()

    @extend_schema_field(ThemeNodeSerializer(many=True))
    def get_themes(self, version: FrameworkVersion) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = ThemeNodeSerializer(selectors.version_tree(version=version), many=True).data  # type: ignore[assignment]
        return data


class FrameworkListApi(APIView):
    @extend_schema(
        responses=FrameworkSerializer(many=True),
        parameters=LIST_PARAMETERS,
        summary="Frameworks you own or that are shared with you",
    )
    def get(self, request: Request, org: str) -> Response:
        member = member_require(user=request.user, slug=org)
        frameworks = selectors.framework_list(member=member).prefetch_related("versions")
        context = {"organisation": member.organisation}
        return list_response(request, frameworks, FrameworkSerializer, context=context)


class FrameworkVersionDetailApi(APIView):
    @extend_schema(responses=FrameworkVersionSerializer, summary="A framework version: themes, outcomes, measures")
    def get(self, request: Request, org: str, pk: int) -> Response:
        member = member_require(user=request.user, slug=org)
        version = selectors.framework_version_get(member=member, pk=pk)
        return Response(FrameworkVersionSerializer(version).data)
