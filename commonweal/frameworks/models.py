"""Social value frameworks: themes → outcomes → measures, held in numbered versions."""

from django.db import models

from commonweal.core.models import TimeStampedModel


class UnitKind(models.TextChoices):
    COUNT = "count", "number"
    FTE = "fte", "full-time equivalents"
    WEEKS = "weeks", "weeks"
    HOURS = "hours", "hours"
    DAYS = "days", "days"
    GBP = "gbp", "£"
    TCO2E = "tco2e", "tonnes CO2e"
    PERCENT = "percent", "%"


class Framework(TimeStampedModel):
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="frameworks")
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="framework_code_unique")]

    def __str__(self) -> str:
        return self.title


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class FrameworkVersion(TimeStampedModel):
    """A published version never changes: agreements pin the version they were made under."""

    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True, help_text="Where the structure comes from.")

    class Meta:
        ordering = ["framework", "-number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="framework_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.framework.title}, version {self.number}"


class Theme(models.Model):
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="themes")
    code = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="theme_code_unique")]

    def __str__(self) -> str:
        return self.title


class Outcome(models.Model):
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="outcomes")
    code = models.CharField(max_length=30)
    title = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.title


class Measure(models.Model):
    organisation = models.ForeignKey("tenancy.Organisation", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="measures")
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="measures")
    code = models.CharField(max_length=30)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=20, choices=UnitKind.choices)
    evidence_required = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="measure_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
