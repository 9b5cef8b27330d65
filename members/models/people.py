"""People: accounts (the custom user), their member types and regions."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class MemberType(models.TextChoices):
    PROVIDER = "provider", "Provider"
    COMMISSIONER = "commissioner", "Commissioner"
    POLICY = "policy", "Policy maker or other"


class Region(models.TextChoices):
    """The nine regions of England."""

    NORTH_EAST = "north-east", "North East"
    NORTH_WEST = "north-west", "North West"
    YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
    EAST_MIDLANDS = "east-midlands", "East Midlands"
    WEST_MIDLANDS = "west-midlands", "West Midlands"
    EAST = "east", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south-east", "South East"
    SOUTH_WEST = "south-west", "South West"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account, identified by email. Their profile lives here too, so
    pages that show authors need no extra join."""

    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150, help_text="How the person is named on the site.")
    job_title = models.CharField(max_length=150, blank=True)
    organisation_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where the person works, as they wrote it (not a membership).",
    )
    member_type = models.CharField(
        "work",
        max_length=20,
        choices=MemberType.choices,
        blank=True,
        help_text="What the person says they do, for a registered person's profile. It opens "
        "nothing: the member type that decides access comes from the membership (the plan, "
        "the organisation or the staff grant).",
    )
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    topics = models.ManyToManyField(
        "network.Topic",
        blank=True,
        related_name="interested_users",
        verbose_name="topics of interest",
    )
    is_staff = models.BooleanField(
        default=False, help_text="Can reach the admin site (after setting up two-factor)."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the person's data was erased. The row stays, holding nothing "
        "personal, so safeguarding and billing records keep a stable pseudonymous "
        'reference ("former member #N").',
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["name", "email"]

    def __str__(self) -> str:
        if self.erased_at is not None:
            return self.pseudonym
        return self.name or self.email

    @property
    def pseudonym(self) -> str:
        """The stable name records keep for this person once erased."""
        return f"Former member #{self.pk}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email
