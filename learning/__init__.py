"""The learning loop: the served-list log and attribution, A/B experiments, trending."""
