"""django-filter FilterSets of the DNC lists: a list's query and a search's body feed the same
FilterSet."""
