"""The Scoring page: the weights workshop, its sections, presets and cold-start enrichment."""
