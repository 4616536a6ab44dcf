"""Signals that let resource apps react to site-wide changes without the site importing them."""

from django.dispatch import Signal

# Sent inside the transaction, before a Service is deleted: service=, actor=.
service_deleting = Signal()
