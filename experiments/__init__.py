"""A/B experiments: sticky assignment, the served-list log and attribution, reports."""
