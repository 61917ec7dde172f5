import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
application = get_wsgi_application()

from badges_api.api.request_body import read_chunked_bodies  # noqa: E402 - needs settings loaded
from badges_api.sqlite_wal import start_wal_checkpointer  # noqa: E402 - needs settings loaded

application = read_chunked_bodies(application)

start_wal_checkpointer()

# Import every view now rather than in the first request, then take what is loaded (it lives as
# long as the process) out of the garbage collector's sight: a full collection walking it took
# about 70 ms, which landed in whichever request triggered it.
get_resolver().url_patterns  # noqa: B018 - importing is the point
gc.freeze()
