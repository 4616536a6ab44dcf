"""DNC writes, by family: ``legacy`` (legacy entries and account flags) and ``lists`` (dial-time,
email and SMS entries). Every write is atomic and audited."""
