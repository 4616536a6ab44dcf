"""Call recordings: the Compliance API's ``/compliance/recording`` methods, the admin's player
and upload, and the ``import_recordings`` and ``purge_recordings`` commands."""
