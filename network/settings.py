"""Settings for the English Residential Network portal.

One file for every environment. With nothing set it runs on the embedded default:
SQLite under var/, Celery tasks run eagerly in-process, emails written as files under
var/mail/. Each integration switches on from its own environment variable; what must
differ in production comes from the environment, and a production start (DEBUG off)
without a required value fails loudly. `.env.example` lists every variable.

https://docs.djangoproject.com/en/5.2/ref/settings/
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A developer's own .env is read when present; real deployments set the environment.
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")

# Local state of the embedded default: database, uploaded files and outgoing mail.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)


def required(name: str) -> str:
    """A value production cannot run without; the embedded default never asks."""
    value = env(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (see .env.example).")
    return value


SECRET_KEY = (
    required("SECRET_KEY")
    if not DEBUG
    else env("SECRET_KEY", default="embedded-default-only-never-in-production-4f8a1c")
)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if not DEBUG else ["127.0.0.1", "localhost", "testserver"]
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

# The public address of the site, used to build absolute links in emails and feeds.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "English Residential Network"
SITE_ID = 1

FORM_RENDERER = "network.forms.FormRenderer"

INSTALLED_APPS = [
    # Our apps come first so their templates override those of the libraries.
    "network",
    "members",
    "practice_library",
    "forum",
    "events",
    "newsletter",
    "sector_data",
    "insight",
    "django.contrib.admin",
    "django.forms",  # Django's form templates, for the project's FORM_RENDERER
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "anymail",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "network.middleware.RequestLogMiddleware",
    "network.middleware.SecurityHeadersMiddleware",
    "network.middleware.ContentSecurityPolicyMiddleware",
    # The load balancer's liveness check needs nothing below, only the headers above.
    "network.middleware.LivenessMiddleware",
    # The visitors' home page, kept whole in the cache, needs only CSRF (it runs it).
    "network.middleware.VisitorHomeMiddleware",
    # Outside everything that writes a page but the kept visitors' home: that page is
    # 5 kB, served for a fraction of a millisecond, and compressing it would cost a
    # quarter of that again (bench/load.py, one run each: 0.78 of the bare view's rate
    # sent plain, 0.46 compressed).
    "network.middleware.TextCompressionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Pages for signed-in people are theirs alone: no shared cache may keep them.
    "network.middleware.PrivatePagesMiddleware",
    # Deny by default: every view needs a login unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "network.middleware.UserSessionActivityMiddleware",
    "members.middleware.StaffTwoFactorMiddleware",
    "forum.middleware.ModeratorTwoFactorMiddleware",
]

ROOT_URLCONF = "network.urls"
WSGI_APPLICATION = "network.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "network.context_processors.site",
                "members.context_processors.membership",
                "forum.context_processors.forum",
            ],
        },
    },
]

# ------------------------------------------------------------------------------
# Database and cache
# ------------------------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'network.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction pooling mode, one session may serve another
    # process's next transaction, so no cursor may outlive its transaction: the few
    # .iterator() loops read in chunks with client-side cursors instead.
    # https://docs.djangoproject.com/en/5.2/ref/databases/#transaction-pooling-server-side-cursors
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DATABASE_TRANSACTION_POOLING", default=False
    )
USING_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if not USING_POSTGRES:
    # SQLite creates the file but not its folder.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Transactions take the write lock when they begin, so two writers at once queue
    # (up to the timeout) instead of one failing with "database is locked" when both
    # try to turn a read into a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Seconds the home page's sections that every visitor sees stay in the cache (they are
# dropped at once when a resource, an event or a newsletter changes; network/home_cache.py).
HOME_PUBLIC_CACHE_SECONDS = env.int("HOME_PUBLIC_CACHE_SECONDS", default=60)

REDIS_URL = env("REDIS_URL", default="")
# Rate limits and sessions need a cache shared by every process, so Redis in service mode.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "network.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="network"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ------------------------------------------------------------------------------
# Accounts: django-allauth with mandatory email verification and MFA
# https://docs.allauth.org/en/latest/account/configuration.html
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:account"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
# The person is told by email of a changed password, an address changed (at the old
# address too) or removed, and two-factor turned on or off: what someone who took over
# the account would do first.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# No page may reveal whether an address has an account.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[English Residential Network] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
# allauth's forms with the site's error messages and labels (members/account_forms.py).
ACCOUNT_FORMS = {
    name: f"members.account_forms.{form}"
    for name, form in {
        "login": "LoginForm",
        "signup": "SignupForm",
        "add_email": "AddEmailForm",
        "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
        "change_password": "ChangePasswordForm",
        "set_password": "SetPasswordForm",
        "reauthenticate": "ReauthenticateForm",
    }.items()
}
# allauth's defaults for login, signup and reset, plus our own actions that reuse
# its limiter (and its reading of the client IP behind the proxy).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # allauth's 5 per 5 minutes per account alone would let rotating addresses try 1,440
    # passwords a day against one account; NIST SP 800-63B (5.2.2) asks for at most 100
    # failures in a row. A password reset lifts the limit, so its owner is never shut out
    # for the day: the refusal says so (members.adapters).
    "login_failed": "10/m/ip,5/300s/key,30/d/key",
    "signup": "20/m/ip",
    # allauth's 5 a minute per address, from ever-changing IP addresses, would let
    # anyone send one inbox 7,200 reset emails a day from the site: at most 10 an hour.
    "reset_password": "20/m/ip,5/m/key,10/h/key",
    "reset_password_from_key": "20/m/ip",
    "contact": env("RATE_LIMIT_CONTACT", default="5/h/ip"),
}
# One reverse proxy (the load balancer) sits in front of the web processes in production.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)

MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = SITE_NAME
# The second step of signing in says which ways in the person has (recovery codes too).
MFA_FORMS = {"authenticate": "members.account_forms.TwoFactorAuthenticateForm"}
# WebAuthn needs a secure origin; http://127.0.0.1 is allowed only on the embedded default.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
USERSESSIONS_TRACK_ACTIVITY = True
# How often a session's "last seen" (time, IP address, browser) is written at most
# (network.middleware.UserSessionActivityMiddleware).
USERSESSIONS_SEEN_EVERY_SECONDS = env.int("USERSESSIONS_SEEN_EVERY_SECONDS", default=300)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# ------------------------------------------------------------------------------
# Security headers and cookies (aiming at an HTTP Observatory A+)
# https://docs.djangoproject.com/en/5.2/ref/middleware/#module-django.middleware.security
# ------------------------------------------------------------------------------
SECURE_HSTS_SECONDS = 31536000 if not DEBUG else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Required by check --deploy; submitting the domain to the preload list is a separate step.
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if not DEBUG else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Health checks come from the load balancer over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# `__Host-` cookies must be Secure, so the embedded default (plain http) uses plain names.
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_COOKIES else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_COOKIES else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
# Failed checks answer in the site's layout, with what the form carried shown back.
CSRF_FAILURE_VIEW = "network.views.csrf_failure"

STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"
# The Customer Portal; browsers apply form-action to the redirect after our form's POST.
STRIPE_PORTAL_ORIGIN = "https://billing.stripe.com"
# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF, STRIPE_CHECKOUT_ORIGIN, STRIPE_PORTAL_ORIGIN],
    }
}

# ------------------------------------------------------------------------------
# Internationalisation
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
# The project's catalog puts allauth's Title Case English ("Sign In", "Remember Me") into
# the sentence case the rest of the site uses; it wins over the libraries' catalogs.
# https://docs.djangoproject.com/en/5.2/topics/i18n/translation/#how-django-discovers-translations
LOCALE_PATHS = [BASE_DIR / "locale"]
# Times in the 24-hour clock everywhere, the admin included (network/formats/en_GB).
FORMAT_MODULE_PATH = ["network.formats"]
USE_TZ = True

# ------------------------------------------------------------------------------
# Static and uploaded files
# https://whitenoise.readthedocs.io/en/stable/django.html
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Uploads are never served from a public URL: members reach them only through views
# that ask the access policy. MEDIA_URL is therefore not routed anywhere.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"
# Uploaded files: on this machine's disk by default; in S3-compatible object storage
# (AWS S3, MinIO, ...) when AWS_STORAGE_BUCKET_NAME is set, so that every web node and
# worker reads and writes the same files. "protected" holds everything members upload
# (library and forum attachments, forum images, event slides, datasets); the bucket stays
# private (no public ACL, no public URL) and downloads go through views that ask the
# access policy.
# https://docs.djangoproject.com/en/5.2/ref/settings/#storages
# https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
# Seconds a presigned download link to object storage stays valid; 0 (the default)
# streams every download through the web process instead of redirecting to the bucket.
PROTECTED_FILE_REDIRECT_SECONDS = env.int("PROTECTED_FILE_REDIRECT_SECONDS", default=0)


# MinIO and other S3-compatible services: their address, and often "path" addressing.
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE", default=None)
# The bucket's keys; unset, boto3 looks further (an instance role, ~/.aws).
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)


def object_storage(location: str, **options) -> dict:
    """A private S3 storage under one prefix of the bucket (options: the tests' S3)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "location": location,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "region_name": AWS_S3_REGION_NAME,
            "addressing_style": AWS_S3_ADDRESSING_STYLE,
            "access_key": AWS_ACCESS_KEY_ID,
            "secret_key": AWS_SECRET_ACCESS_KEY,
            "signature_version": "s3v4",
            # No ACL: objects are as private as the bucket, which never allows public reads.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": PROTECTED_FILE_REDIRECT_SECONDS or 60,
            # Names are random; never replace a stored file by another of the same name.
            "file_overwrite": False,
            **options,
        },
    }


