"""The one settings module. Everything that varies between installations comes from ACCORD_* variables.

ACCORD_DATA_DIR       where Accord keeps its files (SQLite database, secret key, uploads, static files); ./var
ACCORD_DATABASE_URL   e.g. postgres://user@127.0.0.1:5432/accord; default: SQLite file in the data dir
ACCORD_SECRET_KEY     default: generated once and kept in the data dir
ACCORD_DEBUG          1/true to enable debug pages (never in production)
ACCORD_ALLOWED_HOSTS  comma-separated; default: localhost names
ACCORD_TLS            1 when served over HTTPS (behind a TLS-terminating proxy): secure cookies, HSTS, redirect
ACCORD_HSTS_SECONDS   HSTS max-age when ACCORD_TLS=1; default one year
ACCORD_UPLOAD_MAX_BYTES  largest request body other than files (forms, JSON); default 10 MB
ACCORD_REPLICA_DATABASE_URLS  comma-separated read replicas of the PostgreSQL primary (docs/scaling.md)
ACCORD_EMAIL_HOST     SMTP server for password-reset mail; unset: no e-mail is sent and reset by e-mail is off
ACCORD_EMAIL_PORT, ACCORD_EMAIL_USER, ACCORD_EMAIL_PASSWORD, ACCORD_EMAIL_TLS (STARTTLS) / ACCORD_EMAIL_SSL,
ACCORD_EMAIL_FROM     the rest of the SMTP settings; defaults 25, none, none, off, accord@<host name>
ACCORD_TODAY          the date the installation works as of (the demo's 1960: `make run` sets 1960-02-26); default today
ACCORD_REMIND_HOUR    local hour the job worker sends the daily reminder digest at (when e-mail is on); default 7,
                      "off" for none (`accord remind` still sends on demand)
ACCORD_REMIND_LEAD_DAYS  how many days before its due date a thing is shown and sent; default 30
ACCORD_SITE_URL       the address people open Accord at, for the links in e-mails; default http://127.0.0.1:8000
ACCORD_FEDERATION_SYNC_SECONDS  seconds between the job worker's syncs with the federation's peers; default 300; off
ACCORD_NODE_PARTY     a party code this installation acts for without a node identity (tests); a node acts for the
                      party `accord node init --party` gave it (docs/federation.md); neither: "hosted", every side here
ACCORD_FEDERATION_HANDOVER  1 while a node takes over its own side's records from the installation that hosted both
                      sides (accepts records of its own party it does not hold yet); default off
ACCORD_TRUSTED_PROXIES  comma-separated addresses or networks of the reverse proxies in front of Accord; only a
                      request arriving from one of them has its X-Forwarded-For read (core.clientaddr); default none
ACCORD_REQUIRE_SECOND_FACTOR  1: administrators and designated signatories must turn on a second factor (asked
                      at their next sign-in, before anything else); default off (closed networks may have no device)
ACCORD_SECURITY_EVENTS_DAYS  how many days security events are kept before the daily prune removes them;
                      default 400, "off" to keep them for ever
"""

import importlib.util
import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("ACCORD_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    given = os.environ.get("ACCORD_SECRET_KEY")
    if given:
        return given
    # Generated on first run and kept beside the data, so sessions survive restarts.
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("ACCORD_DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ACCORD_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",  # the optional second factor (accounts.totp)
    "django_otp.plugins.otp_totp",
    "accord.core",
    "accord.directory",
    "accord.agreements",
    "accord.programmes",
    "accord.meetings",
    "accord.documents",
    "accord.signing",
    "accord.fidelity",
    "accord.interop",
    "accord.federation",
    "accord.accounts",
    "accord.jobs",
    "accord.web",
    "accord.demo",
]

# Argon2id first; the others only verify (and upgrade) passwords hashed before.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy on every response (see SECURITY below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accord.core.routers.PrimaryAfterWriteMiddleware",  # reads after a write stay on the primary (replicas only)
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): signed in with the second factor
    "accord.accounts.middleware.PrivateResponsesMiddleware",  # Cache-Control: no-store on private responses
    "accord.accounts.middleware.RefusalLogMiddleware",  # every 403 in the security log
    "accord.accounts.middleware.SignedInSessionsMiddleware",  # each signed-in session known to its owner
    "accord.accounts.middleware.SecondFactorRequiredMiddleware",  # ACCORD_REQUIRE_SECOND_FACTOR: enrol first
    "accord.core.middleware.RefuseNulCharactersMiddleware",  # 400 for a NUL in a query or form (pages)
    "accord.core.middleware.UnreadableApiBodyMiddleware",  # 400 in JSON for a multipart body Django cannot read
    "accord.core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accord.core.middleware.BusyDatabaseMiddleware",  # SQLite's write lock held by an import: 503, not 500
]

# The API docs' own copies of Swagger UI (no CDN): django-ninja's templates and static files, found without importing
# it. As an installed app it was imported, with pydantic, by every `accord` command at its start (a fifth of a
# second of CPU); core.api's docs render its template all the same.
_ninja = importlib.util.find_spec("ninja")
assert _ninja is not None and _ninja.origin, "django-ninja is a dependency (pyproject.toml)"
NINJA_FILES = Path(_ninja.origin).parent
STATICFILES_DIRS = [NINJA_FILES / "static"]

