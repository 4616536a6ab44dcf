"""The DNC family's wire methods: ``check`` (isBlocked, isLegacyDncEnabled), ``legacy``
(``/compliance/dnc``) and ``lists`` (``/compliance/{dialtime,email,sms}/dnc``)."""
