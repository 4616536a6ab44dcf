"""The Do-Not-Call lists: the legacy list, account flags, and the dial-time, email and SMS
lists, with isBlocked, contactCheck, CSV import and export, and the suppression preview."""
