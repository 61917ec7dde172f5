import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
application = get_wsgi_application()

from badges_api.sqlite_wal import start_wal_checkpointer  # noqa: E402 - needs settings loaded

start_wal_checkpointer()
