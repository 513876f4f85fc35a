import atexit
import os
import shutil
import tempfile

# Settings refuse to load without a SECRET_KEY when DEBUG is off, as production must; the test
# suite runs with DEBUG off, so it brings its own.
os.environ.setdefault("SECRET_KEY", "test-only-key-" + "x" * 40)

from gongjian.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # The test runner empties every table with TRUNCATE after a TransactionTestCase; the audit
    # trail's trigger refuses that unless the connection allows it (audit migration 0006).
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (
        _options.get("options", "") + " -c gongjian.audit_allow_truncate=on"
        # A test database need not survive a crash: commits (migrations, the flushes after
        # each TransactionTestCase) do not wait for the disk.
        " -c synchronous_commit=off"
    ).strip()

# The suite's cache lives in memory and is emptied before each test (conftest.py): cached lists
# (lib/cached_lists.py) must not outlive the rows a test rolled back.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# seed_demo writes the map's fictional boundary unless one exists; in a test run it goes to a
# folder of this process's own, not the checkout's var/, and parallel workers (pytest -n) do
# not write one file at the same time.
_TEST_DIR = tempfile.mkdtemp(prefix="gongjian-test-")
atexit.register(shutil.rmtree, _TEST_DIR, ignore_errors=True)
GEO_BOUNDARY_FILE = os.path.join(_TEST_DIR, "geo", "boundary.json")