STORAGES = {
    "default": (
        object_storage("media")
        if AWS_STORAGE_BUCKET_NAME
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "protected": (
        object_storage("protected")
        if AWS_STORAGE_BUCKET_NAME
        else {"BACKEND": "network.files.ProtectedStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

# django-sendfile2 (files on the local disk only): X-Accel-Redirect behind nginx, X-Sendfile
# behind Apache, else streamed.
# https://django-sendfile2.readthedocs.io/
SENDFILE_BACKEND = env("SENDFILE_BACKEND", default="django_sendfile.backends.simple")
SENDFILE_ROOT = str(MEDIA_ROOT / "protected")
SENDFILE_URL = env("SENDFILE_URL", default="/protected")

# ------------------------------------------------------------------------------
# Email
# https://docs.djangoproject.com/en/5.2/topics/email/ and https://anymail.dev/
# ------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="English Residential Network <hello@network.example.org>"
)
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Where contact-form messages and alerts for staff go.
STAFF_NOTIFICATION_EMAILS = env.list(
    "STAFF_NOTIFICATION_EMAILS", default=["team@network.example.org"]
)
EMAIL_FILE_PATH = Path(env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail")))
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
# An email service through django-anymail: EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend
EMAIL_BACKEND = env("EMAIL_BACKEND", default=EMAIL_BACKEND)
ANYMAIL = env.json("ANYMAIL", default={})
# The email service whose webhooks (bounces, complaints, inbound unsubscribes) are mounted
# at /anymail/<service>/...: by default the one EMAIL_BACKEND names, else Postmark.
ANYMAIL_WEBHOOK_ESP = env(
    "ANYMAIL_WEBHOOK_ESP",
    default=EMAIL_BACKEND.split(".")[2]
    if EMAIL_BACKEND.startswith("anymail.backends.")
    else "postmark",
)
# Bounce and complaint webhooks suppress addresses: in production they must be authenticated.
if not DEBUG and EMAIL_BACKEND.startswith("anymail.") and not ANYMAIL.get("WEBHOOK_SECRET"):
    raise ImproperlyConfigured('Set ANYMAIL={"WEBHOOK_SECRET": "user:password", ...}.')
EMAIL_TIMEOUT = 30

# ------------------------------------------------------------------------------
# Celery: no lost work
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# ------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Without Redis the tasks run in-process, right where they are enqueued.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# Acknowledge after the work is done, and put the task back if the worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 15 * 60
CELERY_TASK_TIME_LIMIT = 20 * 60
# Redis re-delivers an unacknowledged task after this long, so it must be longer than
# the longest task (the hard time limit above).
CELERY_VISIBILITY_TIMEOUT = 60 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# On deploy a worker finishes what it is doing before it stops (Celery 5.5 soft shutdown).
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 60.0
CELERY_WORKER_ENABLE_SOFT_SHUTDOWN_ON_IDLE = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
# How many times one task may be delivered before it is given up as poisoned.
CELERY_MAX_DELIVERIES = env.int("CELERY_MAX_DELIVERIES", default=5)

# The beat schedule, in one place. Each entry says when it runs and why.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Sessions past their expiry clutter the table and the user-sessions list.
    "clear-expired-sessions": {
        "task": "network.tasks.sessions_clear_expired",
        "schedule": crontab(hour=3, minute=10),
    },
    # Library resources scheduled for publication go live within five minutes of their time.
    "library-publish-scheduled": {
        "task": "practice_library.tasks.resources_publish_scheduled",
        "schedule": crontab(minute="*/5"),
    },
    # Newsletter: start scheduled editions within a minute of their time (polling, not
    # Celery ETA tasks, which Redis would redeliver after its visibility timeout).
    "newsletter-send-due": {
        "task": "newsletter.tasks.editions_send_due",
        "schedule": crontab(minute="*"),
    },
    # Newsletter: every NEWSLETTER_SWEEP_SECONDS, return deliveries whose worker died (lease
    # expired) to the queue and restart sending of editions whose chain of chunk tasks
    # broke. With the short lease, a killed worker delays a send by under 30 s.
    "newsletter-sweep": {
        "task": "newsletter.tasks.deliveries_sweep",
        "schedule": timedelta(seconds=env.int("NEWSLETTER_SWEEP_SECONDS", default=10)),
    },
    # Digests: every morning, the previous day's new resources and active threads, per
    # subscriber's topics; each period is made once however often beat fires.
    "newsletter-daily-digest": {
        "task": "newsletter.tasks.digest_start",
        "schedule": crontab(hour=6, minute=30),
        "args": ["daily"],
    },
    # Digests: Monday mornings, the past week's new and most-read resources, busiest threads.
    "newsletter-weekly-digest": {
        "task": "newsletter.tasks.digest_start",
        "schedule": crontab(hour=6, minute=45, day_of_week="mon"),
        "args": ["weekly"],
    },
    # Newsletter: hourly, delete sign-ups never confirmed within the link's lifetime.
    "newsletter-expire-unconfirmed": {
        "task": "newsletter.tasks.subscribers_expire_unconfirmed",
        "schedule": crontab(minute=25),
    },
    # Billing: every five minutes, re-apply Stripe events that failed, were never picked
    # up, or wait for the person or organisation they concern.
    "billing-events-retry": {
        "task": "members.tasks.stripe_events_retry",
        "schedule": crontab(minute="*/5"),
    },
    # Billing: nightly, compare every subscription with Stripe (missed webhooks) and fetch
    # the events Stripe could not deliver.
    "billing-reconcile": {
        "task": "members.tasks.subscriptions_reconcile",
        "schedule": crontab(hour=4, minute=20),
    },
    # Billing: each morning, "ending soon" reminders (BILLING_ENDING_REMINDER_DAYS ahead)
    # and any "membership ended" notice a down worker missed.
    "billing-reminders": {
        "task": "members.tasks.membership_reminders_send",
        "schedule": crontab(hour=8, minute=30),
    },
    # Organisations: hourly, begin or end the notice for seats beyond those paid for where
    # nothing else did (a staff grant ended, an invitation expired), and tell people whose
    # seat stopped giving access when the notice ended.
    "organisation-seats-over": {
        "task": "members.organisations.tasks.seats_over_sweep",
        "schedule": crontab(minute=40),
    },
    # Forum: the daily summary of followed threads, early morning, for members who chose
    # it (skipped while the newsletter's daily digest carries it instead).
    "forum-daily-summaries": {
        "task": "forum.tasks.daily_summaries_send",
        "schedule": crontab(hour=6, minute=30),
    },
    # Events: every five minutes, reminders a week and an hour before each event (each
    # sent once: a row per registrant and reminder), waiting-list offers past their time
    # passed on, and emails to registrants that a dead worker left unsent.
    # Data rights: nightly, erase the accounts whose 14-day deletion grace has run out.
    "data-rights-erasures": {
        "task": "members.tasks.account_deletions_complete",
        "schedule": crontab(hour=2, minute=40),
    },
    # Data rights: nightly, delete (in batches) what each table keeps past the period the
    # privacy notice states (each app's personal_data.RETENTION), and expired downloads.
    "data-rights-retention": {
        "task": "network.tasks.personal_data_retention_enforce",
        "schedule": crontab(hour=3, minute=30),
    },
    "events-tick": {
        "task": "events.tasks.events_tick",
        "schedule": crontab(minute="*/5"),
    },
    # Insight: every minute, buffered activity (Redis) into raw events, so a Redis
    # restart loses at most the current minute's counts.
    "insight-flush": {
        "task": "insight.tasks.activity_flush",
        "schedule": crontab(minute="*"),
    },
    # Insight: hourly, yesterday's and today's daily counts, members and subscribers
    # from the raw events (yesterday's become final with the first run after midnight).
    "insight-rollup": {
        "task": "insight.tasks.activity_rollup_recent",
        "schedule": crontab(minute=7),
    },
    # Insight: every five minutes, the staff dashboard's figures drawn afresh into the
    # cache (they are kept ten), so staff never wait for its charts to be drawn.
    "insight-dashboard-warm": {
        "task": "insight.tasks.dashboard_warm",
        "schedule": crontab(minute="*/5"),
    },
}

# ------------------------------------------------------------------------------
# Stripe (members/billing/gateway.py is the only module that talks to Stripe)
# https://docs.stripe.com/api/versioning
# ------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_PORTAL_CONFIGURATION = env("STRIPE_PORTAL_CONFIGURATION", default="")
# The version the pinned SDK speaks; objects are read in this version's shape.
STRIPE_API_VERSION = "2026-10-28.endive"
if STRIPE_SECRET_KEY and not STRIPE_WEBHOOK_SECRET and not DEBUG:
    # Without the signing secret no webhook is accepted, so no membership would start.
    raise ImproperlyConfigured("STRIPE_WEBHOOK_SECRET must be set with STRIPE_SECRET_KEY.")
# Invoices of subscriptions billed by invoice are due this many days after they are sent.
# https://docs.stripe.com/billing/collection-method
BILLING_INVOICE_DAYS_UNTIL_DUE = env.int("BILLING_INVOICE_DAYS_UNTIL_DUE", default=30)
# true: staff approve each request to pay by invoice in the admin before it is created.
# A membership by invoice opens before it is paid, so without this anyone who signs up
# would reach members' content on a request alone (30 days to pay, then the grace).
BILLING_INVOICE_REQUESTS_NEED_APPROVAL = env.bool(
    "BILLING_INVOICE_REQUESTS_NEED_APPROVAL", default=True
)
# Days before a non-renewing membership ends that its holder is reminded.
BILLING_ENDING_REMINDER_DAYS = env.int("BILLING_ENDING_REMINDER_DAYS", default=14)
# Attempts at applying one webhook event before it is left for staff (admin: re-apply).
STRIPE_EVENT_MAX_ATTEMPTS = env.int("STRIPE_EVENT_MAX_ATTEMPTS", default=10)

# ------------------------------------------------------------------------------
# Newsletter and digests (newsletter/)
# ------------------------------------------------------------------------------
# Messages per minute across ALL workers (a token bucket shared in Redis); set it to
# what the mail server or email service allows.
NEWSLETTER_SEND_RATE_PER_MINUTE = env.int("NEWSLETTER_SEND_RATE_PER_MINUTE", default=60_000)
# Deliveries one task claims and sends over one SMTP connection.
NEWSLETTER_CHUNK_SIZE = env.int("NEWSLETTER_CHUNK_SIZE", default=250)
# Chunk tasks working on one edition at the same time (at most one per worker process).
NEWSLETTER_PARALLEL_CHUNKS = env.int("NEWSLETTER_PARALLEL_CHUNKS", default=4)
# A claimed delivery returns to the queue if its chunk has not renewed the lease for this
# long. A thread renews it every third of this while the chunk is sent, whatever the mail
# server does, so it can be short: a killed worker's rows return within it plus a sweep.
NEWSLETTER_LEASE_SECONDS = env.int("NEWSLETTER_LEASE_SECONDS", default=15)
# Attempts per delivery (claims, transient errors) before it is marked failed.
NEWSLETTER_MAX_ATTEMPTS = env.int("NEWSLETTER_MAX_ATTEMPTS", default=5)
# This many errors in a row pause the edition and alert the editors.
NEWSLETTER_ERROR_BURST = env.int("NEWSLETTER_ERROR_BURST", default=20)
# Days a double opt-in link stays valid; unconfirmed sign-ups are deleted after it.
NEWSLETTER_CONFIRM_DAYS = env.int("NEWSLETTER_CONFIRM_DAYS", default=3)
# The domain in List-Id and Message-ID headers, and the mailbox for mailto unsubscribes.
NEWSLETTER_LIST_DOMAIN = env("NEWSLETTER_LIST_DOMAIN", default="network.example.org")
NEWSLETTER_UNSUBSCRIBE_MAILTO = env(
    "NEWSLETTER_UNSUBSCRIBE_MAILTO", default="unsubscribe@network.example.org"
)
# The key of the keyed hashes that remember addresses we must never email again after
# their subscriber is deleted (newsletter/suppressions.py). Defaults to SECRET_KEY; set it
# to the current SECRET_KEY before rotating that one, or every suppression stops matching.
NEWSLETTER_SUPPRESSION_KEY = env("NEWSLETTER_SUPPRESSION_KEY", default=SECRET_KEY)
# Per address an hour and a day as well as per place: with the IP address changed for
# each request, 3 an hour alone let anyone send one inbox 72 confirmation emails a day.
ACCOUNT_RATE_LIMITS["newsletter_signup"] = env(
    "RATE_LIMIT_NEWSLETTER_SIGNUP", default="10/h/ip,3/h/key,6/d/key"
)

# ------------------------------------------------------------------------------
# Membership and content rules
# ------------------------------------------------------------------------------
# Days a past_due subscription keeps access while the member sorts out payment.
MEMBERSHIP_GRACE_DAYS = env.int("MEMBERSHIP_GRACE_DAYS", default=14)
# Days an invitation to an organisation's seat stays valid (and holds its seat).
ORGANISATION_INVITATION_DAYS = env.int("ORGANISATION_INVITATION_DAYS", default=14)
# Days the seats beyond what an organisation pays for (after it lowered its seats) keep
# giving access, for its admin to add seats or remove people: as long as the grace
# after a failed payment.
ORGANISATION_SEATS_NOTICE_DAYS = env.int("ORGANISATION_SEATS_NOTICE_DAYS", default=14)
# Invitations (sent or sent again) one admin may send an hour, and to one address: each
# is an email from the site, naming the admin and the organisation, to an address they
# typed, and revoking one frees its seat for the next.
ACCOUNT_RATE_LIMITS["organisation_invitation"] = env(
    "RATE_LIMIT_ORGANISATION_INVITATION", default="60/h/user,3/h/key"
)
CONTACT_MESSAGE_MAX_LENGTH = 3000

# ------------------------------------------------------------------------------
# Data rights (members/data_rights.py; each app's personal_data.py states its periods)
# ------------------------------------------------------------------------------
# Days between asking to delete one's account and its erasure; signing in cancels.
ACCOUNT_DELETION_GRACE_DAYS = env.int("ACCOUNT_DELETION_GRACE_DAYS", default=14)
# Hours the emailed link to a data download works (once, for its owner only).
DATA_EXPORT_LINK_HOURS = env.int("DATA_EXPORT_LINK_HOURS", default=72)
# The storage (a key of STORAGES) the downloads are written to: object storage in
# production, var/media when embedded. Never served from a public URL.
DATA_EXPORT_STORAGE = env("DATA_EXPORT_STORAGE", default="default")

# ------------------------------------------------------------------------------
# Best-practice library (practice_library)
# ------------------------------------------------------------------------------
# Members-only resources a signed-in non-member may open per calendar month; each
# resource counts once in a month however often it is opened.
LIBRARY_FREE_READS_PER_MONTH = env.int("LIBRARY_FREE_READS_PER_MONTH", default=3)
# The largest attachment editors may upload (bytes).
LIBRARY_ATTACHMENT_MAX_BYTES = env.int("LIBRARY_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
LIBRARY_PAGE_SIZE = 20
# Words one library search takes (quoted ones too); the rest are cut and the page says so.
LIBRARY_SEARCH_MAX_TERMS = env.int("LIBRARY_SEARCH_MAX_TERMS", default=12)

# ------------------------------------------------------------------------------
# Members' forum (forum/)
# ------------------------------------------------------------------------------
# A new member's first N posts wait for a moderator (0: none are held).
FORUM_NEW_MEMBER_HELD_POSTS = env.int("FORUM_NEW_MEMBER_HELD_POSTS", default=3)
# Minutes after posting during which authors may edit their post (moderators always may).
FORUM_EDIT_WINDOW_MINUTES = env.int("FORUM_EDIT_WINDOW_MINUTES", default=60)
# Posts (threads and replies) one member may write: N per window of minutes.
FORUM_POST_RATE_LIMIT = env.int("FORUM_POST_RATE_LIMIT", default=10)
FORUM_POST_RATE_WINDOW_MINUTES = env.int("FORUM_POST_RATE_WINDOW_MINUTES", default=10)
# Reports one member may make per day.
FORUM_REPORTS_PER_DAY = env.int("FORUM_REPORTS_PER_DAY", default=10)
# Different members whose reports (for a non-urgent reason) hide a post pending review.
FORUM_REPORTS_TO_HIDE = env.int("FORUM_REPORTS_TO_HIDE", default=3)
FORUM_POST_MAX_LENGTH = env.int("FORUM_POST_MAX_LENGTH", default=20_000)
FORUM_ATTACHMENT_MAX_BYTES = env.int("FORUM_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
FORUM_ATTACHMENTS_PER_POST = 5
# Files one member may have kept for posts not sent yet (a preview or a refusal keeps
# them); beyond it the oldest are let go. Two posts' worth: a new thread and a reply
# written side by side.
FORUM_KEPT_FILES_PER_MEMBER = env.int("FORUM_KEPT_FILES_PER_MEMBER", default=10)
# Urgent reports ("could identify a child", safeguarding) hide a post at once, so one
# member could hide anything. A member whose urgent reports moderators rejected (resolved
# "disagree") this many times within the window loses that: their urgent reports still
# reach the queue as urgent, but the post stays up until a moderator looks. Three, not
# one, so an honest mistake or two costs nothing; a window, so it is not for ever.
FORUM_URGENT_REPORTS_REJECTED_LIMIT = env.int("FORUM_URGENT_REPORTS_REJECTED_LIMIT", default=3)
FORUM_URGENT_REPORTS_REJECTED_WINDOW_DAYS = env.int(
    "FORUM_URGENT_REPORTS_REJECTED_WINDOW_DAYS", default=365
)
# Images wider or taller than this many pixels are refused from their header, before
# anything decodes them: a 17 KB PNG can claim 12,000 x 12,000 pixels and take seconds
# and gigabytes to decode. 6,000 x 6,000 (36 megapixels) is more than phone cameras take.
# Forum and library uploads alike (network/files.py).
IMAGE_MAX_SIDE = env.int("IMAGE_MAX_SIDE", default=6_000)
# Memory RE2 may use for one compiled watch-list pattern (bytes); a bigger one is refused
# when saved. https://github.com/google/re2/blob/main/re2/re2.h (max_mem)
FORUM_WATCH_PATTERN_MAX_MEM = env.int("FORUM_WATCH_PATTERN_MAX_MEM", default=8 * 1024 * 1024)
# Forum search reads at most this many words and characters: a phrase of 99 words took
# seconds. Longer searches are cut, and the results page says so.
FORUM_SEARCH_MAX_TERMS = env.int("FORUM_SEARCH_MAX_TERMS", default=12)
FORUM_SEARCH_MAX_CHARS = env.int("FORUM_SEARCH_MAX_CHARS", default=200)
FORUM_POSTS_PER_PAGE = 20
FORUM_THREADS_PER_PAGE = 30
# True: the daily summary of followed threads is a section of the newsletter's daily
# digest (forum/digest_sections.py), and choosing it turns the daily digest on, so members
# get one daily email, not two. False: the forum's own daily task emails it.
FORUM_DAILY_SUMMARY_IN_DIGEST = env.bool("FORUM_DAILY_SUMMARY_IN_DIGEST", default=True)

# ------------------------------------------------------------------------------
# Events and webinars (events/)
# ------------------------------------------------------------------------------
# Hours the first on a waiting list has to confirm a freed place before it passes on.
EVENTS_OFFER_HOURS = env.int("EVENTS_OFFER_HOURS", default=48)
# Minutes before the start from which registered people see an online event's link.
EVENTS_JOINING_LINK_MINUTES = env.int("EVENTS_JOINING_LINK_MINUTES", default=30)
# Attempts at sending one email to a registrant before it is marked failed.
EVENTS_NOTICE_MAX_ATTEMPTS = 5

# ------------------------------------------------------------------------------
# Logging: one line per request and per task, to stdout
# ------------------------------------------------------------------------------


def not_a_readiness_probe(record) -> bool:
    """/readyz answers 503 while a part is down and logs which part; the load balancer
    asks every few seconds on every node, so Django's request log must not also email
    the team (ADMINS) about each answer."""
    request = getattr(record, "request", None)
    return getattr(request, "path", "") != "/readyz"


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {
        "not_a_readiness_probe": {
            "()": "django.utils.log.CallbackFilter",
            "callback": not_a_readiness_probe,
        },
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "not_emailed_again_soon": {"()": "network.error_emails.NotEmailedAgainSoon"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
        },
        # Django's own, but one email per kind of error every few minutes per process
        # (network/error_emails.py): an outage fails every request the same way.
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false", "not_emailed_again_soon"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Our request log replaces runserver's and Django's own per-request lines.
        # Written to stdout through the root logger; errors also emailed to ADMINS.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR", "filters": ["not_a_readiness_probe"]},
        # Scanners call the server by any name many times a day: written to the log (a
        # missing name of the site's own shows there), never emailed to the team.
        "django.security.DisallowedHost": {"handlers": ["stdout"], "propagate": False},
    },
}

ADMINS = [("Network team", address) for address in STAFF_NOTIFICATION_EMAILS]
# Seconds before the same kind of server error is emailed to ADMINS again by one process.
ADMIN_ERROR_EMAIL_SECONDS = env.int("ADMIN_ERROR_EMAIL_SECONDS", default=600)

# Sessions live in the database and are read from the cache (Redis in production), so a
# signed-in page does not query the session table; a cache flush loses none.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = int(timedelta(days=14).total_seconds())