ROOT_URLCONF = "accord.urls"
WSGI_APPLICATION = "accord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [NINJA_FILES / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _databases() -> dict:
    url = os.environ.get("ACCORD_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'accord.sqlite3'}"
    db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["CONN_MAX_AGE"] = 0 if db["NAME"] == ":memory:" else 60
        db["OPTIONS"] = {
            # IMMEDIATE: a write transaction takes the write lock at BEGIN, so two writers queue on the
            # busy timeout instead of one failing with "database is locked" when it upgrades its lock.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA cache_size=-65536;"
            ),
        }
        db.setdefault("TEST", {})["NAME"] = os.environ.get("ACCORD_TEST_SQLITE_NAME") or None
    databases = {"default": db}
    # Read replicas (accord.core.routers): replica1..n. In tests they mirror the test database.
    urls = [u.strip() for u in os.environ.get("ACCORD_REPLICA_DATABASE_URLS", "").split(",") if u.strip()]
    for n, replica_url in enumerate(urls, start=1):
        replica = dj_database_url.parse(replica_url, conn_max_age=60, conn_health_checks=True)
        replica["TEST"] = {"MIRROR": "default"}
        databases[f"replica{n}"] = replica
    return databases


DATABASES = _databases()
ACCORD_REPLICAS = [alias for alias in DATABASES if alias != "default"]
# The router only when there are replicas: a single database pays nothing for it.
DATABASE_ROUTERS = ["accord.core.routers.PrimaryReplicaRouter"] if ACCORD_REPLICAS else []
ACCORD_REPLICA_STICKY_SECONDS = int(os.environ.get("ACCORD_REPLICA_STICKY_SECONDS", 10))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Passwords (ASVS 2.1): at least 12 characters, not one of the 20,000 most common (Django's list, offline),
# not like the account's name or e-mail, not all digits. Checked wherever a password is set through a form.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Validates nothing: logs every password change, on any channel, and e-mails the account's owner.
    {"NAME": "accord.accounts.credentials.PasswordChangeNotice"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("ACCORD_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Collected static files: derived from the code, so several installations (or test servers) may share one.
STATIC_ROOT = Path(os.environ["ACCORD_STATIC_ROOT"]) if os.environ.get("ACCORD_STATIC_ROOT") else DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"  # uploads live with the data, never under the static root
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ACCORD_LOG_LEVEL", "WARNING")},
}

# The date the installation works as of (ISO, e.g. 1960-02-26), when its programme lives in the past as the demo's
# does: overdue ages and the dates the steps propose are counted from it, and the pages say so. Unset: today.
ACCORD_TODAY = os.environ.get("ACCORD_TODAY", "").strip()

# Federation (accord.federation): the party this node acts for (a party code; unset: hosted, every side here), and
# whether records of that party that a peer sends and we do not hold are taken over (moving from a hosted install).
ACCORD_NODE_PARTY = os.environ.get("ACCORD_NODE_PARTY", "").strip()
ACCORD_FEDERATION_HANDOVER = _env_bool("ACCORD_FEDERATION_HANDOVER")

# After a change, the dashboard serves figures up to this old (saying so) while it counts them again.
ACCORD_DASHBOARD_STALE_SECONDS = int(os.environ.get("ACCORD_DASHBOARD_STALE_SECONDS", 600))

# Tabular imports (accord.interop): what a file may hold before it is refused unread.
# The signing keys `accord verify-bundle` trusts without --trust: PARTY=PUBLIC_KEY lines (docs/signing.md).
ACCORD_TRUSTED_KEYS = os.environ.get("ACCORD_TRUSTED_KEYS") or str(DATA_DIR / "trusted-keys.txt")
# Exports, the costliest reads (core.throttle, interop.services.export_plan; docs/security.md "Denial of service"):
# per client and minute (anonymous by address, stricter), how many run at once server-wide, the most rows an
# anonymous export gives, and the most a signed-in one streams before it becomes a background job.
ACCORD_EXPORT_RATE_ANONYMOUS = int(os.environ.get("ACCORD_EXPORT_RATE_ANONYMOUS", 6))
ACCORD_EXPORT_RATE_ACCOUNT = int(os.environ.get("ACCORD_EXPORT_RATE_ACCOUNT", 60))
ACCORD_EXPORT_SLOTS = int(os.environ.get("ACCORD_EXPORT_SLOTS", 1))
ACCORD_EXPORT_ANONYMOUS_MAX_ROWS = int(os.environ.get("ACCORD_EXPORT_ANONYMOUS_MAX_ROWS", 1000))
ACCORD_EXPORT_INLINE_MAX_ROWS = int(os.environ.get("ACCORD_EXPORT_INLINE_MAX_ROWS", 5000))
# A signed plan text with at least this many items has its PDF laid out in the background when the plan is
# signed (a 1,000-item text takes seconds even in pieces), so a reader downloads the stored file. 0: never.
ACCORD_PREPARE_PDF_ITEMS = int(os.environ.get("ACCORD_PREPARE_PDF_ITEMS", 200))
# Worker processes laying out the pieces of a long PDF side by side (0: one per core this process may use).
ACCORD_PDF_WORKERS = int(os.environ.get("ACCORD_PDF_WORKERS", 0))
ACCORD_IMPORT_MAX_BYTES = int(os.environ.get("ACCORD_IMPORT_MAX_BYTES", 100 * 1024 * 1024))
ACCORD_IMPORT_MAX_COLUMNS = int(os.environ.get("ACCORD_IMPORT_MAX_COLUMNS", 200))
ACCORD_IMPORT_MAX_CELL_CHARS = int(os.environ.get("ACCORD_IMPORT_MAX_CELL_CHARS", 32767))
ACCORD_IMPORT_MAX_ROWS = int(os.environ.get("ACCORD_IMPORT_MAX_ROWS", 1_000_000))

# Accounts: the site's own sign-in page; sessions end after a working day.
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The one way passwords are checked: Django's, behind the sign-in throttle (accounts.signin).
AUTHENTICATION_BACKENDS = ["accord.accounts.signin.ThrottledBackend"]
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for an hour, and once (it covers the password it replaces)
OTP_TOTP_ISSUER = "Accord"
OTP_TOTP_THROTTLE_FACTOR = 0  # codes are throttled by Accord's own sign-in throttle, with passwords

# E-mail (password reset): off unless ACCORD_EMAIL_HOST names an SMTP server.
EMAIL_HOST = os.environ.get("ACCORD_EMAIL_HOST", "")
ACCORD_EMAIL_ENABLED = bool(EMAIL_HOST)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.dummy.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("ACCORD_EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("ACCORD_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ACCORD_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("ACCORD_EMAIL_TLS")
EMAIL_USE_SSL = _env_bool("ACCORD_EMAIL_SSL")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("ACCORD_EMAIL_FROM", "accord@localhost")
# Reminders (accord.accounts.reminders): the daily digest's hour, how far ahead, and the links' address.
_remind_hour = os.environ.get("ACCORD_REMIND_HOUR", "7").strip().lower()
ACCORD_REMIND_HOUR = None if _remind_hour in ("", "off", "none") else int(_remind_hour)
ACCORD_REMIND_LEAD_DAYS = int(os.environ.get("ACCORD_REMIND_LEAD_DAYS", 30))
# Security events older than this many days are removed by the daily prune (accounts.security); None: kept for ever.
_event_days = os.environ.get("ACCORD_SECURITY_EVENTS_DAYS", "400").strip().lower()
ACCORD_SECURITY_EVENTS_DAYS = None if _event_days in ("", "0", "off", "none") else int(_event_days)
ACCORD_SECURITY_EVENTS_PRUNE_HOUR = 3  # local hour of the daily prune
ACCORD_REQUIRE_SECOND_FACTOR = _env_bool("ACCORD_REQUIRE_SECOND_FACTOR")  # accounts.totp.required
ACCORD_SITE_URL = os.environ.get("ACCORD_SITE_URL", "http://127.0.0.1:8000")
# Federation (accord.federation): seconds between the job worker's syncs with the peers that have an address.
_sync_seconds = os.environ.get("ACCORD_FEDERATION_SYNC_SECONDS", "300").strip().lower()
ACCORD_FEDERATION_SYNC_SECONDS = None if _sync_seconds in ("", "off", "none", "0") else int(_sync_seconds)

# The database cache: shared by every worker process, so sign-in throttling counts across them
# (each process would have its own local-memory cache). Its table is made by migrate (core 0003).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "accord_cache",
    }
}

# --- SECURITY: headers, cookies, TLS, uploads (docs/security.md walks through each) ------------------

# Nothing inline and nothing from elsewhere: pages load their own scripts and styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True  # the pages read the token from the form, never from the cookie
CSRF_COOKIE_SAMESITE = "Lax"
# Session cookie: HttpOnly, SameSite=Lax and an eight-hour life are set with the accounts settings above.

# Behind a TLS-terminating proxy: cookies only over HTTPS, HSTS, and plain HTTP redirected.
TLS = _env_bool("ACCORD_TLS")
if TLS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    # The proxy must set this header itself (and strip it from clients), or HTTP could pass for HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("ACCORD_HSTS_SECONDS", 365 * 24 * 60 * 60))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("ACCORD_HSTS_SUBDOMAINS")

# The reverse proxies whose X-Forwarded-For is believed (core.clientaddr); none by default: the connection's
# peer is the client. A wrong entry stops the start rather than trusting nothing (or everything) silently.
ACCORD_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("ACCORD_TRUSTED_PROXIES", "").split(",") if p.strip()]
for _proxy in ACCORD_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"ACCORD_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network") from None

# Request bodies: forms and JSON held in memory up to this size; files above 2.5 MB go to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("ACCORD_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
