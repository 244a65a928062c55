"""Building blocks shared by every SCORE Marketplace service (infrastructure only)."""
