"""The pages that report across features: the Overview's headline figures and Integration (sales
to delivered orders)."""
