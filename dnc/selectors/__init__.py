"""Every read of the DNC lists, by what it answers:

- ``checks``: isBlocked's one statement (and the caller's session re-checked in it);
- ``decisions``: contactCheck, its batch, isBlocked's ``explain`` and the suppression preview,
  set-wise (the lists, the account flags, the calling hours);
- ``lists``: the dial-time, email and SMS lists' pages, entries and sizes;
- ``legacy``: the legacy list's pages, entries and sizes.

Writes are ``dnc.services``'."""
