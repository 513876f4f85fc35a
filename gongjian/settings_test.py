import os

# Settings refuse to load without a SECRET_KEY when DEBUG is off, as production must; the test
# suite runs with DEBUG off, so it brings its own.
os.environ.setdefault("SECRET_KEY", "test-only-key-" + "x" * 40)

from gongjian.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"
