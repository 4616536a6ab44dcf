"""The DNC lists in the browser: one page per list (legacy entries, account flags, dial-time
phones, emails, SMS numbers) and the contact groups.

Built for 10 million rows per client: the change list never counts the table (the foundation's
``EstimatedCountPaginator``), pages come newest first through a (client, id) index and cannot
be sorted by another column (a sort of 10 million rows takes seconds), a search is an exact
match on the normalized value (any punctuation in a phone number), which the list's unique
index serves, and the filters follow indexes (type and service, contact group, expired).
Every add, change and removal goes through the same services as the API, which audit it (one
entry per action, whatever the number of rows).

Forms: a Sysadmin sees every client and picks the client when adding; the contact group and
service choices then list every client's (grouped by client) and ``clean()`` checks the one
picked against the client picked. Everyone else's forms are their own client's.

Contact groups are named by their id within their client (``ContactGroup.group_id``, the
vendor's ``contactGroupId``, which entries store): every label, choice and filter here looks a
group up by (client, id), never by the id alone, which another client may use too.

The package: ``common`` (what every page shares), ``lists``, ``legacy`` and ``groups`` (each
registers its ModelAdmins), ``imports`` and ``suppression`` (the pages that are not a model's,
mounted through ``DncConfig.admin_urls``).
"""

from . import groups, legacy, lists  # noqa: F401 - importing them registers their admins
from .common import MAX_ACTION_ROWS, ContactGroupFilter  # noqa: F401 - for the tests
